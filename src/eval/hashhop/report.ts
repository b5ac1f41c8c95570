import type { Variant } from "./generate.js";
import type { EvalPlan, SampleResult } from "./run.js";
import { formatSize } from "./sizes.js";

/** Results of one size, hop count and variant. */
export interface CellSummary {
  size: number;
  hops: number;
  variant: Variant;
  samplesScored: number;
  samplesFailed: number;
  samplesNotRun: number;
  queries: number;
  correct: number;
  /** Share of exactly right answers, or undefined when no sample was scored. */
  accuracy: number | undefined;
  /** Mean share of right hops in cot answers; undefined for skip. */
  hopAccuracy: number | undefined;
  /** Mean tokens of the pair lines by the local tokenizer. */
  meanPromptTokens: number | undefined;
  /** Mean input tokens of a whole request as the provider reported them. */
  meanReportedInputTokens: number | undefined;
}

/** Groups sample results by size, hops and variant, in plan order. */
export function summarize(plan: EvalPlan, results: SampleResult[]): CellSummary[] {
  const cells: CellSummary[] = [];
  for (const size of plan.sizes) {
    for (const hops of plan.hops) {
      for (const variant of plan.variants) {
        const group = results.filter((result) => result.size === size && result.hops === hops && result.variant === variant);
        cells.push(summarizeCell(size, hops, variant, group));
      }
    }
  }
  return cells;
}

function summarizeCell(size: number, hops: number, variant: Variant, group: SampleResult[]): CellSummary {
  const scored = group.filter((result) => result.status === "scored");
  const scores = scored.flatMap((result) => result.scores);
  const correct = scores.filter((score) => score.exact).length;
  const hopShares = scores.flatMap((score) => (score.hopShare === undefined ? [] : [score.hopShare]));
  const reported = scored.flatMap((result) => (result.reportedInputTokens === undefined ? [] : [result.reportedInputTokens]));
  return {
    size,
    hops,
    variant,
    samplesScored: scored.length,
    samplesFailed: group.filter((result) => result.status === "failed").length,
    samplesNotRun: group.filter((result) => result.status === "not-run").length,
    queries: scores.length,
    correct,
    accuracy: scores.length > 0 ? correct / scores.length : undefined,
    hopAccuracy: variant === "cot" ? mean(hopShares) : undefined,
    meanPromptTokens: mean(scored.map((result) => result.promptTokens)),
    meanReportedInputTokens: mean(reported),
  };
}

function mean(values: number[]): number | undefined {
  return values.length > 0 ? values.reduce((sum, value) => sum + value, 0) / values.length : undefined;
}

function percent(value: number | undefined): string {
  return value === undefined ? "-" : `${(value * 100).toFixed(1)}%`;
}

/**
 * Renders accuracy as a text table: one row per hop count and variant, one column per size. A cell
 * shows `-` when none of its samples was scored.
 */
export function renderTable(plan: EvalPlan, cells: CellSummary[]): string {
  const header = ["hops", "variant", ...plan.sizes.map(formatSize)];
  const rows = [header];
  for (const hops of plan.hops) {
    for (const variant of plan.variants) {
      const accuracies = plan.sizes.map((size) => percent(cells.find((cell) => cell.size === size && cell.hops === hops && cell.variant === variant)?.accuracy));
      rows.push([String(hops), variant, ...accuracies]);
    }
  }
  const widths = header.map((_, column) => Math.max(...rows.map((row) => (row[column] as string).length)));
  return rows.map((row) => row.map((text, column) => text.padEnd(widths[column] as number)).join("  ").trimEnd()).join("\n") + "\n";
}

export const CSV_COLUMNS = [
  "size",
  "hops",
  "variant",
  "samples_scored",
  "samples_failed",
  "samples_not_run",
  "queries",
  "correct",
  "accuracy",
  "hop_accuracy",
  "mean_prompt_tokens",
  "mean_reported_input_tokens",
] as const;

/** Renders one CSV row per cell (RFC 4180, comma-separated, header first); empty fields mean no data. */
export function renderCsv(cells: CellSummary[]): string {
  const field = (value: number | undefined, digits: number): string => (value === undefined ? "" : value.toFixed(digits));
  const lines = [CSV_COLUMNS.join(",")];
  for (const cell of cells) {
    lines.push(
      [
        cell.size,
        cell.hops,
        cell.variant,
        cell.samplesScored,
        cell.samplesFailed,
        cell.samplesNotRun,
        cell.queries,
        cell.correct,
        field(cell.accuracy, 4),
        field(cell.hopAccuracy, 4),
        field(cell.meanPromptTokens, 1),
        field(cell.meanReportedInputTokens, 1),
      ].join(","),
    );
  }
  return `${lines.join("\r\n")}\r\n`;
}
