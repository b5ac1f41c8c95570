import { mkdir, readdir, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import { diskUsage } from "./disk-usage.js";
import { WorkspaceError } from "./errors.js";
import { selectEvictions, type MirrorUsage } from "./eviction.js";
import { LAST_USED_FILE, MIRROR_SUFFIX, mirrorKey, parseCloneUrl, WorkFolderLayout } from "./layout.js";
import { acquireLease, isLeased } from "./lease.js";
import { Mirror } from "./mirror.js";
import { createMirror, updateMirror } from "./mirror-sync.js";
import { exists, removeFolder } from "./folders.js";
import { prepareSpare, readySpareBytes, type SpareContext } from "./spare.js";
import { listWorktreeKeys, removeInterruptedMirrors, removeStaleWorktreesOf } from "./stale.js";

export interface WorkspaceManagerOptions {
  /** Work folder; mirrors go to `mirrors/` and worktrees to `worktrees/` inside it. */
  workDir: string;
  /** Disk bytes that mirrors and their spare worktrees may use before the least recently used are deleted. */
  maxMirrorBytes: number;
  log: Logger;
  /** Keeps one checked-out spare worktree per mirror for the next run; default true. */
  spareWorktrees?: boolean;
  /** Time after its last use during which a mirror is never evicted; default 10 minutes. */
  evictionGraceMs?: number;
  /** Time to wait for another run's fetch of the same repository; default 15 minutes. */
  lockWaitMs?: number;
}

export interface MirrorRequest {
  cloneUrl: string;
  /** Installation token, sent as an HTTP header on the fetch and never written to disk. */
  token?: string;
  /** Logger of the run, so that the mirror's and worktrees' log lines carry its ids. */
  log?: Logger;
}

/**
 * Keeps a bare mirror per repository in the work folder and creates worktrees from it. Several runs and
 * processes on one machine may share a work folder, because a lease lets one fetch of a mirror run at a time.
 */
export class WorkspaceManager {
  private readonly layout: WorkFolderLayout;
  private readonly log: Logger;
  private readonly background = new Set<Promise<void>>();
  private readonly preparingSpares = new Set<string>();

  constructor(private readonly options: WorkspaceManagerOptions) {
    if (!(options.maxMirrorBytes > 0)) throw new TypeError(`maxMirrorBytes must be a positive number of bytes, got ${options.maxMirrorBytes}`);
    this.layout = new WorkFolderLayout(path.resolve(options.workDir));
    this.log = options.log;
  }

  /**
   * Deletes worktrees and half-made mirrors that a crashed process left; run it at start-up. It also
   * checks that the work folder can be created, so a bad `MAGIC_WORK_DIR` stops the start.
   */
  async removeStaleWorktrees(): Promise<void> {
    await this.createWorkFolders();
    let worktrees = 0;
    for (const key of await listWorktreeKeys(this.layout)) worktrees += await removeStaleWorktreesOf(this.layout, key, this.log);
    const mirrors = await removeInterruptedMirrors(this.layout);
    if (worktrees + mirrors > 0) this.log.info({ worktrees, mirrors }, "stale workspaces removed");
  }

  /**
   * Creates the repository's mirror or brings it up to date with an incremental fetch, then deletes the
   * least recently used other mirrors while all of them take more than `maxMirrorBytes`.
   */
  async openMirror(request: MirrorRequest): Promise<Mirror> {
    const url = parseCloneUrl(request.cloneUrl);
    const key = mirrorKey(url);
    const directory = this.layout.mirror(key);
    const source = { cloneUrl: url.href, token: request.token };
    const log = request.log ?? this.log;
    await this.createWorkFolders();
    const lockWaitMs = this.options.lockWaitMs ?? 15 * 60_000;
    const lease = await acquireLease(directory, { waitMs: lockWaitMs, log });
    if (!lease) throw new WorkspaceError(`Timed out after ${Math.round(lockWaitMs / 1000)} s waiting for another fetch of ${url.href}`);
    const startedAt = Date.now();
    let partial: boolean;
    try {
      const created = !(await exists(directory));
      partial = created ? await createMirror(directory, source) : await updateMirror(directory, source);
      await writeFile(path.join(directory, LAST_USED_FILE), new Date().toISOString());
      log.info({ mirror: key, created, partial, durationMs: Date.now() - startedAt }, created ? "mirror created" : "mirror fetched");
    } finally {
      await lease.release();
    }
    await this.removeStaleWorktreesQuietly(key, log);
    await this.evictQuietly(key, log);
    return new Mirror({
      layout: this.layout,
      key,
      directory,
      cloneUrl: url.href,
      token: request.token,
      partial,
      log,
      useSpares: this.options.spareWorktrees ?? true,
      onWorktreeCreated: (spare, commit) => this.prepareSpareLater(key, spare, commit),
    });
  }

  private async createWorkFolders(): Promise<void> {
    try {
      await mkdir(this.layout.mirrorsRoot, { recursive: true });
      await mkdir(this.layout.worktreesRoot, { recursive: true });
    } catch (error) {
      throw new WorkspaceError(`Work folder ${path.dirname(this.layout.mirrorsRoot)} cannot be used (${(error as Error).message}): set MAGIC_WORK_DIR to a writable folder`, { cause: error });
    }
  }

  /** Resolves when no spare worktree is being prepared in the background. */
  async idle(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  private prepareSpareLater(key: string, spare: SpareContext, commit: string): void {
    if (!(this.options.spareWorktrees ?? true) || this.preparingSpares.has(key)) return;
    this.preparingSpares.add(key);
    const task = prepareSpare(spare, commit).finally(() => {
      this.preparingSpares.delete(key);
      this.background.delete(task);
    });
    this.background.add(task);
  }

  /** Also runs on every open, because a process restarted within the lease timeout keeps its leftovers. */
  private async removeStaleWorktreesQuietly(key: string, log: Logger): Promise<void> {
    try {
      const removed = await removeStaleWorktreesOf(this.layout, key, log);
      if (removed > 0) log.info({ mirror: key, worktrees: removed }, "stale worktrees removed");
    } catch (error) {
      log.warn({ err: error, mirror: key }, "removing stale worktrees failed");
    }
  }

  private async evictQuietly(keepKey: string, log: Logger): Promise<void> {
    try {
      await this.evict(keepKey, log);
    } catch (error) {
      log.warn({ err: error }, "evicting mirrors failed");
    }
  }

  private async evict(keepKey: string, log: Logger): Promise<void> {
    const usage = await this.mirrorUsage();
    const total = usage.reduce((sum, mirror) => sum + mirror.bytes, 0);
    if (total <= this.options.maxMirrorBytes) return;
    const policy = { maxBytes: this.options.maxMirrorBytes, nowMs: Date.now(), graceMs: this.options.evictionGraceMs ?? 10 * 60_000, keepKey };
    let remaining = total;
    for (const mirror of selectEvictions(usage, policy)) {
      if (await this.evictMirror(mirror, log)) remaining -= mirror.bytes;
    }
    if (remaining > this.options.maxMirrorBytes) {
      log.warn({ bytes: remaining, maxBytes: this.options.maxMirrorBytes }, "mirrors still exceed the disk limit: the rest are in use or recently used");
    }
  }

  /** Deletes one mirror and its spares, unless a fetch or a live worktree uses it at this moment. */
  private async evictMirror(mirror: MirrorUsage, log: Logger): Promise<boolean> {
    const directory = this.layout.mirror(mirror.key);
    const lease = await acquireLease(directory, { waitMs: 0, log });
    if (!lease) return false;
    try {
      if (await this.hasLiveWorktree(mirror.key)) return false;
      // Renaming first means no run can open a half-deleted mirror.
      const doomed = `${directory}.evicted-${process.pid}-${Date.now()}`;
      await rename(directory, doomed);
      await removeFolder(doomed);
      await removeFolder(this.layout.worktrees(mirror.key));
      log.info({ mirror: mirror.key, bytes: mirror.bytes, lastUsed: new Date(mirror.lastUsedMs).toISOString() }, "mirror evicted");
      return true;
    } finally {
      await lease.release();
    }
  }

  private async mirrorUsage(): Promise<MirrorUsage[]> {
    const usage: MirrorUsage[] = [];
    for (const entry of await readdir(this.layout.mirrorsRoot)) {
      if (!entry.endsWith(MIRROR_SUFFIX)) continue;
      const key = entry.slice(0, -MIRROR_SUFFIX.length);
      const directory = this.layout.mirror(key);
      const bytes = (await diskUsage(directory)) + (await readySpareBytes(this.layout.worktrees(key)));
      usage.push({ key, bytes, lastUsedMs: await lastUsed(directory), inUse: await this.hasLiveWorktree(key) });
    }
    return usage;
  }

  private async hasLiveWorktree(key: string): Promise<boolean> {
    const folder = this.layout.worktrees(key);
    let entries: string[];
    try {
      entries = await readdir(folder);
    } catch {
      return false;
    }
    for (const entry of entries) {
      if (!entry.includes(".") && (await isLeased(path.join(folder, entry)))) return true;
    }
    return false;
  }
}

/** Returns the time of the mirror's last open; 0 when another process has just deleted it. */
async function lastUsed(directory: string): Promise<number> {
  for (const candidate of [path.join(directory, LAST_USED_FILE), directory]) {
    try {
      return (await stat(candidate)).mtimeMs;
    } catch {
      // A crash right after the first clone can leave a mirror without its marker; its folder's time counts then.
    }
  }
  return 0;
}
