/**
 * Code in GitHub-flavoured markdown, whose text GitHub shows as written. Only fences indented by at most
 * three spaces at the start of a line count. A fence that is never closed runs to the end of the text.
 */

const BLANK_LINE = /\n[ \t]*\n/;
const FENCE_OPEN = / {0,3}(`{3,}|~{3,})([^\n]*)/y;

/** Returns the index after the fenced code block that starts on the line at `start`, or undefined. */
export function fencedBlockEnd(text: string, start: number): number | undefined {
  FENCE_OPEN.lastIndex = start;
  const match = FENCE_OPEN.exec(text);
  if (!match) return undefined;
  const fence = match[1] ?? "";
  if (fence.startsWith("`") && (match[2] ?? "").includes("`")) return undefined;
  const close = new RegExp(`^ {0,3}${fence[0] === "`" ? "`" : "~"}{${fence.length},}[ \\t]*$`, "gm");
  close.lastIndex = FENCE_OPEN.lastIndex;
  const closing = close.exec(text);
  return closing ? closing.index + closing[0].length : text.length;
}

/** Returns the index after the run of backticks at `start`. */
export function backtickRunEnd(text: string, start: number): number {
  let end = start;
  while (text[end] === "`") end += 1;
  return end;
}

/**
 * Returns the index after the code span that opens with the backtick run at `start`, or undefined when
 * no run of the same length closes it within the paragraph.
 */
export function codeSpanEnd(text: string, start: number): number | undefined {
  const openEnd = backtickRunEnd(text, start);
  const length = openEnd - start;
  let searchedTo = openEnd;
  let index = text.indexOf("`", openEnd);
  while (index >= 0) {
    // Only the text since the previous run is searched for a blank line, so a scan stays linear.
    if (BLANK_LINE.test(text.slice(Math.max(searchedTo - 1, openEnd), index + 1))) return undefined;
    const runEnd = backtickRunEnd(text, index);
    if (runEnd - index === length) return runEnd;
    searchedTo = runEnd;
    index = text.indexOf("`", runEnd);
  }
  return undefined;
}

export function isLineStart(text: string, index: number): boolean {
  return index === 0 || text[index - 1] === "\n";
}
