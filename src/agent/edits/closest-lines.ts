import { diffArrays } from "diff";

const MAX_SHOWN_LINES = 12;
const MAX_DIFF_LINES = 16;
/** Lines such as `}` occur everywhere, so positions past this count add noise, not evidence. */
const MAX_POSITIONS_PER_LINE = 64;

/**
 * Describes the part of the file that looks most like `pattern`: its line numbers, its text and a
 * short diff, so that a model can copy the right lines on its next try. Pure.
 */
export function describeClosestLines(fileLines: string[], pattern: string[]): string {
  if (fileLines.length === 0) return "The file is empty.";
  const start = findClosestStart(fileLines, pattern);
  if (start === undefined) return "No line of it occurs in the file, even ignoring indentation.";

  const end = Math.min(fileLines.length, start + Math.max(1, pattern.length));
  const window = fileLines.slice(start, end);
  const numberWidth = String(end).length;
  const numbered = window.slice(0, MAX_SHOWN_LINES).map((line, offset) => `${String(start + offset + 1).padStart(numberWidth)} | ${line}`);
  if (window.length > MAX_SHOWN_LINES) numbered.push(`${" ".repeat(numberWidth)} | … ${window.length - MAX_SHOWN_LINES} more lines`);

  const parts = [`The closest lines in the file are ${start + 1}-${end}:`, ...numbered, "How your text differs from them (- file, + yours):"];
  parts.push(...shortDiff(window, pattern));
  return parts.join("\n");
}

/** Votes for the start line that lines up the most text of `pattern` with equal lines of the file. */
function findClosestStart(fileLines: string[], pattern: string[]): number | undefined {
  const positions = new Map<string, number[]>();
  fileLines.forEach((line, index) => {
    const key = line.trim();
    if (key === "") return;
    const list = positions.get(key);
    if (!list) positions.set(key, [index]);
    else if (list.length < MAX_POSITIONS_PER_LINE) list.push(index);
  });

  const votes = new Map<number, number>();
  pattern.forEach((line, offset) => {
    const key = line.trim();
    for (const position of positions.get(key) ?? []) {
      const start = Math.max(0, position - offset);
      votes.set(start, (votes.get(start) ?? 0) + key.length);
    }
  });

  let best: number | undefined;
  let bestScore = 0;
  for (const [start, score] of votes) {
    if (score > bestScore || (score === bestScore && best !== undefined && start < best)) {
      best = start;
      bestScore = score;
    }
  }
  return best;
}

function shortDiff(fileWindow: string[], pattern: string[]): string[] {
  const out: string[] = [];
  for (const change of diffArrays(fileWindow, pattern)) {
    let prefix = "  ";
    if (change.added) prefix = "+ ";
    else if (change.removed) prefix = "- ";
    for (const line of change.value) out.push(`${prefix}${showTrailingWhitespace(line)}`);
  }
  const fileTrimmed = fileWindow.map((line) => line.trim());
  const patternTrimmed = pattern.map((line) => line.trim());
  const whitespaceOnly = fileTrimmed.length === patternTrimmed.length && fileTrimmed.every((line, index) => line === patternTrimmed[index]);
  const clipped = out.length > MAX_DIFF_LINES ? [...out.slice(0, MAX_DIFF_LINES), `… ${out.length - MAX_DIFF_LINES} more diff lines`] : out;
  if (whitespaceOnly) clipped.push("The lines differ only in whitespace, so copy the indentation exactly as the file has it.");
  return clipped;
}

/** Makes trailing spaces and tabs visible, since they are often the only difference. */
function showTrailingWhitespace(line: string): string {
  const trimmed = line.trimEnd();
  if (trimmed.length === line.length) return line;
  return trimmed + line.slice(trimmed.length).replace(/ /g, "·").replace(/\t/g, "→");
}
