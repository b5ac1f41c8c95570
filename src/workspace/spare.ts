/**
 * Spare worktrees. After each new worktree the app checks out a spare of the same mirror in the
 * background, so that the next worktree only rewrites the files that changed since. No command runs in
 * a spare before it is claimed, so a claimed spare is as clean as a new checkout.
 */
import { randomBytes } from "node:crypto";
import { readdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import { z } from "zod";
import { checkoutDiskUsage } from "./disk-usage.js";
import { createGit } from "./git.js";
import { READY_SUFFIX, SPARE_PREFIX } from "./layout.js";
import { acquireLease } from "./lease.js";
import { removeFolder } from "./folders.js";
import { addWorktree, type Credentials, readWorktreeLocation } from "./worktree-location.js";

/** The mirror whose spares are claimed or prepared, and what git needs to check them out. */
export interface SpareContext {
  mirror: string;
  /** Folder of the mirror's worktrees, where spares and their markers live. */
  folder: string;
  credentials: Credentials;
  log: Logger;
}

/** Content of the `.ready` marker written once a spare is complete. */
const SpareMarker = z.object({ commit: z.string(), bytes: z.number().nonnegative() });
type SpareMarker = z.infer<typeof SpareMarker>;

/**
 * Moves a ready spare to `target` and checks out `commit` in it. Returns false when no spare is ready or
 * the one found cannot be used; the caller then creates the worktree from scratch.
 */
export async function claimSpare(context: SpareContext, target: string, commit: string): Promise<boolean> {
  for (const marker of await readyMarkers(context.folder)) {
    const spare = marker.slice(0, -READY_SUFFIX.length);
    // The lease keeps the stale-worktree sweep away from the spare while it has no marker.
    const lease = await acquireLease(spare, { waitMs: 0, log: context.log });
    if (!lease) continue;
    try {
      if (!(await removeMarker(marker))) continue;
      return await moveSpare(context, spare, target, commit);
    } finally {
      await lease.release();
    }
  }
  return false;
}

async function moveSpare(context: SpareContext, spare: string, target: string, commit: string): Promise<boolean> {
  try {
    await createGit(context.mirror).raw(["worktree", "move", spare, target]);
    const location = await readWorktreeLocation(target, context.mirror);
    await createGit(target, { ...context.credentials, worktree: location }).raw(["checkout", "--quiet", "--force", "--detach", commit]);
    return true;
  } catch (error) {
    context.log.warn({ err: error, spare: path.basename(spare) }, "spare worktree could not be used; checking out a new one");
    await discardWorktree(context, spare);
    await discardWorktree(context, target);
    return false;
  }
}

/** Deletes a ready marker, which claims its spare. Returns false when another run deleted it first. */
async function removeMarker(marker: string): Promise<boolean> {
  try {
    await unlink(marker);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}

/**
 * Checks out a new spare at `commit` unless one is ready already. It never throws: a failure only costs
 * the next run the full checkout, so it is logged.
 */
export async function prepareSpare(context: SpareContext, commit: string): Promise<void> {
  const spare = path.join(context.folder, `${SPARE_PREFIX}${randomBytes(6).toString("hex")}`);
  try {
    if ((await readyMarkers(context.folder)).length > 0) return;
    const lease = await acquireLease(spare, { waitMs: 0, log: context.log });
    if (!lease) return;
    try {
      await checkOutSpare(context, spare, commit);
    } finally {
      await lease.release();
    }
  } catch (error) {
    context.log.warn({ err: error, spare: path.basename(spare) }, "preparing a spare worktree failed");
    await discardWorktree(context, spare);
  }
}

async function checkOutSpare(context: SpareContext, spare: string, commit: string): Promise<void> {
  const startedAt = Date.now();
  await addWorktree(context.mirror, spare, commit, context.credentials);
  const marker: SpareMarker = { commit, bytes: await checkoutDiskUsage(spare) };
  // The marker appears complete or not at all, because a claim and the eviction read it.
  const temporary = `${spare}${READY_SUFFIX}.tmp`;
  await writeFile(temporary, JSON.stringify(marker));
  await rename(temporary, `${spare}${READY_SUFFIX}`);
  context.log.debug({ spare: path.basename(spare), durationMs: Date.now() - startedAt }, "spare worktree ready");
}

/** Returns the disk bytes of the ready spares in `folder`, as their markers record them. */
export async function readySpareBytes(folder: string): Promise<number> {
  let total = 0;
  for (const marker of await readyMarkers(folder)) {
    try {
      total += SpareMarker.parse(JSON.parse(await readFile(marker, "utf8"))).bytes;
    } catch {
      // A marker claimed or rewritten meanwhile counts as zero; the next eviction sees the real state.
    }
  }
  return total;
}

async function readyMarkers(folder: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  return entries.filter((entry) => entry.startsWith(SPARE_PREFIX) && entry.endsWith(READY_SUFFIX)).map((entry) => path.join(folder, entry));
}

/** Deletes a worktree that failed half-way and lets git forget it; a failure here is only logged. */
async function discardWorktree(context: SpareContext, directory: string): Promise<void> {
  try {
    await removeFolder(directory);
    await createGit(context.mirror).raw(["worktree", "prune"]);
  } catch (error) {
    context.log.warn({ err: error, worktree: path.basename(directory) }, "removing a failed spare worktree failed");
  }
}
