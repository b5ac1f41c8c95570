import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import type { Logger } from "pino";
import { analyzeAll } from "./analysis-pool.js";
import type { AnalysisItem } from "./analysis.js";
import { ContextError } from "./errors.js";
import { FactsCache, factsKey } from "./facts-cache.js";
import type { FileFacts } from "./file-facts.js";
import { readBlobs } from "./git-blobs.js";
import { type LanguageId, languageForPath } from "./languages.js";
import { comparePaths, DEFAULT_MAX_FILE_BYTES, type Listing, type ListedFile, listRevision, listWorktree, type SkippedFile } from "./listing.js";

export interface IndexedFile {
  path: string;
  blobId: string;
  size: number;
  language?: LanguageId;
  facts: FileFacts;
}

export interface IndexStats {
  files: number;
  lines: number;
  /** Tokens of all indexed files in the o200k_base encoding. */
  tokens: number;
  /** Files parsed in this run, because the cache had no entry for them. */
  parsed: number;
  /** Files whose facts came from the cache. */
  cached: number;
  durationMs: number;
}

/** The indexed text files of a repository, sorted by path, and the tracked files left out with the reason. */
export interface RepositoryIndex {
  root: string;
  /** The commit indexed with `revision`; absent for a worktree. */
  revision?: string;
  files: IndexedFile[];
  skipped: Array<SkippedFile | { path: string; reason: "generated" | "unreadable" }>;
  stats: IndexStats;
  /** Reads an indexed file's text as it was indexed. */
  readText(filePath: string): string;
}

export interface IndexOptions {
  /** A worktree, or with `revision` any git repository, bare ones included. */
  worktree: string;
  cacheDir: string;
  log?: Logger;
  /** Index this commit's tree instead of the files on disk. */
  revision?: string;
  maxFileBytes?: number;
  /** Worker threads for parsing; by default one per core when there are enough files to repay starting them. */
  workers?: number;
  /** A cache to share between several index calls of one process; by default one over `cacheDir`. */
  cache?: FactsCache;
}

/** Below this many files to parse, starting worker threads costs more than it saves. */
const MIN_FILES_FOR_WORKERS = 100;
const CACHE_READ_CONCURRENCY = 64;

/**
 * Indexes a repository: lists tracked files, takes each file's facts from the cache by blob id, and
 * parses the rest with tree-sitter, in worker threads when there are many.
 */
export async function indexRepository(options: IndexOptions): Promise<RepositoryIndex> {
  const startedAt = performance.now();
  const root = path.resolve(options.worktree);
  const cache = options.cache ?? new FactsCache(options.cacheDir);
  const listing = await listFiles(root, options);

  const facts = new Map<string, FileFacts>();
  const misses: ListedFile[] = [];
  await forEachLimited(listing.files, CACHE_READ_CONCURRENCY, async (file) => {
    const cached = await cache.get(factsKey(file.blobId, languageForPath(file.path)));
    if (cached) facts.set(file.path, cached);
    else misses.push(file);
  });
  misses.sort((left, right) => right.size - left.size);

  const unreadable = await analyzeMisses(root, options, cache, misses, facts);
  const index = assembleIndex(root, options.revision, listing, facts, unreadable);
  index.stats.parsed = misses.length - unreadable.length;
  index.stats.cached = listing.files.length - misses.length;
  index.stats.durationMs = Math.round(performance.now() - startedAt);
  options.log?.info({ ...index.stats, skipped: index.skipped.length }, "repository indexed");
  return index;
}

async function listFiles(root: string, options: IndexOptions): Promise<Listing> {
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  try {
    return options.revision ? await listRevision(root, options.revision, maxFileBytes) : await listWorktree(root, maxFileBytes);
  } catch (error) {
    const what = options.revision ? `the tree of ${options.revision} in ${root}` : `the tracked files of ${root}`;
    throw new ContextError("listing-failed", `Listing ${what} failed; is it a git repository? ${(error as Error).message}`, { cause: error });
  }
}

/** Parses the files the cache lacks, largest first so that no worker is left with one big file at the end. */
async function analyzeMisses(
  root: string,
  options: IndexOptions,
  cache: FactsCache,
  misses: ListedFile[],
  facts: Map<string, FileFacts>,
): Promise<string[]> {
  if (misses.length === 0) return [];
  const contents = options.revision ? await readBlobs(root, [...new Set(misses.map((file) => file.blobId))]) : undefined;
  const items: AnalysisItem[] = misses.map((file) => {
    const language = languageForPath(file.path);
    const key = factsKey(file.blobId, language);
    const source = contents ? { content: contents.get(file.blobId) } : { absolutePath: path.join(root, file.path) };
    return { key, language, ...source, entryPath: cache.entryPath(key) };
  });
  const workers = options.workers ?? (misses.length < MIN_FILES_FOR_WORKERS ? 0 : availableParallelism());
  const results = await analyzeAll(items, workers, options.log);
  const unreadable: string[] = [];
  const problems: Array<{ path: string; error: string }> = [];
  results.forEach((result, position) => {
    const file = misses[position];
    if (!file) return;
    if (result.facts) {
      facts.set(file.path, result.facts);
      cache.remember(result.key, result.facts);
    }
    const error = result.error ?? result.facts?.symbolError;
    if (error) problems.push({ path: file.path, error });
    if (!result.facts) unreadable.push(file.path);
  });
  if (problems.length > 0) {
    options.log?.warn({ files: problems.length, examples: problems.slice(0, 5) }, "some files were indexed by name and text only, or not at all");
  }
  return unreadable;
}

function assembleIndex(
  root: string,
  revision: string | undefined,
  listing: Listing,
  facts: Map<string, FileFacts>,
  unreadable: string[],
): RepositoryIndex {
  const files: IndexedFile[] = [];
  const skipped: RepositoryIndex["skipped"] = [...listing.skipped, ...unreadable.map((file) => ({ path: file, reason: "unreadable" as const }))];
  const stats: IndexStats = { files: 0, lines: 0, tokens: 0, parsed: 0, cached: 0, durationMs: 0 };
  for (const file of listing.files) {
    const fileFacts = facts.get(file.path);
    if (!fileFacts) continue;
    if (fileFacts.binary || fileFacts.generated) {
      skipped.push({ path: file.path, reason: fileFacts.binary ? "binary" : "generated" });
      continue;
    }
    files.push({ ...file, language: languageForPath(file.path), facts: fileFacts });
    stats.files += 1;
    stats.lines += fileFacts.lines;
    stats.tokens += fileFacts.tokens;
  }
  skipped.sort(comparePaths);
  const blobIds = new Map(files.map((file) => [file.path, file.blobId]));
  const readText = revision
    ? (filePath: string) => execFileSync("git", ["cat-file", "blob", blobIds.get(filePath) ?? ""], { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 })
    : (filePath: string) => readFileSync(path.join(root, filePath), "utf8");
  return { root, revision, files, skipped, stats, readText };
}

async function forEachLimited<T>(items: T[], limit: number, action: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await action(item);
    }
  });
  await Promise.all(lanes);
}
