import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import { listFolder, removeFolder } from "../workspace/folders.js";
import { LEASE_SUFFIX } from "../workspace/layout.js";
import { acquireLease, isLeased, type Lease, LEASE_STALE_MS } from "../workspace/lease.js";

/** Name prefixes of the folders in `runs/` that the local commands create: runs, bench tasks, evaluation checkouts. */
const LOCAL_RUN_PREFIXES = ["local-", "bench-", "check-"];

/**
 * Takes the lease of a local run's folder for as long as this process works in it. It waits long enough
 * to take over the lease of a process that exited without releasing it, such as a bench task that
 * runs again after its earlier run was stopped with a second Ctrl-C.
 */
export async function leaseRunFolder(folder: string, log: Logger): Promise<Lease> {
  await mkdir(path.dirname(folder), { recursive: true });
  const lease = await acquireLease(folder, { waitMs: LEASE_STALE_MS * 1.5, log });
  if (!lease) throw new Error(`The run folder ${folder} is in use by another process; wait until it ends.`);
  return lease;
}

/**
 * Deletes the folders in `<workDir>/runs` of local commands whose process is gone, with their leases.
 * A second Ctrl-C or a crash leaves such a folder behind. The folders of the app's own runs hold no
 * lease and have other names, so they are left alone. Returns the number of folders deleted.
 */
export async function removeStaleRunFolders(workDir: string, log: Logger): Promise<number> {
  const runs = path.join(workDir, "runs");
  let removed = 0;
  for (const entry of await listFolder(runs)) {
    if (!LOCAL_RUN_PREFIXES.some((prefix) => entry.startsWith(prefix))) continue;
    const target = path.join(runs, entry.endsWith(LEASE_SUFFIX) ? entry.slice(0, -LEASE_SUFFIX.length) : entry);
    if (await isLeased(target)) continue;
    await removeFolder(path.join(runs, entry));
    removed += 1;
    log.debug({ folder: entry }, "stale run folder removed");
  }
  return removed;
}
