/**
 * Finds where the old side of an edit sits in a file. Pure: lines in, placements out.
 *
 * Levels run from strict to loose. Callers try them in order and stop at the first level that
 * finds anything, so a looser level never overrides a stricter match.
 */
export type MatchLevel = "exact" | "trailing-whitespace" | "relative-indentation";

export const MATCH_LEVELS: readonly MatchLevel[] = ["exact", "trailing-whitespace", "relative-indentation"];

/** A match of a pattern at file lines [start, end), 0-based. */
export interface Placement {
  start: number;
  end: number;
  /** Start of each pattern segment. Segments after the first follow an elided gap. */
  segmentStarts: number[];
  /** Indentation the file puts where the pattern had `removedIndentWidth` columns (relative level only). */
  indent: string;
  /** Leading whitespace characters removed from every pattern line before comparing (relative level only). */
  removedIndentWidth: number;
  level: MatchLevel;
}

export interface MatchSearch {
  /** Pattern lines split at elisions; one segment when the pattern has none. */
  segments: string[][];
  level: MatchLevel;
  /** Returns false for file ranges that another hunk of the same edit already claimed. */
  isFree?: (start: number, end: number) => boolean;
  /** Stop collecting after this many placements. */
  limit?: number;
}

interface SegmentPosition {
  position: number;
  indent: string;
}

/**
 * Returns the placements of `search.segments` in `fileLines`, in file order, at most `limit` of them.
 * With several segments, a placement is one way to match every segment in order, each after the
 * previous one, with the same indentation throughout.
 */
export function findPlacements(fileLines: string[], search: MatchSearch): Placement[] {
  const limit = search.limit ?? 2;
  const removedIndentWidth = search.level === "relative-indentation" ? minIndentWidth(search.segments.flat()) : 0;
  const positions = search.segments.map((segment) =>
    segmentPositions(fileLines, segment, search.level, removedIndentWidth).filter(
      (found) => search.isFree?.(found.position, found.position + segment.length) ?? true,
    ),
  );
  const toPlacement = (starts: number[], indent: string): Placement => {
    const last = search.segments.length - 1;
    return {
      start: starts[0]!,
      end: starts[last]! + search.segments[last]!.length,
      segmentStarts: starts,
      indent,
      removedIndentWidth,
      level: search.level,
    };
  };

  if (search.segments.length === 1) {
    return positions[0]!.slice(0, limit).map((found) => toPlacement([found.position], found.indent));
  }
  return chainSegments(positions, search.segments, limit).map((chain) => toPlacement(chain.starts, chain.indent));
}

/**
 * Counts the ways to place consecutive segments in order, capped at `limit`, and returns up to
 * `limit` of them. Each position keeps only its first predecessor. That is enough to rebuild a
 * unique chain, and when there are several chains, callers only list where some of them lie.
 */
function chainSegments(positions: SegmentPosition[][], segments: string[][], limit: number): Array<{ starts: number[]; indent: string }> {
  type Step = { position: number; indent: string; ways: number; previous: Step | undefined };
  let steps: Step[] = positions[0]!.map((found) => ({ ...found, ways: 1, previous: undefined }));

  for (let index = 1; index < segments.length; index++) {
    const previousLength = segments[index - 1]!.length;
    const reachable = new Map<string, { ways: number; first: Step }>();
    const next: Step[] = [];
    let cursor = 0;
    for (const found of positions[index]!) {
      while (cursor < steps.length && steps[cursor]!.position + previousLength <= found.position) {
        const step = steps[cursor++]!;
        const group = reachable.get(step.indent);
        if (group) group.ways = Math.min(limit, group.ways + step.ways);
        else reachable.set(step.indent, { ways: Math.min(limit, step.ways), first: step });
      }
      const group = reachable.get(found.indent);
      if (group) next.push({ ...found, ways: group.ways, previous: group.first });
    }
    steps = next;
  }

  const chains: Array<{ starts: number[]; indent: string }> = [];
  let total = 0;
  for (const step of steps) {
    total += step.ways;
    const starts: number[] = [];
    for (let current: Step | undefined = step; current; current = current.previous) starts.unshift(current.position);
    chains.push({ starts, indent: step.indent });
    // A second way to reach the same end still makes the match ambiguous, so report it as a second chain.
    if (step.ways > 1 && chains.length < limit) chains.push({ starts, indent: step.indent });
    if (total >= limit || chains.length >= limit) break;
  }
  return chains.slice(0, limit);
}

function segmentPositions(fileLines: string[], segment: string[], level: MatchLevel, removedIndentWidth: number): SegmentPosition[] {
  const found: SegmentPosition[] = [];
  const last = fileLines.length - segment.length;
  if (level === "relative-indentation") {
    const dedented = segment.map((line) => (isBlank(line) ? undefined : line.slice(removedIndentWidth).trimEnd()));
    const anchor = dedented.findIndex((line) => line !== undefined);
    if (anchor === -1) return found;
    for (let position = 0; position <= last; position++) {
      const indent = indentFor(fileLines[position + anchor]!, dedented[anchor]!);
      if (indent !== undefined && matchesIndented(fileLines, position, dedented, indent)) found.push({ position, indent });
    }
    return found;
  }
  const normalize = level === "exact" ? (line: string) => line : (line: string) => line.trimEnd();
  const wanted = segment.map(normalize);
  for (let position = 0; position <= last; position++) {
    let matches = true;
    for (let offset = 0; offset < wanted.length && matches; offset++) {
      matches = normalize(fileLines[position + offset]!) === wanted[offset];
    }
    if (matches) found.push({ position, indent: "" });
  }
  return found;
}

/** Returns the whitespace that turns `dedented` into `fileLine` (ignoring trailing whitespace), or undefined. */
function indentFor(fileLine: string, dedented: string): string | undefined {
  const trimmed = fileLine.trimEnd();
  if (!trimmed.endsWith(dedented)) return undefined;
  const indent = trimmed.slice(0, trimmed.length - dedented.length);
  return /^[ \t]*$/.test(indent) ? indent : undefined;
}

function matchesIndented(fileLines: string[], position: number, dedented: Array<string | undefined>, indent: string): boolean {
  for (let offset = 0; offset < dedented.length; offset++) {
    const fileLine = fileLines[position + offset]!;
    const wanted = dedented[offset];
    if (wanted === undefined ? !isBlank(fileLine) : fileLine.trimEnd() !== indent + wanted) return false;
  }
  return true;
}

export function isBlank(line: string): boolean {
  return line.trim() === "";
}

export function leadingWhitespaceWidth(line: string): number {
  return line.length - line.trimStart().length;
}

function minIndentWidth(lines: string[]): number {
  let min = Number.POSITIVE_INFINITY;
  for (const line of lines) {
    if (!isBlank(line)) min = Math.min(min, leadingWhitespaceWidth(line));
  }
  return Number.isFinite(min) ? min : 0;
}
