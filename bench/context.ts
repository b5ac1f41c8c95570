/*
 * Measures the context engine on a local git repository (worktree or bare):
 *   npm run bench:context -- <repo-path> [--commits 200] [--workers N]
 * Prints cold and warm index times, the size of what was indexed, peak memory, and retrieval scores
 * from the repository's own history against plain BM25 over file contents.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { scoreBm25 } from "../src/context/bm25.js";
import { FactsCache } from "../src/context/facts-cache.js";
import { readBlobs } from "../src/context/git-blobs.js";
import { indexRepository, type RepositoryIndex } from "../src/context/index-repository.js";
import { languageForPath } from "../src/context/languages.js";
import { rankFiles } from "../src/context/rank-files.js";
import { isTestPath } from "../src/context/test-files.js";

interface HistoryCommit {
  commit: string;
  parent: string;
  message: string;
  /** Changed non-test source files that exist in the parent, the files a good ranking should find. */
  targets: string[];
}

interface Recall {
  at5: number;
  at10: number;
}

const MAX_CHANGED_FILES = 5;
const LOG_SCAN_LIMIT = 20_000;

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { commits: { type: "string", default: "200" }, workers: { type: "string" } },
  });
  const repository = positionals[0];
  if (!repository) throw new Error("Missing repository path. Usage: npm run bench:context -- <repo-path> [--commits 200] [--workers N]");
  const root = path.resolve(repository);
  const workers = values.workers === undefined ? undefined : Number(values.workers);
  let bare: boolean;
  try {
    bare = git(root, "rev-parse", "--is-bare-repository").trim() === "true";
  } catch (error) {
    throw new Error(`${root} is not a git repository: ${(error as Error).message.split("\n")[0]}`, { cause: error });
  }
  const revision = bare ? git(root, "rev-parse", "HEAD").trim() : undefined;
  const cacheDir = mkdtempSync(path.join(tmpdir(), "magic-bench-context-"));

  try {
    const cold = await timed(() => indexRepository({ worktree: root, cacheDir, revision, workers }));
    const warm = await timed(() => indexRepository({ worktree: root, cacheDir, revision, workers }));
    const { stats } = cold.value;
    console.log(`indexed ${bare ? `HEAD of bare repository ${root}` : `worktree ${root}`}`);
    console.log(`files=${stats.files} lines=${stats.lines} tokens=${stats.tokens} skipped=${cold.value.skipped.length}`);
    console.log(`cold: ${seconds(cold.ms)}s (${stats.parsed} parsed)  warm: ${seconds(warm.ms)}s (${warm.value.stats.parsed} parsed, ${warm.value.stats.cached} cached)`);
    const indexRss = peakRssMb();
    console.log(`peak rss after indexing: ${indexRss} MB`);

    const history = collectHistory(root, Number(values.commits));
    console.log(`retrieval: ${history.length} commits changing 1 to ${MAX_CHANGED_FILES} non-test source files`);
    const scores = await scoreHistory(root, cacheDir, history, workers);
    console.log(`engine: recall@5=${percent(scores.engine.at5)}% recall@10=${percent(scores.engine.at10)}%`);
    console.log(`bm25:   recall@5=${percent(scores.bm25.at5)}% recall@10=${percent(scores.bm25.at10)}%`);
    console.log(
      `context: files=${stats.files} lines=${stats.lines} cold=${seconds(cold.ms)}s warm=${seconds(warm.ms)}s rss=${peakRssMb()}MB ` +
        `recall@5=${percent(scores.engine.at5)}% recall@10=${percent(scores.engine.at10)}% bm25@10=${percent(scores.bm25.at10)}%`,
    );
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

/** Collects the newest commits whose change touches 1 to 5 non-test source files, at least one of them present in the parent. */
function collectHistory(root: string, wanted: number): HistoryCommit[] {
  const log = git(root, "log", "--no-merges", "--no-renames", `-n${LOG_SCAN_LIMIT}`, "--format=%x1e%H %P%x1f%B%x1f", "--name-status", "HEAD");
  const commits: HistoryCommit[] = [];
  for (const record of log.split("\x1e")) {
    if (commits.length >= wanted) break;
    const [ids = "", message = "", changes = ""] = record.split("\x1f");
    const [commit, parent, ...otherParents] = ids.trim().split(" ");
    if (!commit || !parent || otherParents.length > 0) continue;
    const changed = changes
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((line) => line.split("\t"))
      .filter(([, filePath]) => filePath && languageForPath(filePath) && !isTestPath(filePath));
    if (changed.length < 1 || changed.length > MAX_CHANGED_FILES) continue;
    const targets = changed.filter(([status]) => status !== "A").map(([, filePath]) => filePath ?? "");
    if (targets.length > 0) commits.push({ commit, parent, message: message.trim(), targets });
  }
  return commits;
}

async function scoreHistory(root: string, cacheDir: string, history: HistoryCommit[], workers: number | undefined) {
  const cache = new FactsCache(cacheDir);
  const plainTerms = new Map<string, Record<string, number>>();
  const engine = { hits5: 0, hits10: 0 };
  const bm25 = { hits5: 0, hits10: 0 };
  let targets = 0;
  const startedAt = performance.now();
  for (const entry of history) {
    const index = await indexRepository({ worktree: root, cacheDir, revision: entry.parent, cache, workers });
    const ranked = rankFiles(index, entry.message).map((file) => file.path);
    const baseline = await rankPlainBm25(root, index, entry.message, plainTerms);
    for (const target of entry.targets) {
      targets += 1;
      count(engine, ranked.indexOf(target));
      count(bm25, baseline.indexOf(target));
    }
  }
  console.log(`retrieval took ${seconds(performance.now() - startedAt)}s for ${targets} changed files`);
  const recall = (hits: { hits5: number; hits10: number }): Recall => ({ at5: hits.hits5 / (targets || 1), at10: hits.hits10 / (targets || 1) });
  return { engine: recall(engine), bm25: recall(bm25) };
}

function count(hits: { hits5: number; hits10: number }, rank: number): void {
  if (rank === -1) return;
  if (rank < 5) hits.hits5 += 1;
  if (rank < 10) hits.hits10 += 1;
}

/** Plain BM25: lowercase words of each non-test file's content, no identifier splitting, stemming, paths or graph. */
async function rankPlainBm25(root: string, index: RepositoryIndex, query: string, memo: Map<string, Record<string, number>>): Promise<string[]> {
  const files = index.files.filter((file) => !isTestPath(file.path));
  const missing = [...new Set(files.map((file) => file.blobId).filter((blobId) => !memo.has(blobId)))];
  if (missing.length > 0) {
    for (const [blobId, content] of await readBlobs(root, missing)) memo.set(blobId, plainWords(content.toString("utf8")));
  }
  const documents = files.map((file) => ({ terms: memo.get(file.blobId) ?? {} }));
  const scores = scoreBm25(documents, [...new Set(query.toLowerCase().match(/[a-z0-9_]+/g) ?? [])]);
  return files
    .map((file, position) => ({ path: file.path, score: scores[position] ?? 0 }))
    .sort((left, right) => right.score - left.score || (left.path < right.path ? -1 : 1))
    .map((file) => file.path);
}

function plainWords(text: string): Record<string, number> {
  const counts = new Map<string, number>();
  for (const word of text.toLowerCase().match(/[a-z0-9_]+/g) ?? []) counts.set(word, (counts.get(word) ?? 0) + 1);
  return Object.fromEntries(counts);
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
}

async function timed<T>(action: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const startedAt = performance.now();
  const value = await action();
  return { value, ms: performance.now() - startedAt };
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(2);
}

function percent(fraction: number): string {
  return (fraction * 100).toFixed(1);
}

/** Peak resident memory of the process, worker threads included, in megabytes. */
function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

await main();
