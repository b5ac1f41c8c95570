import { execFileSync } from "node:child_process";

/** One line of a real hunk as git printed it; `text` has no terminator. */
export interface SampleLine {
  kind: " " | "-" | "+";
  text: string;
  /** A `\ No newline at end of file` marker follows this line. */
  noNewline?: boolean;
}

/** A hunk from a real commit and the file it applies to. */
export interface HunkSample {
  /** `<short commit>:<path>#<hunk index>`, stable across runs. */
  id: string;
  path: string;
  /** The file before the commit. */
  before: string;
  /** `before` with only this hunk applied. */
  expected: string;
  /** 1-based first old line and old line count, as in the `@@` header. */
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
  lines: SampleLine[];
  oldNoNewlineAtEnd: boolean;
  newNoNewlineAtEnd: boolean;
}

export interface CorpusOptions {
  repository: string;
  maxCommits: number;
  maxHunks: number;
  /** Files larger than this many bytes are skipped. */
  maxFileBytes: number;
}

const SKIPPED_FILES = /(?:^|\/)(?:package-lock\.json|yarn\.lock|pnpm-lock\.yaml|Cargo\.lock|poetry\.lock)$|\.min\.(?:js|css)$|\.snap$/;
const MAX_HUNKS_PER_FILE = 3;

/**
 * Collects hunks of modified text files from the newest non-merge commits of a repository, which
 * may be bare. Reads the repository with git only and never changes it.
 */
export function collectHunks(options: CorpusOptions): HunkSample[] {
  const commits = git(options.repository, ["log", "--no-merges", "--format=%H", `--max-count=${options.maxCommits}`]).split("\n").filter(Boolean);
  const samples: HunkSample[] = [];
  for (const commit of commits) {
    if (samples.length >= options.maxHunks) break;
    let patch: string;
    try {
      patch = git(options.repository, ["show", "--format=", "--no-color", "--no-ext-diff", "--no-renames", "--full-index", "--diff-filter=M", "-U3", commit]);
    } catch {
      continue;
    }
    for (const file of splitFiles(patch)) {
      if (SKIPPED_FILES.test(file.path)) continue;
      const before = readBlob(options.repository, file.oldBlob, options.maxFileBytes);
      const after = readBlob(options.repository, file.newBlob, options.maxFileBytes);
      if (before === undefined || after === undefined) continue;
      file.hunks.slice(0, MAX_HUNKS_PER_FILE).forEach((hunk, index) => {
        samples.push(toSample(`${commit.slice(0, 10)}:${file.path}#${index + 1}`, file.path, before, after, hunk));
      });
      if (samples.length >= options.maxHunks) break;
    }
  }
  return samples.slice(0, options.maxHunks);
}

interface FilePatch {
  path: string;
  oldBlob: string;
  newBlob: string;
  hunks: RawHunk[];
}

interface RawHunk {
  oldStart: number;
  oldCount: number;
  newStart: number;
  newCount: number;
  lines: SampleLine[];
  oldNoNewlineAtEnd: boolean;
  newNoNewlineAtEnd: boolean;
}

/** Splits `git show` output into files. Git's own output is exact, so its counts are trusted here. */
function splitFiles(patch: string): FilePatch[] {
  const files: FilePatch[] = [];
  const lines = patch.split("\n");
  let file: FilePatch | undefined;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    const gitHeader = /^diff --git a\/(.+) b\/(.+)$/.exec(line);
    if (gitHeader) {
      file = gitHeader[1] === gitHeader[2] ? { path: gitHeader[1]!, oldBlob: "", newBlob: "", hunks: [] } : undefined;
      if (file) files.push(file);
      continue;
    }
    if (!file) continue;
    const blobs = /^index ([0-9a-f]+)\.\.([0-9a-f]+)/.exec(line);
    if (blobs) {
      file.oldBlob = blobs[1]!;
      file.newBlob = blobs[2]!;
      continue;
    }
    const header = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (!header) continue;
    const hunk: RawHunk = {
      oldStart: Number(header[1]),
      oldCount: Number(header[2] ?? 1),
      newStart: Number(header[3]),
      newCount: Number(header[4] ?? 1),
      lines: [],
      oldNoNewlineAtEnd: false,
      newNoNewlineAtEnd: false,
    };
    let old = 0;
    let added = 0;
    while (old < hunk.oldCount || added < hunk.newCount || lines[index + 1]?.startsWith("\\")) {
      const body = lines[++index];
      if (body === undefined) break;
      if (body.startsWith("\\")) {
        const previous = hunk.lines.at(-1);
        if (previous) previous.noNewline = true;
        if (previous?.kind !== "+") hunk.oldNoNewlineAtEnd = true;
        if (previous?.kind !== "-") hunk.newNoNewlineAtEnd = true;
        continue;
      }
      const kind = body[0] as SampleLine["kind"];
      hunk.lines.push({ kind, text: body.slice(1) });
      if (kind !== "+") old++;
      if (kind !== "-") added++;
    }
    file.hunks.push(hunk);
  }
  return files.filter((candidate) => candidate.oldBlob && candidate.newBlob && candidate.hunks.length > 0);
}

function toSample(id: string, path: string, before: string, after: string, hunk: RawHunk): HunkSample {
  const oldLines = linesWithEnds(before);
  const newLines = linesWithEnds(after);
  const oldFrom = hunk.oldCount === 0 ? hunk.oldStart : hunk.oldStart - 1;
  const newFrom = hunk.newCount === 0 ? hunk.newStart : hunk.newStart - 1;
  const expected = [...oldLines.slice(0, oldFrom), ...newLines.slice(newFrom, newFrom + hunk.newCount), ...oldLines.slice(oldFrom + hunk.oldCount)].join("");
  // Patch lines of a CRLF file end in CR. A model writes them without it, so the hunk text drops it.
  const lines = hunk.lines.map((line) => ({ ...line, text: line.text.replace(/\r$/, "") }));
  return { id, path, before, expected, ...hunk, lines };
}

/** Splits text into lines that keep their terminators, so joining them gives the text back. */
export function linesWithEnds(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

function readBlob(repository: string, blob: string, maxBytes: number): string | undefined {
  const size = Number(git(repository, ["cat-file", "-s", blob]).trim());
  if (!Number.isFinite(size) || size > maxBytes || size === 0) return undefined;
  const bytes = execFileSync("git", ["-C", repository, "cat-file", "blob", blob], { maxBuffer: maxBytes + 1024 });
  if (bytes.subarray(0, 8_000).includes(0)) return undefined;
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

function git(repository: string, args: string[]): string {
  return execFileSync("git", ["-C", repository, ...args], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] });
}
