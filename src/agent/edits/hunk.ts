import { describeClosestLines } from "./closest-lines.js";
import { fail, type EditResult } from "./edit.js";
import { findPlacements, isBlank, leadingWhitespaceWidth, MATCH_LEVELS, type MatchLevel, type Placement } from "./match.js";
import { commonEol, type TextDocument } from "./text-document.js";

/** One step of an edit in a common form for search/replace blocks and diff hunks. */
export type HunkOp = { kind: "context" | "remove" | "add"; text: string } | { kind: "elision" };

/** An edit to one place in a file, in the form the applier matches and rewrites. */
export interface EditHunk {
  ops: HunkOp[];
  /** Name of this hunk in messages, such as "the SEARCH text" or "hunk 2 (@@ -4,6 +4,7 @@)". */
  label: string;
  /** Diff hunks may drop context lines at their edges when the full context is not in the file. */
  trimmableContext: boolean;
  /**
   * Added lines are marked by the model (diffs) rather than inferred (search/replace). Inferred
   * added lines lose trailing whitespace once a match has numbered that the model's whitespace differs
   * from the file's.
   */
  explicitChanges: boolean;
  oldNoNewlineAtEnd: boolean;
  newNoNewlineAtEnd: boolean;
}

/** A line such as `...`, `// ...`, `# ... existing code ...` or `/* ... *\/` that stands for skipped lines. */
const ELISION = /^(?:(?:\/\/|#|--|;|\/\*|<!--|\*)\s*)?(?:\.\.\.|…)(?:[\w\s,'-]{0,60}(?:\.\.\.|…))?\s*(?:\*\/|-->)?$/;

export function isElisionLine(line: string): boolean {
  return ELISION.test(line.trim());
}

/** How many candidate places an ambiguity message lists. */
const AMBIGUITY_LIST_LIMIT = 6;

interface Located {
  placement: Placement;
  ops: HunkOp[];
}

type LocateOutcome = { kind: "found"; located: Located } | { kind: "ambiguous"; message: string } | { kind: "not-found" };

/**
 * Applies hunks that were all written against the same version of a file. Each hunk is placed in
 * the original text, must match in exactly one place, and must not overlap another hunk.
 */
export function applyHunks(document: TextDocument, hunks: EditHunk[]): EditResult<TextDocument> {
  const claimed: Array<{ start: number; end: number }> = [];
  const located: Array<{ hunk: EditHunk; found: Located }> = [];
  for (const hunk of hunks) {
    const isFree = (start: number, end: number) => claimed.every((range) => end <= range.start || start >= range.end);
    const outcome = locateHunk(document.lines, hunk, isFree);
    if (outcome.kind === "ambiguous") return fail("ambiguous", outcome.message);
    if (outcome.kind === "not-found") {
      const overlap = hunks.length > 1 && locateHunk(document.lines, hunk, () => true).kind !== "not-found";
      if (overlap) return fail("overlapping-hunks", `${hunk.label} only matches lines that another hunk of the same diff already changes.`);
      const pattern = oldSide(hunk.ops);
      return fail("not-found", `${hunk.label} was not found in the file, not even ignoring trailing whitespace and indentation.\n${describeClosestLines(document.lines, pattern)}`);
    }
    claimed.push({ start: outcome.located.placement.start, end: outcome.located.placement.end });
    located.push({ hunk, found: outcome.located });
  }

  const lines = [...document.lines];
  const eols = [...document.eols];
  let endState: { hunk: EditHunk } | undefined;
  const fallbackEol = commonEol(document.eols);
  for (const { hunk, found } of [...located].sort((a, b) => b.found.placement.start - a.found.placement.start)) {
    const replacement = buildReplacement(document, found, hunk.explicitChanges, fallbackEol);
    lines.splice(found.placement.start, found.placement.end - found.placement.start, ...replacement.lines);
    eols.splice(found.placement.start, found.placement.end - found.placement.start, ...replacement.eols);
    if (found.placement.end === document.lines.length) endState = { hunk };
  }
  fixLineEnds(eols, document, endState?.hunk, fallbackEol);
  return { ok: true, value: { bom: document.bom, lines, eols } };
}

/** Tries each way of reading the hunk, strictest first, and stops at the first that matches anything. */
function locateHunk(fileLines: string[], hunk: EditHunk, isFree: (start: number, end: number) => boolean): LocateOutcome {
  for (const ops of readings(hunk.ops)) {
    const outcome = locateOps(fileLines, ops, isFree, hunk.label, "");
    if (outcome.kind !== "not-found") return outcome;
  }
  if (!hunk.trimmableContext) return { kind: "not-found" };
  return locateTrimmed(fileLines, hunk, isFree);
}

/** Returns the literal hunk, then the hunk with elision lines standing for skipped file lines. */
function readings(ops: HunkOp[]): HunkOp[][] {
  const elided = elideOps(ops);
  return elided ? [ops, elided] : [ops];
}

function locateOps(fileLines: string[], ops: HunkOp[], isFree: (start: number, end: number) => boolean, label: string, note: string): LocateOutcome {
  const segments = patternSegments(ops);
  if (!segments.some((segment) => segment.some((line) => !isBlank(line)))) return { kind: "not-found" };
  for (const level of MATCH_LEVELS) {
    const placements = findPlacements(fileLines, { segments, level, isFree });
    if (placements.length === 1) return { kind: "found", located: { placement: placements[0]!, ops } };
    if (placements.length > 1) {
      const listed = findPlacements(fileLines, { segments, level, isFree, limit: AMBIGUITY_LIST_LIMIT });
      return { kind: "ambiguous", message: describeAmbiguity(label, listed, level, note) };
    }
  }
  return { kind: "not-found" };
}

/**
 * Drops context lines from the edges of a diff hunk, fewest first, for context the model invented or
 * that changed since. The removed lines and at least one non-blank line must still match, and the
 * result must still be unique.
 */
function locateTrimmed(fileLines: string[], hunk: EditHunk, isFree: (start: number, end: number) => boolean): LocateOutcome {
  const leading = countEdgeContext(hunk.ops);
  const trailing = countEdgeContext([...hunk.ops].reverse());
  const changes = hunk.ops.filter((op) => op.kind !== "context" && op.kind !== "elision");
  if (changes.length === 0) return { kind: "not-found" };
  const hasRemovals = changes.some((op) => op.kind === "remove");

  for (let dropped = 1; dropped <= leading + trailing; dropped++) {
    const found: LocateOutcome[] = [];
    for (let fromStart = Math.max(0, dropped - trailing); fromStart <= Math.min(dropped, leading); fromStart++) {
      const ops = hunk.ops.slice(fromStart, hunk.ops.length - (dropped - fromStart));
      // An insertion with no context left has nothing to place it by.
      if (!hasRemovals && !ops.some((op) => op.kind === "context")) continue;
      const note = ` after dropping ${dropped === 1 ? "1 context line that is" : `${dropped} context lines that are`} not in the file`;
      for (const reading of readings(ops)) {
        const outcome = locateOps(fileLines, reading, isFree, hunk.label, note);
        if (outcome.kind !== "not-found") {
          found.push(outcome);
          break;
        }
      }
    }
    const ambiguous = found.find((outcome) => outcome.kind === "ambiguous");
    if (ambiguous) return ambiguous;
    const starts = new Set(found.map((outcome) => (outcome.kind === "found" ? changeStart(outcome.located) : -1)));
    if (starts.size === 1) return found[0]!;
    if (starts.size > 1) {
      return { kind: "ambiguous", message: `${hunk.label} does not match as written, and with fewer context lines it matches ${starts.size} places; include the exact lines around the change.` };
    }
  }
  return { kind: "not-found" };
}

/** Returns the file line of a placed hunk's first change. Two trimmings that agree on it make the same edit. */
function changeStart(located: Located): number {
  let line = located.placement.start;
  for (const op of located.ops) {
    if (op.kind !== "context") break;
    line++;
  }
  return line;
}

function countEdgeContext(ops: HunkOp[]): number {
  let count = 0;
  while (count < ops.length && ops[count]!.kind === "context") count++;
  return count;
}

const LEVEL_NOTES: Record<MatchLevel, string> = {
  exact: "",
  "trailing-whitespace": " (ignoring trailing whitespace)",
  "relative-indentation": " (ignoring indentation)",
};

function describeAmbiguity(label: string, placements: Placement[], level: MatchLevel, note: string): string {
  const spans = [...new Set(placements.map((placement) => (placement.end - placement.start > 1 ? `${placement.start + 1}-${placement.end}` : `${placement.start + 1}`)))];
  const how = LEVEL_NOTES[level];
  const capped = placements.length >= AMBIGUITY_LIST_LIMIT;
  let count = `${spans.length} places`;
  if (spans.length === 1) count = "in more than one way";
  else if (capped) count = `${spans.length} or more places`;
  const listed = `${spans.join(", ")}${capped ? " and more" : ""}`;
  return `${label} matches ${count}${how}${note}, at lines ${listed}; include more surrounding lines so that it matches only one place.`;
}

/** Old-side lines of a hunk split at elisions. */
function patternSegments(ops: HunkOp[]): string[][] {
  const segments: string[][] = [[]];
  for (const op of ops) {
    if (op.kind === "elision") segments.push([]);
    else if (op.kind !== "add") segments.at(-1)!.push(op.text);
  }
  return segments;
}

function oldSide(ops: HunkOp[]): string[] {
  return ops.flatMap((op) => (op.kind === "context" || op.kind === "remove" ? [op.text] : []));
}

/**
 * Turns context lines that are elision markers into elisions, dropping them at the edges where they
 * mean nothing. Returns undefined when the hunk has none.
 */
function elideOps(ops: HunkOp[]): HunkOp[] | undefined {
  const result: HunkOp[] = [];
  let changed = false;
  for (const op of ops) {
    const elision = op.kind === "context" && isElisionLine(op.text);
    if (!elision) {
      result.push(op);
      continue;
    }
    changed = true;
    if (result.length > 0 && result.at(-1)!.kind !== "elision") result.push({ kind: "elision" });
  }
  while (result.at(-1)?.kind === "elision") result.pop();
  return changed ? result : undefined;
}

/**
 * Builds the new lines for a placed hunk. Context lines and elided gaps are copied from the file
 * unchanged, so their whitespace and terminators survive. Added lines get the file's indentation at
 * the relative level and the terminator most common in the matched lines.
 */
function buildReplacement(document: TextDocument, found: Located, explicitChanges: boolean, fallbackEol: string): { lines: string[]; eols: string[] } {
  const { placement, ops } = found;
  const eol = commonEol(document.eols, placement.start, placement.end, fallbackEol);
  const lines: string[] = [];
  const eols: string[] = [];
  let cursor = placement.start;
  let segment = 0;
  for (const op of ops) {
    if (op.kind === "elision") {
      segment++;
      const next = placement.segmentStarts[segment]!;
      for (; cursor < next; cursor++) {
        lines.push(document.lines[cursor]!);
        eols.push(document.eols[cursor]!);
      }
    } else if (op.kind === "context") {
      lines.push(document.lines[cursor]!);
      eols.push(document.eols[cursor]!);
      cursor++;
    } else if (op.kind === "remove") {
      cursor++;
    } else {
      const text = placement.level === "exact" || explicitChanges ? op.text : op.text.trimEnd();
      lines.push(placement.level === "relative-indentation" ? reindent(text, placement) : text);
      eols.push(eol);
    }
  }
  return { lines, eols };
}

/**
 * Shifts an added line by the same amount as the matched lines: `removedIndentWidth` columns of the
 * model's indentation stand for `indent` in the file. A line indented less than that keeps its
 * distance, so a dedented line after an indented block stays dedented.
 */
function reindent(line: string, placement: Placement): string {
  if (isBlank(line)) return "";
  const width = leadingWhitespaceWidth(line);
  if (width >= placement.removedIndentWidth) return placement.indent + line.slice(placement.removedIndentWidth);
  const target = Math.max(0, placement.indent.length - (placement.removedIndentWidth - width));
  return placement.indent.slice(0, target) + line.slice(width);
}

/**
 * Gives every line but the last a terminator, and decides whether the last line ends with one. The
 * diff's `\ No newline at end of file` markers decide when present, otherwise the file stays as it was.
 */
function fixLineEnds(eols: string[], original: TextDocument, lastHunk: EditHunk | undefined, eol: string): void {
  for (let index = 0; index < eols.length - 1; index++) {
    if (eols[index] === "") eols[index] = eol;
  }
  if (eols.length === 0 || !lastHunk) return;
  const hadNewline = original.eols.at(-1) !== "";
  let wantsNewline = hadNewline;
  if (lastHunk.newNoNewlineAtEnd) wantsNewline = false;
  else if (lastHunk.oldNoNewlineAtEnd) wantsNewline = true;
  const last = eols.length - 1;
  if (!wantsNewline) eols[last] = "";
  else if (eols[last] === "") eols[last] = eol;
}
