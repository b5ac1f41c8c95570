import { execFile } from "node:child_process";
import { lstat, readdir, readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { resolveEditPath } from "../edits/path-safety.js";

const execFileAsync = promisify(execFile);

/** Lines a single read returns at most, so one call cannot flood the model's context. */
export const MAX_READ_LINES = 400;
const MAX_LIST_ENTRIES = 300;
const MAX_SEARCH_MATCHES = 100;
const MAX_LINE_CHARACTERS = 300;

export type ToolText = { ok: true; text: string } | { ok: false; error: string };

/** Resolves a path the model gave for reading; the same rules as for edits, minus protected globs. */
function resolveReadPath(worktree: string, requested: string): { ok: true; absolutePath: string; relativePath: string } | { ok: false; error: string } {
  const normalised = requested.trim() === "" || requested.trim() === "." ? "." : requested;
  if (normalised === ".") return { ok: true, absolutePath: worktree, relativePath: "." };
  const resolved = resolveEditPath(worktree, normalised, []);
  return resolved.ok ? resolved : { ok: false, error: resolved.message };
}

/** Returns lines `startLine` to `endLine` (1-based, inclusive) of a file, each prefixed with its number. */
export async function readFileRange(worktree: string, requested: string, startLine = 1, endLine?: number): Promise<ToolText> {
  const resolved = resolveReadPath(worktree, requested);
  if (!resolved.ok) return resolved;
  const info = await lstat(resolved.absolutePath).catch(() => undefined);
  if (!info) return { ok: false, error: `${resolved.relativePath} does not exist. Use list_folder to see which files exist.` };
  if (info.isDirectory()) return { ok: false, error: `${resolved.relativePath} is a folder; use list_folder for it.` };
  const buffer = await readFile(resolved.absolutePath);
  if (buffer.includes(0)) return { ok: false, error: `${resolved.relativePath} is a binary file and cannot be shown.` };
  const lines = buffer.toString("utf8").split(/\r?\n/);
  if (lines.at(-1) === "") lines.pop();
  const first = Math.max(1, Math.floor(startLine));
  const last = Math.min(lines.length, Math.floor(endLine ?? first + MAX_READ_LINES - 1), first + MAX_READ_LINES - 1);
  if (first > lines.length) return { ok: false, error: `${resolved.relativePath} has only ${lines.length} lines.` };
  const width = String(last).length;
  const body = lines.slice(first - 1, last).map((line, index) => `${String(first + index).padStart(width)}| ${line}`);
  const capped = last < lines.length && (endLine === undefined || last < Math.floor(endLine));
  const more = capped ? `\n(lines ${last + 1}-${lines.length} not shown; read them with start_line ${last + 1})` : "";
  return { ok: true, text: `${resolved.relativePath} (lines ${first}-${last} of ${lines.length})\n${body.join("\n")}${more}` };
}

/** Lists a folder's entries, folders first with a trailing slash, leaving out `.git`. */
export async function listFolder(worktree: string, requested: string): Promise<ToolText> {
  const resolved = resolveReadPath(worktree, requested);
  if (!resolved.ok) return resolved;
  const entries = await readdir(resolved.absolutePath, { withFileTypes: true }).catch(() => undefined);
  if (!entries) return { ok: false, error: `${resolved.relativePath} is not a folder of the repository.` };
  const names = entries
    .filter((entry) => entry.name !== ".git")
    .map((entry) => (entry.isDirectory() ? `${entry.name}/` : entry.isSymbolicLink() ? `${entry.name} (symbolic link)` : entry.name))
    .sort((left, right) => Number(!left.endsWith("/")) - Number(!right.endsWith("/")) || (left < right ? -1 : 1));
  const shown = names.slice(0, MAX_LIST_ENTRIES);
  const more = names.length > shown.length ? `\n(${names.length - shown.length} more entries not shown)` : "";
  return { ok: true, text: `${resolved.relativePath}:\n${shown.join("\n") || "(empty)"}${more}` };
}

export interface SearchOptions {
  /** Folder or file to search in, relative to the repository root. */
  path?: string;
  /** Glob that file paths must match, such as `*.ts`. */
  glob?: string;
  caseInsensitive?: boolean;
}

/** Searches file contents with ripgrep (regular expression syntax, .gitignore respected). */
export async function searchCode(worktree: string, pattern: string, options: SearchOptions = {}): Promise<ToolText> {
  if (pattern.trim() === "") return { ok: false, error: "The search pattern is empty." };
  const scope = resolveReadPath(worktree, options.path ?? ".");
  if (!scope.ok) return scope;
  const args = ["--line-number", "--no-heading", "--color=never", "--max-columns", String(MAX_LINE_CHARACTERS), "--max-columns-preview", "--max-count", "20"];
  if (options.caseInsensitive) args.push("--ignore-case");
  if (options.glob) args.push("--glob", options.glob);
  args.push("--regexp", pattern, "--", scope.relativePath);
  try {
    const { stdout } = await execFileAsync("rg", args, { cwd: worktree, maxBuffer: 8 * 1024 * 1024, timeout: 20_000 });
    return { ok: true, text: formatMatches(stdout) };
  } catch (error) {
    const failure = error as { code?: number | string; stderr?: string };
    if (failure.code === 1) return { ok: true, text: `No matches for ${JSON.stringify(pattern)}.` };
    if (failure.code === "ENOENT") return { ok: false, error: "Code search is unavailable because ripgrep (rg) is not installed on the app's host." };
    return { ok: false, error: `The search failed: ${(failure.stderr ?? String(error)).trim().split("\n")[0]}` };
  }
}

function formatMatches(stdout: string): string {
  const lines = stdout.split("\n").filter(Boolean);
  const shown = lines.slice(0, MAX_SEARCH_MATCHES).map((line) => line.replace(/^\.\//, ""));
  const more = lines.length > shown.length ? `\n(${lines.length - shown.length} more matches not shown; narrow the pattern or path)` : "";
  return `${shown.join("\n")}${more}`;
}

