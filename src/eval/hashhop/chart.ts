import type { CellSummary } from "./report.js";
import { formatSize } from "./sizes.js";

const WIDTH = 760;
const HEIGHT = 460;
const PLOT = { left: 80, right: 560, top: 50, bottom: 390 };
const LEGEND_ROW = 22;
// Colour-blind-safe palette (Okabe–Ito), one colour per hop count; skip lines are dashed.
const COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];

export interface ChartOptions {
  title: string;
  sizes: number[];
  hops: number[];
  variants: string[];
}

/**
 * Renders accuracy against context size as a standalone SVG: a log-scale x axis over the measured
 * sizes, accuracy from 0 to 100% on the y axis, and one line per hop count and variant. Cells without
 * a scored sample leave a gap in their line.
 */
export function renderChart(cells: CellSummary[], options: ChartOptions): string {
  const x = logScale(options.sizes);
  const y = (accuracy: number): number => PLOT.bottom - accuracy * (PLOT.bottom - PLOT.top);
  // The legend lists every line, so a long list makes the picture taller.
  const height = Math.max(HEIGHT, PLOT.top + 30 + options.hops.length * options.variants.length * LEGEND_ROW);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="${(PLOT.left + PLOT.right) / 2}" y="28" text-anchor="middle" font-size="15">${escapeXml(options.title)}</text>`,
    ...renderAxes(options.sizes, x, y),
  ];

  options.hops.forEach((hops, hopIndex) => {
    for (const variant of options.variants) {
      const colour = COLOURS[hopIndex % COLOURS.length] as string;
      const dash = variant === "skip" ? ` stroke-dasharray="6 4"` : "";
      const points = options.sizes.flatMap((size) => {
        const cell = cells.find((candidate) => candidate.size === size && candidate.hops === hops && candidate.variant === variant);
        return cell?.accuracy === undefined ? [] : [{ size, accuracy: cell.accuracy }];
      });
      const coordinates = points.map((point) => `${round(x(point.size))},${round(y(point.accuracy))}`);
      parts.push(`<g class="series" data-hops="${hops}" data-variant="${escapeXml(variant)}">`);
      if (coordinates.length > 1) parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="2"${dash} points="${coordinates.join(" ")}"/>`);
      for (const point of points) {
        parts.push(
          `<circle cx="${round(x(point.size))}" cy="${round(y(point.accuracy))}" r="3.5" fill="${colour}">` +
            `<title>${hops} hops, ${escapeXml(variant)}, ${formatSize(point.size)}: ${(point.accuracy * 100).toFixed(1)}%</title></circle>`,
        );
      }
      parts.push("</g>");
    }
  });

  parts.push(...renderLegend(options));
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}

/** Maps sizes onto the plot width on a log10 scale; a single size sits in the middle. */
function logScale(sizes: number[]): (size: number) => number {
  const low = Math.log10(Math.min(...sizes));
  const high = Math.log10(Math.max(...sizes));
  const padding = high > low ? (high - low) * 0.06 : 1;
  const from = low - padding;
  const to = high + padding;
  return (size) => PLOT.left + ((Math.log10(size) - from) / (to - from)) * (PLOT.right - PLOT.left);
}

function renderAxes(sizes: number[], x: (size: number) => number, y: (accuracy: number) => number): string[] {
  const parts: string[] = [];
  for (const accuracy of [0, 0.25, 0.5, 0.75, 1]) {
    parts.push(`<line x1="${PLOT.left}" y1="${y(accuracy)}" x2="${PLOT.right}" y2="${y(accuracy)}" stroke="#dddddd"/>`);
    parts.push(`<text x="${PLOT.left - 8}" y="${y(accuracy) + 4}" text-anchor="end">${accuracy * 100}%</text>`);
  }
  for (const size of sizes) {
    parts.push(`<line x1="${round(x(size))}" y1="${PLOT.bottom}" x2="${round(x(size))}" y2="${PLOT.bottom + 5}" stroke="#333333"/>`);
    parts.push(`<text x="${round(x(size))}" y="${PLOT.bottom + 20}" text-anchor="middle">${formatSize(size)}</text>`);
  }
  parts.push(
    `<line x1="${PLOT.left}" y1="${PLOT.bottom}" x2="${PLOT.right}" y2="${PLOT.bottom}" stroke="#333333"/>`,
    `<line x1="${PLOT.left}" y1="${PLOT.top}" x2="${PLOT.left}" y2="${PLOT.bottom}" stroke="#333333"/>`,
    `<text class="x-label" x="${(PLOT.left + PLOT.right) / 2}" y="${PLOT.bottom + 48}" text-anchor="middle">Context size (tokens, log scale)</text>`,
    `<text class="y-label" x="${-(PLOT.top + PLOT.bottom) / 2}" y="24" text-anchor="middle" transform="rotate(-90)">Accuracy (exact match)</text>`,
  );
  return parts;
}

function renderLegend(options: ChartOptions): string[] {
  const parts: string[] = [];
  let row = 0;
  options.hops.forEach((hops, hopIndex) => {
    for (const variant of options.variants) {
      const top = PLOT.top + 10 + row * LEGEND_ROW;
      const colour = COLOURS[hopIndex % COLOURS.length] as string;
      const dash = variant === "skip" ? ` stroke-dasharray="6 4"` : "";
      parts.push(`<line x1="${PLOT.right + 24}" y1="${top}" x2="${PLOT.right + 56}" y2="${top}" stroke="${colour}" stroke-width="2"${dash}/>`);
      parts.push(`<text x="${PLOT.right + 64}" y="${top + 4}">${hops === 1 ? "1 hop" : `${hops} hops`}, ${escapeXml(variant)}</text>`);
      row += 1;
    }
  });
  return parts;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
