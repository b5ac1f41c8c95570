import { seededRandom } from "../test/helpers/seeded-random.js";
import { linesWithEnds, type HunkSample, type SampleLine } from "./edits-corpus.js";

/** A model-like edit of one file with a known right result. */
export interface BenchCase {
  id: string;
  fault: string;
  path: string;
  before: string;
  expected: string;
  /** The edit as a unified diff. */
  diff: string;
  /** The same edit as a search/replace block, for faults that block can express. */
  searchReplace?: string;
  /** Old-side lines the edit got right, split where it elides lines. The oracle places the edit by these. */
  anchor: string[][];
  /** 0-based line of `before` where the anchor's first segment belongs. */
  anchorStart: number;
}

/** A hunk on its way to becoming a case, which faults rewrite. */
interface Draft {
  before: string;
  expected: string;
  lines: Array<SampleLine & { invented?: boolean }>;
  header: string;
  anchorStart: number;
  /** The elision line index, when the draft skips lines. */
  elision?: number;
  searchReplace: boolean;
}

type Random = () => number;
type Fault = (draft: Draft, sample: HunkSample, random: Random) => Draft | undefined;

const ELISION_TEXT = "...";

/** Faults that models make, each turning a clean hunk into the edit a model might write. */
const FAULTS: Record<string, Fault> = {
  clean: (draft) => draft,
  "shifted-line-numbers": (draft, sample, random) => ({ ...draft, header: header(shift(sample.oldStart, random), sample.oldCount, shift(sample.newStart, random), sample.newCount), searchReplace: false }),
  "no-line-numbers": (draft) => ({ ...draft, header: "@@ @@", searchReplace: false }),
  "wrong-counts": (draft, sample) => ({ ...draft, header: header(sample.oldStart, sample.oldCount + 2, sample.newStart, Math.max(0, sample.newCount - 1)), searchReplace: false }),
  "stripped-indentation": (draft) => reindent(draft, -1),
  "changed-indentation": (draft) => reindent(draft, 2),
  "trailing-whitespace": trailingWhitespace,
  "missing-context": missingContext,
  "extra-context": extraContext,
  "invented-context": inventedContext,
  "elided-middle": elidedMiddle,
  "crlf-file": crlfFile,
  "duplicate-region": duplicateRegion,
  "shifted+stripped-indentation": (draft, sample, random) => chain(draft, sample, random, "shifted-line-numbers", "stripped-indentation"),
  "crlf+trailing-whitespace": (draft, sample, random) => chain(draft, sample, random, "crlf-file", "trailing-whitespace"),
  "no-line-numbers+missing-context": (draft, sample, random) => chain(draft, sample, random, "no-line-numbers", "missing-context"),
};

export const FAULT_NAMES = Object.keys(FAULTS);

/** Derives one case per applicable fault from a real hunk. */
export function casesFor(sample: HunkSample, seed: number): BenchCase[] {
  const cases: BenchCase[] = [];
  for (const [fault, apply] of Object.entries(FAULTS)) {
    const random = seededRandom(hash(`${seed}:${sample.id}:${fault}`));
    const draft = apply(baseDraft(sample), sample, random);
    if (!draft) continue;
    cases.push(toCase(`${sample.id} ${fault}`, fault, sample.path, draft));
  }
  return cases;
}

function baseDraft(sample: HunkSample): Draft {
  return {
    before: sample.before,
    expected: sample.expected,
    lines: sample.lines.map((line) => ({ ...line })),
    header: header(sample.oldStart, sample.oldCount, sample.newStart, sample.newCount),
    anchorStart: sample.oldCount === 0 ? sample.oldStart : sample.oldStart - 1,
    searchReplace: true,
  };
}

function chain(draft: Draft, sample: HunkSample, random: Random, ...faults: string[]): Draft | undefined {
  let current: Draft | undefined = draft;
  for (const fault of faults) current = current && FAULTS[fault]!(current, sample, random);
  return current;
}

function header(oldStart: number, oldCount: number, newStart: number, newCount: number): string {
  return `@@ -${oldStart},${oldCount} +${newStart},${newCount} @@`;
}

function shift(start: number, random: Random): number {
  const distance = 5 + Math.floor(random() * 56);
  return random() < 0.5 && start - distance >= 1 ? start - distance : start + distance;
}

/** Removes the hunk's common indentation (`columns` < 0) or adds `columns` spaces to every line. */
function reindent(draft: Draft, columns: number): Draft | undefined {
  const nonBlank = draft.lines.filter((line) => line.text.trim() !== "");
  if (nonBlank.length === 0) return undefined;
  const common = Math.min(...nonBlank.map((line) => line.text.length - line.text.trimStart().length));
  if (columns < 0 && common === 0) return undefined;
  const change = (text: string) => {
    if (text.trim() === "") return text;
    return columns < 0 ? text.slice(common) : " ".repeat(columns) + text;
  };
  return { ...draft, lines: draft.lines.map((line) => ({ ...line, text: change(line.text) })) };
}

/**
 * Strips trailing whitespace from old lines and adds a space to some context lines. Added lines stay
 * as they are, and so does a removed line whose stripped text an added line repeats, because then
 * the whitespace is the change itself.
 */
function trailingWhitespace(draft: Draft, _sample: HunkSample, random: Random): Draft | undefined {
  const added = new Set(draft.lines.filter((line) => line.kind === "+").map((line) => line.text));
  let changed = false;
  const lines = draft.lines.map((line) => {
    if (line.kind === "+") return line;
    const stripped = line.text.trimEnd();
    if (stripped !== line.text && !(line.kind === "-" && added.has(stripped))) {
      changed = true;
      return { ...line, text: stripped };
    }
    if (line.kind === "-" || stripped !== line.text || random() < 0.5) return line;
    changed = true;
    return { ...line, text: `${line.text} ` };
  });
  return changed ? { ...draft, lines } : undefined;
}

function missingContext(draft: Draft, _sample: HunkSample, random: Random): Draft | undefined {
  const leading = edgeContext(draft.lines);
  const trailing = edgeContext([...draft.lines].reverse());
  const choices: Array<[number, number]> = [];
  if (leading > 0) choices.push([leading, 0]);
  if (trailing > 0) choices.push([0, trailing]);
  if (leading > 1 && trailing > 1) choices.push([leading - 1, trailing - 1]);
  const choice = choices[Math.floor(random() * choices.length)];
  if (!choice) return undefined;
  const lines = draft.lines.slice(choice[0], draft.lines.length - choice[1]);
  const oldSide = lines.filter((line) => line.kind !== "+");
  if (!oldSide.some((line) => line.text.trim() !== "")) return undefined;
  if (!lines.some((line) => line.kind === "-") && !lines.some((line) => line.kind === " ")) return undefined;
  if (lines.some((line) => line.noNewline) !== draft.lines.some((line) => line.noNewline)) return undefined;
  return { ...draft, lines, anchorStart: draft.anchorStart + choice[0] };
}

const EXTRA_CONTEXT_LINES = 3;

function extraContext(draft: Draft): Draft | undefined {
  const fileLines = plainLines(draft.before);
  const oldCount = draft.lines.filter((line) => line.kind !== "+").length;
  const above = Math.min(EXTRA_CONTEXT_LINES, draft.anchorStart);
  const belowStart = draft.anchorStart + oldCount;
  const below = Math.min(EXTRA_CONTEXT_LINES, fileLines.length - belowStart);
  if (above + below === 0 || draft.lines.some((line) => line.noNewline)) return undefined;
  const context = (text: string): SampleLine => ({ kind: " ", text });
  return {
    ...draft,
    lines: [...fileLines.slice(draft.anchorStart - above, draft.anchorStart).map(context), ...draft.lines, ...fileLines.slice(belowStart, belowStart + below).map(context)],
    anchorStart: draft.anchorStart - above,
  };
}

/** Adds a context line at the top that the file does not have there, as a model misremembering it would. */
function inventedContext(draft: Draft): Draft | undefined {
  const first = draft.lines[0];
  if (!first || first.text.trim() === "") return undefined;
  const indent = first.text.slice(0, first.text.length - first.text.trimStart().length);
  const invented = `${indent}// ${first.text.trim().slice(0, 40)} (unchanged)`;
  return { ...draft, lines: [{ kind: " ", text: invented, invented: true }, ...draft.lines] };
}

/** Quotes one line above the hunk, then `...` for the lines between, as models shorten long context. */
function elidedMiddle(draft: Draft, _sample: HunkSample, random: Random): Draft | undefined {
  const fileLines = plainLines(draft.before);
  const gap = 3 + Math.floor(random() * 10);
  let top = draft.anchorStart - gap - 1;
  while (top >= 0 && fileLines[top]!.trim() === "") top--;
  if (top < 0 || draft.anchorStart - top < 3) return undefined;
  const next = draft.lines.find((line) => line.text.trim() !== "")?.text ?? "";
  const indent = next.slice(0, next.length - next.trimStart().length);
  return {
    ...draft,
    lines: [{ kind: " ", text: fileLines[top]! }, { kind: " ", text: `${indent}${ELISION_TEXT}` }, ...draft.lines],
    anchorStart: top,
    elision: 1,
  };
}

function crlfFile(draft: Draft): Draft | undefined {
  if (draft.before.includes("\r") || draft.expected.includes("\r")) return undefined;
  const toCrlf = (text: string) => text.replace(/\n/g, "\r\n");
  return { ...draft, before: toCrlf(draft.before), expected: toCrlf(draft.expected) };
}

/** Appends a copy of the hunk's old lines to the file, so the edit matches in two places. */
function duplicateRegion(draft: Draft): Draft | undefined {
  const oldSide = draft.lines.filter((line) => line.kind !== "+").map((line) => line.text);
  if (!draft.before.endsWith("\n") || draft.lines.some((line) => line.noNewline) || !oldSide.some((line) => line.trim() !== "")) return undefined;
  const copy = `\n${oldSide.join("\n")}\n`;
  return { ...draft, before: draft.before + copy, expected: draft.expected + copy };
}

function toCase(id: string, fault: string, path: string, draft: Draft): BenchCase {
  const anchor: string[][] = [[]];
  draft.lines.forEach((line, index) => {
    if (index === draft.elision) anchor.push([]);
    else if (line.kind !== "+" && !line.invented) anchor.at(-1)!.push(line.text);
  });
  return {
    id,
    fault,
    path,
    before: draft.before,
    expected: draft.expected,
    diff: renderDiff(path, draft),
    searchReplace: draft.searchReplace ? renderSearchReplace(path, draft) : undefined,
    anchor,
    anchorStart: draft.anchorStart,
  };
}

function renderDiff(path: string, draft: Draft): string {
  const out = [`--- a/${path}`, `+++ b/${path}`, draft.header];
  for (const line of draft.lines) {
    out.push(`${line.kind}${line.text}`);
    if (line.noNewline) out.push("\\ No newline at end of file");
  }
  return `${out.join("\n")}\n`;
}

const MARKER_LIKE = /^(?:<{5,9}|={5,9}|>{5,9})(?:\s|$)/;

/** Returns the search/replace block, or undefined when that format cannot express the same edit. */
function renderSearchReplace(path: string, draft: Draft): string | undefined {
  if (draft.lines.some((line) => line.noNewline || line.invented || MARKER_LIKE.test(line.text))) return undefined;
  const search = draft.lines.filter((line) => line.kind !== "+").map((line) => line.text);
  const replace = draft.lines.filter((line) => line.kind !== "-").map((line) => line.text);
  if (!search.some((line) => line.trim() !== "")) return undefined;
  // An empty part is written as no line at all; a blank line there would mean one empty line.
  const part = (lines: string[]) => (lines.length > 0 ? `${lines.join("\n")}\n` : "");
  return `${path}\n<<<<<<< SEARCH\n${part(search)}=======\n${part(replace)}>>>>>>> REPLACE\n`;
}

function edgeContext(lines: SampleLine[]): number {
  let count = 0;
  while (count < lines.length && lines[count]!.kind === " ") count++;
  return count;
}

/** File lines without terminators, BOM or CR. */
export function plainLines(text: string): string[] {
  return linesWithEnds(text.replace(/^\uFEFF/, "")).map((line) => line.replace(/\r?\n$/, ""));
}


function hash(text: string): number {
  let value = 2_166_136_261;
  for (let index = 0; index < text.length; index++) value = Math.imul(value ^ text.charCodeAt(index), 16_777_619);
  return value >>> 0;
}
