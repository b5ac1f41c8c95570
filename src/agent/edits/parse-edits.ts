import type { Edit, ParsedEdits } from "./edit.js";
import { isMarkerBlockStart, parseMarkerBlock } from "./search-replace.js";
import { isDiffStart, isHunkHeader, parseFileDiff } from "./unified-diff.js";

/**
 * Parses every edit in a model reply: search/replace, WRITE, CREATE, DELETE and RENAME blocks, and
 * unified diffs (one block per file). Blocks are numbered in reply order, and prose and code
 * fences around them are ignored.
 */
export function parseEdits(reply: string): ParsedEdits {
  const lines = reply.replace(/\r\n/g, "\n").split("\n");
  const edits: Edit[] = [];
  const errors: string[] = [];
  let blockNumber = 0;
  let previousPath: string | undefined;
  let index = 0;
  while (index < lines.length) {
    const line = lines[index]!;
    if (isMarkerBlockStart(line)) {
      const parsed = parseMarkerBlock(lines, index, ++blockNumber, previousPath);
      record(parsed.edits, parsed.error);
      index = parsed.next;
    } else if (isDiffStart(lines, index)) {
      const parsed = parseFileDiff(lines, index, ++blockNumber);
      record(parsed.edits, parsed.error);
      index = Math.max(parsed.next, index + 1);
    } else if (isHunkHeader(line)) {
      blockNumber++;
      errors.push(`Block ${blockNumber}: the hunk "${line.trim()}" has no file header; expected "--- a/path" and "+++ b/path" lines before it.`);
      index = skipHunkLines(lines, index + 1);
    } else {
      index++;
    }
  }
  return { edits, errors };

  function record(parsedEdits: Edit[], error: string | undefined): void {
    if (error) errors.push(error);
    edits.push(...parsedEdits);
    previousPath = parsedEdits.at(-1)?.path ?? previousPath;
  }
}

function skipHunkLines(lines: string[], index: number): number {
  while (index < lines.length && /^[ +-]/.test(lines[index]!) && !isDiffStart(lines, index)) index++;
  return index;
}
