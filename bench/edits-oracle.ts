import { plainLines, type BenchCase } from "./edits-cases.js";

/**
 * Placement of a case's edit by its content alone, as a careful reader would judge it:
 * - `unambiguous`: the lines the edit got right occur in exactly one place, the right one;
 * - `ambiguous`: they occur in two or more places;
 * - `misleading`: they occur in exactly one place, but not the right one;
 * - `unplaceable`: they occur nowhere, even ignoring all leading and trailing whitespace.
 */
export type Placeability = "unambiguous" | "ambiguous" | "misleading" | "unplaceable";

const NORMALIZERS: Array<(line: string) => string> = [(line) => line, (line) => line.trimEnd(), (line) => line.trim()];

/**
 * Classifies a case independently of the applier under test: a brute-force search for the anchor
 * lines at three strictness levels (exact, without trailing whitespace, without any surrounding
 * whitespace), stopping at the first level that finds anything.
 */
export function classifyCase(bench: BenchCase): Placeability {
  const fileLines = plainLines(bench.before);
  if (!bench.anchor.flat().some((line) => line.trim() !== "")) return "ambiguous";
  for (const normalize of NORMALIZERS) {
    const file = fileLines.map(normalize);
    const segments = bench.anchor.map((segment) => segment.map(normalize));
    const starts = placements(file, segments);
    if (starts.length === 0) continue;
    if (starts.length > 1) return "ambiguous";
    return starts[0] === bench.anchorStart ? "unambiguous" : "misleading";
  }
  return "unplaceable";
}

/** Start lines of up to two ways to place the segments in order, each after the previous one. */
function placements(file: string[], segments: string[][]): number[] {
  const found: number[] = [];
  const search = (segment: number, from: number, start: number): void => {
    for (let position = from; position + segments[segment]!.length <= file.length && found.length < 2; position++) {
      if (!segments[segment]!.every((line, offset) => file[position + offset] === line)) continue;
      if (segment === segments.length - 1) found.push(segment === 0 ? position : start);
      else search(segment + 1, position + segments[segment]!.length, segment === 0 ? position : start);
    }
  };
  search(0, 0, 0);
  return found;
}
