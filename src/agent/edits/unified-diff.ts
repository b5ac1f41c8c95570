import type { DiffHunk, DiffLine, Edit } from "./edit.js";
import { isElisionLine } from "./hunk.js";
import type { BlockParse } from "./search-replace.js";

const HUNK_HEADER = /^@@(?: -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))?)?(?:[^@]*@@|\s*$)/;
const GIT_HEADER = /^diff --git /;
const NO_NEWLINE = /^\\ /;
const DEV_NULL = "/dev/null";

/** True when a unified diff for one file starts at `lines[index]`. */
export function isDiffStart(lines: string[], index: number): boolean {
  const line = lines[index]!;
  if (GIT_HEADER.test(line)) return true;
  return line.startsWith("--- ") && (lines[index + 1] ?? "").startsWith("+++ ");
}

export function isHunkHeader(line: string): boolean {
  return HUNK_HEADER.test(line);
}

/**
 * Parses the diff of one file: optional `diff --git` and extended header lines (new, deleted, mode,
 * rename), the `---`/`+++` lines and the hunks. Line numbers and counts in `@@` headers may be wrong
 * or missing: hunks end where the lines stop looking like hunk lines.
 */
export function parseFileDiff(lines: string[], index: number, blockNumber: number): BlockParse {
  const header = readHeader(lines, index);
  index = header.next;
  const hunks: DiffHunk[] = [];
  const name = `Block ${blockNumber} (${header.newPath ?? header.oldPath ?? "unknown file"})`;
  while (index < lines.length && HUNK_HEADER.test(lines[index]!)) {
    const read = readHunk(lines, index);
    if ("error" in read) return { edits: [], error: `${name}: hunk ${hunks.length + 1} ${read.error}`, next: read.next };
    hunks.push(read.hunk);
    index = read.next;
  }
  if (header.error) return { edits: [], error: `${name}: ${header.error}`, next: index };
  return { ...toEdits(header, hunks, blockNumber, name), next: index };
}

interface DiffHeader {
  oldPath?: string;
  newPath?: string;
  created: boolean;
  deleted: boolean;
  executable: boolean;
  renameFrom?: string;
  renameTo?: string;
  error?: string;
  next: number;
}

function readHeader(lines: string[], index: number): DiffHeader {
  const header: DiffHeader = { created: false, deleted: false, executable: false, next: index };
  const git = GIT_HEADER.test(lines[index]!) ? /^diff --git (?:a\/)?(\S+) (?:b\/)?(\S+)/.exec(lines[index]!) : null;
  if (git) {
    header.oldPath = git[1];
    header.newPath = git[2];
    index++;
  }
  for (; index < lines.length; index++) {
    const line = lines[index]!;
    let match: RegExpExecArray | null;
    if ((match = /^new file mode (\d+)/.exec(line))) {
      header.created = true;
      header.executable = match[1] === "100755";
    } else if (/^deleted file mode /.test(line)) header.deleted = true;
    else if ((match = /^rename from (.+)$/.exec(line))) header.renameFrom = unquote(match[1]!);
    else if ((match = /^rename to (.+)$/.exec(line))) header.renameTo = unquote(match[1]!);
    else if (/^(?:index |old mode |new mode |similarity index |dissimilarity index |copy from |copy to )/.test(line)) continue;
    else break;
  }
  if ((lines[index] ?? "").startsWith("--- ") && (lines[index + 1] ?? "").startsWith("+++ ")) {
    const oldPath = diffPath(lines[index]!.slice(4));
    const newPath = diffPath(lines[index + 1]!.slice(4));
    const gitStyle = (oldPath === DEV_NULL || oldPath.startsWith("a/")) && (newPath === DEV_NULL || newPath.startsWith("b/"));
    header.oldPath = headerPath(oldPath, gitStyle);
    header.newPath = headerPath(newPath, gitStyle);
    if (oldPath === DEV_NULL) header.created = true;
    if (newPath === DEV_NULL) header.deleted = true;
    index += 2;
  } else if (!git) {
    header.error = 'expected "--- old path" and "+++ new path" lines before the hunks.';
  }
  header.next = index;
  return header;
}

/** Returns the path of a `---` or `+++` line without git's `a/` or `b/` prefix, or undefined for /dev/null. */
function headerPath(text: string, gitStyle: boolean): string | undefined {
  if (text === DEV_NULL) return undefined;
  return gitStyle ? text.slice(2) : text;
}

/** Removes a timestamp after a tab and the quotes git puts around unusual paths. */
function diffPath(text: string): string {
  return unquote(text.split("\t")[0]!.trim());
}

function unquote(text: string): string {
  return text.length >= 2 && text.startsWith('"') && text.endsWith('"') ? text.slice(1, -1) : text;
}

function toEdits(header: DiffHeader, hunks: DiffHunk[], blockNumber: number, name: string): { edits: Edit[]; error?: string } {
  if (header.created) {
    if (!header.newPath) return { edits: [], error: `${name}: expected the new file's path after "+++".` };
    if (hunks.some((hunk) => hunk.lines.some((line) => line.kind !== "+"))) {
      return { edits: [], error: `${name}: a diff that creates a file may only contain added lines.` };
    }
    const lines = hunks.flatMap((hunk) => hunk.lines.map((line) => line.text));
    const noNewline = hunks.at(-1)?.newNoNewlineAtEnd ?? false;
    const content = lines.length === 0 ? "" : lines.join("\n") + (noNewline ? "" : "\n");
    return { edits: [{ kind: "create", blockNumber, path: header.newPath, content, executable: header.executable }] };
  }
  if (header.deleted) {
    if (!header.oldPath) return { edits: [], error: `${name}: expected the deleted file's path after "---".` };
    return { edits: [{ kind: "delete", blockNumber, path: header.oldPath }] };
  }

  const edits: Edit[] = [];
  const from = header.renameFrom ?? header.oldPath;
  const to = header.renameTo ?? header.newPath ?? from;
  if (!from || !to) return { edits: [], error: `${name}: expected the file path after "---" and "+++".` };
  if (from !== to) edits.push({ kind: "rename", blockNumber, path: from, newPath: to });
  if (hunks.length > 0) edits.push({ kind: "diff", blockNumber, path: to, hunks });
  if (edits.length === 0) return { edits: [], error: `${name}: expected at least one hunk starting with "@@".` };
  return { edits };
}

type HunkRead = { hunk: DiffHunk; next: number } | { error: string; next: number };

function readHunk(lines: string[], index: number): HunkRead {
  const headerLine = lines[index]!;
  const numbers = HUNK_HEADER.exec(headerLine)!;
  const oldCount = numbers[1] === undefined ? undefined : Number(numbers[2] ?? 1);
  const newCount = numbers[3] === undefined ? undefined : Number(numbers[4] ?? 1);
  const body: DiffLine[] = [];
  let oldNoNewlineAtEnd = false;
  let newNoNewlineAtEnd = false;
  let blankRun = 0;
  let next = index + 1;

  for (; next < lines.length; next++) {
    const line = lines[next]!;
    if (endsHunk(lines, next)) break;
    if (line === "") {
      blankRun++;
      body.push({ kind: " ", text: "" });
      continue;
    }
    const kind = line[0];
    if (kind === " " || kind === "-" || kind === "+") {
      blankRun = 0;
      body.push({ kind, text: line.slice(1) });
    } else if (NO_NEWLINE.test(line)) {
      const previous = body.at(-1)?.kind;
      if (previous !== "+") oldNoNewlineAtEnd = true;
      if (previous !== "-") newNoNewlineAtEnd = true;
    } else if (isElisionLine(line)) {
      blankRun = 0;
      body.push({ kind: " ", text: line });
    } else if (!countsReached(body, oldCount, newCount) && /^[ +-]/.test(lines[next + 1] ?? "") && !endsHunk(lines, next + 1)) {
      // The header promises more lines and hunk lines follow, so this is a context line that lost
      // its leading space. Applying the hunk up to here would drop part of the edit.
      return { error: `(${headerLine.trim()}) has a line without a " ", "-" or "+" prefix: ${JSON.stringify(line)}. Start context lines with a space.`, next: next + 1 };
    } else {
      break;
    }
  }

  // Empty lines after the hunk usually separate it from prose, but a model may also drop the space
  // of a blank context line. Keep them only when the header counts say they belong to the hunk.
  let keep = blankRun;
  while (keep > 0 && !countsMatch(body.slice(0, body.length - blankRun + keep), oldCount, newCount)) keep--;
  body.splice(body.length - blankRun + keep);
  next -= blankRun - keep;
  if (!body.some((line) => line.kind !== " ")) return { error: `(${headerLine}) has no lines starting with "-" or "+".`, next };
  const oldStart = numbers[1] === undefined ? undefined : Number(numbers[1]);
  return { hunk: { oldStart, header: headerLine.trim(), lines: body, oldNoNewlineAtEnd, newNoNewlineAtEnd }, next };
}

/** True when the header has counts and the body has at least that many lines on each side. */
function countsReached(body: DiffLine[], oldCount: number | undefined, newCount: number | undefined): boolean {
  if (oldCount === undefined || newCount === undefined) return false;
  const sides = countSides(body);
  return sides.old >= oldCount && sides.added >= newCount;
}

function countsMatch(body: DiffLine[], oldCount: number | undefined, newCount: number | undefined): boolean {
  if (oldCount === undefined || newCount === undefined) return false;
  const sides = countSides(body);
  return sides.old === oldCount && sides.added === newCount;
}

function countSides(body: DiffLine[]): { old: number; added: number } {
  let old = 0;
  let added = 0;
  for (const line of body) {
    if (line.kind !== "+") old++;
    if (line.kind !== "-") added++;
  }
  return { old, added };
}

function endsHunk(lines: string[], index: number): boolean {
  const line = lines[index]!;
  return HUNK_HEADER.test(line) || GIT_HEADER.test(line) || line.startsWith("```") || /^<{5,9} [A-Z]+\s*$/.test(line) || isDiffStart(lines, index);
}
