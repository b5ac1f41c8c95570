import type { Edit, ParsedEdits, SearchReplaceEdit } from "./edit.js";

/** A parsed block, or the message for a block that could not be parsed. `next` is the line after the block. */
export interface BlockParse {
  edits: Edit[];
  error?: string;
  next: number;
}

const OPEN_MARKER = /^<{5,9} (SEARCH|WRITE|CREATE|DELETE|RENAME)\s*$/;
const DIVIDER = /^={5,9}\s*$/;
const CLOSE_MARKER = /^>{5,9} ([A-Z]+)\s*$/;

export function isMarkerBlockStart(line: string): boolean {
  return OPEN_MARKER.test(line);
}

/**
 * Parses the marker block that starts at `lines[index]`. Every block follows a line with the file
 * path:
 *
 * - `<<<<<<< SEARCH`, old lines, `=======`, new lines, `>>>>>>> REPLACE`
 * - `<<<<<<< WRITE` or `<<<<<<< CREATE`, the whole content, `>>>>>>> WRITE` or `>>>>>>> CREATE`
 * - `<<<<<<< DELETE`, optionally closed by `>>>>>>> DELETE`
 * - `<<<<<<< RENAME`, the new path, `>>>>>>> RENAME`
 *
 * `previousPath` is the path of the block before, which a block directly after it may reuse.
 */
export function parseMarkerBlock(lines: string[], index: number, blockNumber: number, previousPath: string | undefined): BlockParse {
  const kind = OPEN_MARKER.exec(lines[index]!)![1]!;
  const path = findPathAbove(lines, index, previousPath);
  const name = path ? `Block ${blockNumber} (${path})` : `Block ${blockNumber}`;
  if (!path) {
    const end = findClose(lines, index + 1, kind);
    return { edits: [], error: `${name}: expected the file path on the line before "<<<<<<< ${kind}".`, next: end === -1 ? index + 1 : end + 1 };
  }

  if (kind === "DELETE") {
    const after = nextNonBlank(lines, index + 1);
    const closed = after !== -1 && CLOSE_MARKER.exec(lines[after]!)?.[1] === "DELETE";
    return { edits: [{ kind: "delete", blockNumber, path }], next: closed ? after + 1 : index + 1 };
  }

  if (kind === "SEARCH") {
    const divider = findLine(lines, index + 1, DIVIDER);
    const end = divider === -1 ? -1 : findClose(lines, divider + 1, "REPLACE");
    if (divider === -1 || end === -1) {
      return { edits: [], error: `${name}: expected "=======" and then ">>>>>>> REPLACE" to close the block.`, next: index + 1 };
    }
    const search = joinLines(lines.slice(index + 1, divider));
    const replace = joinLines(lines.slice(divider + 1, end));
    return { edits: [{ kind: "search-replace", blockNumber, path, search, replace }], next: end + 1 };
  }

  const end = findClose(lines, index + 1, kind);
  if (end === -1) return { edits: [], error: `${name}: expected ">>>>>>> ${kind}" to close the block.`, next: index + 1 };
  const body = lines.slice(index + 1, end);
  if (kind === "RENAME") {
    const targets = body.map((line) => cleanPath(line)).filter((line) => line !== "");
    if (targets.length !== 1) {
      return { edits: [], error: `${name}: expected exactly one line with the new path between "<<<<<<< RENAME" and ">>>>>>> RENAME".`, next: end + 1 };
    }
    return { edits: [{ kind: "rename", blockNumber, path, newPath: targets[0]! }], next: end + 1 };
  }
  const content = joinLines(body);
  return { edits: [{ kind: kind === "WRITE" ? "write" : "create", blockNumber, path, content }], next: end + 1 };
}

/** Parses only the search/replace blocks of a reply; other marker blocks are skipped. */
export function parseSearchReplace(reply: string): ParsedEdits {
  const lines = reply.replace(/\r\n/g, "\n").split("\n");
  const edits: SearchReplaceEdit[] = [];
  const errors: string[] = [];
  let blockNumber = 0;
  let previousPath: string | undefined;
  for (let index = 0; index < lines.length; index++) {
    if (!isMarkerBlockStart(lines[index]!)) continue;
    const parsed = parseMarkerBlock(lines, index, ++blockNumber, previousPath);
    if (parsed.error) errors.push(parsed.error);
    for (const edit of parsed.edits) {
      previousPath = edit.path;
      if (edit.kind === "search-replace") edits.push(edit);
    }
    index = parsed.next - 1;
  }
  return { edits, errors };
}

/**
 * Finds the path on the nearest non-blank line above the marker, skipping code fences. A block
 * that directly follows another block's closing marker reuses that block's path.
 */
function findPathAbove(lines: string[], markerIndex: number, previousPath: string | undefined): string | undefined {
  for (let index = markerIndex - 1; index >= 0; index--) {
    const line = lines[index]!.trim();
    if (line === "" || line.startsWith("```")) continue;
    if (CLOSE_MARKER.test(line)) return previousPath;
    return cleanPath(line) || undefined;
  }
  return undefined;
}

/** Strips Markdown around a path: `**src/a.ts**`, `` `src/a.ts` ``, `### src/a.ts:` or `File: src/a.ts`. */
export function cleanPath(line: string): string {
  const quoted = /`([^`]+)`/.exec(line);
  const text = quoted ? quoted[1]! : line;
  return text
    .trim()
    .replace(/^(?:[*#>\s-]+)/, "")
    .replace(/^(?:file|path)\s*:\s*/i, "")
    .replace(/[*:\s]+$/, "")
    .trim();
}

/** Joins block lines as text in which every line ends with a newline, so blank last lines survive. */
function joinLines(lines: string[]): string {
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

function findLine(lines: string[], from: number, pattern: RegExp): number {
  for (let index = from; index < lines.length; index++) {
    if (OPEN_MARKER.test(lines[index]!)) return -1;
    if (pattern.test(lines[index]!)) return index;
  }
  return -1;
}

function findClose(lines: string[], from: number, kind: string): number {
  for (let index = from; index < lines.length; index++) {
    if (OPEN_MARKER.test(lines[index]!)) return -1;
    const close = CLOSE_MARKER.exec(lines[index]!);
    if (close && (close[1] === kind || close[1] === "END")) return index;
  }
  return -1;
}

function nextNonBlank(lines: string[], from: number): number {
  for (let index = from; index < lines.length; index++) {
    if (lines[index]!.trim() !== "") return index;
  }
  return -1;
}
