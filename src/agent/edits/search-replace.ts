/** One search/replace block from a model reply. An empty `search` creates the file. */
export interface SearchReplaceEdit {
  path: string;
  search: string;
  replace: string;
  /** 1-based position of the block in the reply, for error messages. */
  blockNumber: number;
}

export interface ParsedEdits {
  edits: SearchReplaceEdit[];
  errors: string[];
}

const SEARCH_MARKER = /^<{5,9} SEARCH\s*$/;
const DIVIDER = /^={5,9}\s*$/;
const REPLACE_MARKER = /^>{5,9} REPLACE\s*$/;

/**
 * Parses search/replace blocks: a line with the file path, then `<<<<<<< SEARCH`, the old text,
 * `=======`, the new text and `>>>>>>> REPLACE`. Code fences around blocks are ignored.
 */
export function parseSearchReplace(reply: string): ParsedEdits {
  const lines = reply.replace(/\r\n/g, "\n").split("\n");
  const edits: SearchReplaceEdit[] = [];
  const errors: string[] = [];
  let blockNumber = 0;
  for (let index = 0; index < lines.length; index++) {
    if (!SEARCH_MARKER.test(lines[index] as string)) continue;
    blockNumber++;
    const filePath = findPathAbove(lines, index);
    const divider = findLine(lines, index + 1, DIVIDER);
    const end = divider === -1 ? -1 : findLine(lines, divider + 1, REPLACE_MARKER);
    if (!filePath) {
      errors.push(`Block ${blockNumber}: expected the file path on the line before "<<<<<<< SEARCH".`);
    } else if (divider === -1 || end === -1) {
      errors.push(`Block ${blockNumber} (${filePath}): expected "=======" and then ">>>>>>> REPLACE" to close the block.`);
    } else {
      edits.push({
        path: filePath,
        search: lines.slice(index + 1, divider).join("\n"),
        replace: lines.slice(divider + 1, end).join("\n"),
        blockNumber,
      });
    }
    if (end !== -1) index = end;
  }
  return { edits, errors };
}

function findPathAbove(lines: string[], markerIndex: number): string | undefined {
  for (let index = markerIndex - 1; index >= 0; index--) {
    const line = (lines[index] as string).trim();
    if (line === "" || line.startsWith("```")) continue;
    return line.replace(/^[*`#\s]+|[*`:\s]+$/g, "") || undefined;
  }
  return undefined;
}

function findLine(lines: string[], from: number, pattern: RegExp): number {
  for (let index = from; index < lines.length; index++) {
    if (SEARCH_MARKER.test(lines[index] as string)) return -1;
    if (pattern.test(lines[index] as string)) return index;
  }
  return -1;
}
