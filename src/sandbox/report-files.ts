import { constants } from "node:fs";
import { mkdir, open, opendir, realpath, rm } from "node:fs/promises";
import path from "node:path";
import picomatch from "picomatch";
import { MAX_JUNIT_BYTES } from "./reports/junit.js";

/** Folders never searched for reports: dependencies, git metadata and hidden folders such as `.venv`. */
const SKIPPED_FOLDERS = new Set(["node_modules", ".git"]);
const MAX_DEPTH = 8;
const MAX_FOLDERS = 20_000;

/**
 * Report files of one test run. The sandboxed command can write to the worktree and to HOME, so it
 * could replace a report with a symbolic link to a host file. Because the app reads reports outside
 * the sandbox, it reads only regular files, opened without following links, from folders whose real
 * path did not change during the run.
 */
export class ReportFiles {
  private constructor(
    private readonly worktree: string,
    private readonly absolutePaths: string[],
    private readonly globs: string[],
    private readonly folderPaths: Map<string, string>,
    private readonly startedAt: number,
  ) {}

  /**
   * Removes report files that a previous run left at the absolute paths, creates their folders, and
   * records the folders' real paths and the start time before the test command runs.
   */
  static async prepare(worktree: string, patterns: string[]): Promise<ReportFiles> {
    const absolutePaths = patterns.filter((pattern) => path.isAbsolute(pattern));
    const globs = patterns.filter((pattern) => !path.isAbsolute(pattern));
    const folderPaths = new Map<string, string>();
    for (const file of absolutePaths) {
      const folder = path.dirname(file);
      await mkdir(folder, { recursive: true });
      await rm(file, { force: true });
      folderPaths.set(folder, await realpath(folder));
    }
    const realWorktree = await realpath(worktree);
    // Timestamps of files written during the run are at or after this; a second of slack covers clocks of coarse file systems.
    return new ReportFiles(realWorktree, absolutePaths, globs, folderPaths, Date.now() - 1_000);
  }

  /** Reads the reports written during the run; missing, stale, linked or oversized files are skipped. */
  async read(): Promise<string[]> {
    const documents: string[] = [];
    for (const file of this.absolutePaths) {
      const folder = path.dirname(file);
      if ((await realpathOrUndefined(folder)) !== this.folderPaths.get(folder)) continue;
      const text = await readRegularFile(file, 0);
      if (text !== undefined) documents.push(text);
    }
    if (this.globs.length > 0) {
      for (const file of await findFiles(this.worktree, this.globs)) {
        const text = await readRegularFile(file, this.startedAt);
        if (text !== undefined) documents.push(text);
      }
    }
    return documents;
  }
}

/** Reads a regular file modified at or after `since`, refusing symbolic links and files above the JUnit size cap. */
async function readRegularFile(file: string, since: number): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile() || stats.size > MAX_JUNIT_BYTES || stats.mtimeMs < since) return undefined;
    return await handle.readFile("utf8");
  } finally {
    await handle.close();
  }
}

/** Lists files below `root` whose relative path matches one of `globs`, without following symbolic links. */
async function findFiles(root: string, globs: string[]): Promise<string[]> {
  const matches = picomatch(globs);
  const found: string[] = [];
  const queue: Array<{ folder: string; depth: number }> = [{ folder: root, depth: 0 }];
  let visited = 0;
  while (queue.length > 0 && visited < MAX_FOLDERS) {
    const { folder, depth } = queue.shift() as { folder: string; depth: number };
    visited++;
    let entries;
    try {
      entries = await opendir(folder);
    } catch {
      continue;
    }
    for await (const entry of entries) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        if (depth < MAX_DEPTH && !SKIPPED_FOLDERS.has(entry.name) && !entry.name.startsWith(".")) queue.push({ folder: full, depth: depth + 1 });
      } else if (entry.isFile() && matches(path.relative(root, full))) {
        found.push(full);
      }
    }
  }
  return found.sort();
}

async function realpathOrUndefined(folder: string): Promise<string | undefined> {
  try {
    return await realpath(folder);
  } catch {
    return undefined;
  }
}
