import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { createGit } from "../workspace/git.js";

/** A tracked file that the index reads. */
export interface ListedFile {
  /** Path relative to the repository root, with forward slashes. */
  path: string;
  /** Git blob id of the content: from the index, or hashed from disk when the file differs from it. */
  blobId: string;
  size: number;
}

export type SkipReason = "submodule" | "symlink" | "vendored" | "lock-file" | "minified" | "binary" | "too-large" | "missing";

export interface SkippedFile {
  path: string;
  reason: SkipReason;
}

export interface Listing {
  files: ListedFile[];
  skipped: SkippedFile[];
}

export const DEFAULT_MAX_FILE_BYTES = 1_000_000;

const GITLINK_MODE = "160000";
const SYMLINK_MODE = "120000";

/** Folders whose files are third-party or build output, matched as any path segment. */
const VENDORED_FOLDERS = new Set([
  "node_modules",
  "bower_components",
  "jspm_packages",
  "vendor",
  "third_party",
  "third-party",
  "thirdparty",
  "dist",
  "build",
  "out",
  "target",
  ".next",
  ".nuxt",
  ".svelte-kit",
  "__pycache__",
  ".venv",
  "venv",
  "site-packages",
  "Pods",
  "Carthage",
  ".yarn",
  ".gradle",
  "coverage",
  "__generated__",
  "generated",
]);

const LOCK_FILES = new Set([
  "package-lock.json",
  "npm-shrinkwrap.json",
  "yarn.lock",
  "pnpm-lock.yaml",
  "bun.lock",
  "bun.lockb",
  "Cargo.lock",
  "Gemfile.lock",
  "poetry.lock",
  "Pipfile.lock",
  "pdm.lock",
  "uv.lock",
  "composer.lock",
  "go.sum",
  "mix.lock",
  "flake.lock",
  "Podfile.lock",
  "pubspec.lock",
  "packages.lock.json",
]);

const MINIFIED = /\.min\.(js|css|mjs)$|\.(js|css)\.map$|\.bundle\.js$/;

/** Extensions of formats that are binary by definition; other files are checked for a NUL byte when read. */
const BINARY_EXTENSIONS = new Set(
  (
    "png jpg jpeg gif bmp ico icns webp tif tiff psd ai eps pdf zip gz tgz bz2 xz zst 7z rar jar war ear class " +
    "so dylib dll exe o a lib obj pdb wasm woff woff2 ttf otf eot mp3 mp4 m4a wav ogg flac avi mov mkv webm " +
    "sqlite sqlite3 db pyc pyo npy npz pkl pickle h5 hdf5 onnx pt pth safetensors parquet bin dat iso dmg deb rpm"
  ).split(" "),
);

/** Returns why a tracked path stays out of the index by its name alone, or undefined when it is read. */
export function skipReasonForPath(filePath: string): SkipReason | undefined {
  const segments = filePath.split("/");
  const name = segments.at(-1) ?? "";
  if (segments.slice(0, -1).some((segment) => VENDORED_FOLDERS.has(segment))) return "vendored";
  if (LOCK_FILES.has(name)) return "lock-file";
  if (MINIFIED.test(name)) return "minified";
  const extension = path.posix.extname(name).slice(1).toLowerCase();
  if (BINARY_EXTENSIONS.has(extension)) return "binary";
  return undefined;
}

interface TrackedEntry {
  mode: string;
  blobId: string;
  path: string;
  size?: number;
}

/** Lists the tracked files of a worktree, as `git ls-files` does, and applies the listing rules. */
export async function listWorktree(worktree: string, maxFileBytes = DEFAULT_MAX_FILE_BYTES): Promise<Listing> {
  const git = createGit(worktree);
  const staged = parseLsFiles(await git.raw(["ls-files", "--stage", "-z"]));
  const modified = new Set((await git.raw(["ls-files", "--modified", "-z"])).split("\0").filter(Boolean));
  const listing = filterEntries(staged);
  const files: ListedFile[] = [];
  await Promise.all(
    listing.candidates.map(async (entry) => {
      const absolute = path.join(worktree, entry.path);
      const info = await stat(absolute).catch(() => undefined);
      if (!info?.isFile()) return listing.skipped.push({ path: entry.path, reason: "missing" });
      if (info.size > maxFileBytes) return listing.skipped.push({ path: entry.path, reason: "too-large" });
      const blobId = modified.has(entry.path) ? hashBlob(await readFile(absolute)) : entry.blobId;
      files.push({ path: entry.path, blobId, size: info.size });
    }),
  );
  return { files: sortByPath(files), skipped: sortByPath(listing.skipped) };
}

/** Lists the files of a commit's tree, as `git ls-tree -r` does, and applies the same rules. */
export async function listRevision(repository: string, revision: string, maxFileBytes = DEFAULT_MAX_FILE_BYTES): Promise<Listing> {
  const output = await createGit(repository).raw(["ls-tree", "-r", "-l", "-z", revision]);
  const listing = filterEntries(parseLsTree(output));
  const files: ListedFile[] = [];
  for (const entry of listing.candidates) {
    const size = entry.size ?? 0;
    if (size > maxFileBytes) listing.skipped.push({ path: entry.path, reason: "too-large" });
    else files.push({ path: entry.path, blobId: entry.blobId, size });
  }
  return { files: sortByPath(files), skipped: sortByPath(listing.skipped) };
}

function filterEntries(entries: TrackedEntry[]): { candidates: TrackedEntry[]; skipped: SkippedFile[] } {
  const candidates: TrackedEntry[] = [];
  const skipped: SkippedFile[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    // A file with a merge conflict appears once per stage; the first stage is enough to know it exists.
    if (seen.has(entry.path)) continue;
    seen.add(entry.path);
    const reason = skipReasonForEntry(entry);
    if (reason) skipped.push({ path: entry.path, reason });
    else candidates.push(entry);
  }
  return { candidates, skipped };
}

function skipReasonForEntry(entry: TrackedEntry): SkipReason | undefined {
  if (entry.mode === GITLINK_MODE) return "submodule";
  if (entry.mode === SYMLINK_MODE) return "symlink";
  return skipReasonForPath(entry.path);
}

/** Parses `git ls-files --stage -z`: `<mode> <blob> <stage>\t<path>` records separated by NUL. */
function parseLsFiles(output: string): TrackedEntry[] {
  const entries: TrackedEntry[] = [];
  for (const record of output.split("\0")) {
    const tab = record.indexOf("\t");
    if (tab === -1) continue;
    const [mode = "", blobId = ""] = record.slice(0, tab).split(" ");
    entries.push({ mode, blobId, path: record.slice(tab + 1) });
  }
  return entries;
}

/** Parses `git ls-tree -r -l -z`: `<mode> <type> <object> <size>\t<path>` records separated by NUL. */
function parseLsTree(output: string): TrackedEntry[] {
  const entries: TrackedEntry[] = [];
  for (const record of output.split("\0")) {
    const tab = record.indexOf("\t");
    if (tab === -1) continue;
    const [mode = "", , blobId = "", size = "-"] = record.slice(0, tab).trim().split(/\s+/);
    entries.push({ mode, blobId, path: record.slice(tab + 1), size: size === "-" ? undefined : Number(size) });
  }
  return entries;
}

/** Computes the git blob id (SHA-1 of `blob <size>\0<content>`) of content on disk. */
export function hashBlob(content: Uint8Array): string {
  return createHash("sha1").update(`blob ${content.byteLength}\0`).update(content).digest("hex");
}

/** Orders by path in UTF-16 code unit order, which does not depend on the locale. */
export function comparePaths(left: { path: string }, right: { path: string }): number {
  if (left.path === right.path) return 0;
  return left.path < right.path ? -1 : 1;
}

function sortByPath<T extends { path: string }>(items: T[]): T[] {
  return items.sort(comparePaths);
}
