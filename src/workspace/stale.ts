import { readdir, rmdir } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import { createGit } from "./git.js";
import { LEASE_SUFFIX, MIRROR_SUFFIX, READY_SUFFIX, SPARE_PREFIX, type WorkFolderLayout } from "./layout.js";
import { isLeased } from "./lease.js";
import { exists, listFolder, removeFolder } from "./folders.js";

/**
 * Deletes the worktrees of one mirror that no live process holds: those left by a crash, and spares
 * whose preparation stopped half-way. Ready spares stay while their mirror exists. Then `git worktree
 * prune` drops the mirror's records of the deleted folders. Returns the number of folders deleted.
 */
export async function removeStaleWorktreesOf(layout: WorkFolderLayout, key: string, log: Logger): Promise<number> {
  const folder = layout.worktrees(key);
  const entries = await listFolder(folder);
  const mirror = layout.mirror(key);
  const mirrorExists = await exists(mirror);
  let removed = 0;
  for (const entry of entries) {
    if (entry.endsWith(LEASE_SUFFIX) || entry.endsWith(READY_SUFFIX) || entry.endsWith(`${READY_SUFFIX}.tmp`)) continue;
    const worktree = path.join(folder, entry);
    if (await isLeased(worktree)) continue;
    const readySpare = entry.startsWith(SPARE_PREFIX) && entries.includes(`${entry}${READY_SUFFIX}`);
    if (readySpare && mirrorExists) continue;
    await removeFolder(worktree);
    await removeFolder(`${worktree}${READY_SUFFIX}`);
    removed += 1;
    log.debug({ worktree: entry, mirror: key }, "stale worktree removed");
  }
  await removeOrphanFiles(folder, entries);
  if (!mirrorExists) await rmdir(folder).catch(() => undefined);
  else if (removed > 0) await createGit(mirror).raw(["worktree", "prune"]);
  return removed;
}

/** Returns the mirror keys that have a worktrees folder; other files there are left alone. */
export async function listWorktreeKeys(layout: WorkFolderLayout): Promise<string[]> {
  try {
    const entries = await readdir(layout.worktreesRoot, { withFileTypes: true });
    return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

/**
 * Deletes folders in `mirrors/` that a crash left half-made or half-deleted: temporary clones whose
 * mirror no process is fetching, and mirrors renamed for eviction.
 */
export async function removeInterruptedMirrors(layout: WorkFolderLayout): Promise<number> {
  let removed = 0;
  for (const entry of await listFolder(layout.mirrorsRoot)) {
    const match = /^(.+)\.(tmp|evicted)-[0-9a-f-]+$/.exec(entry);
    if (!match?.[1]?.endsWith(MIRROR_SUFFIX)) continue;
    if (match[2] === "tmp" && (await isLeased(path.join(layout.mirrorsRoot, match[1])))) continue;
    await removeFolder(path.join(layout.mirrorsRoot, entry));
    removed += 1;
  }
  return removed;
}

/** Deletes ready markers without a spare, unfinished markers, and abandoned leases without a worktree. */
async function removeOrphanFiles(folder: string, entries: string[]): Promise<void> {
  const remaining = new Set(await listFolder(folder));
  for (const entry of entries) {
    const full = path.join(folder, entry);
    if (entry.endsWith(`${READY_SUFFIX}.tmp`)) {
      if (!remaining.has(entry.slice(0, -`${READY_SUFFIX}.tmp`.length))) await removeFolder(full);
    } else if (entry.endsWith(READY_SUFFIX)) {
      if (!remaining.has(entry.slice(0, -READY_SUFFIX.length))) await removeFolder(full);
    } else if (entry.endsWith(LEASE_SUFFIX)) {
      const target = full.slice(0, -LEASE_SUFFIX.length);
      if (!remaining.has(path.basename(target)) && !(await isLeased(target))) await removeFolder(full);
    }
  }
}
