import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import lockfile from "proper-lockfile";
import { LEASE_SUFFIX } from "./layout.js";

/**
 * Time after which a lease whose holder stopped refreshing it counts as abandoned. The holder refreshes
 * it every half of this time, so a process that crashed leaves a lease that others may take over.
 */
export const LEASE_STALE_MS = 10_000;
const RETRY_INTERVAL_MS = 100;

/** An exclusive lock on a path, respected by every process that uses the same work folder. */
export interface Lease {
  release(): Promise<void>;
}

export interface LeaseOptions {
  /** Time to wait while another holder has the lease; 0 tries once. */
  waitMs: number;
  log: Logger;
}

/**
 * Takes the lease of `target`, stored as the folder `<target>.lease` (proper-lockfile). Returns undefined
 * when another live holder kept it for all of `waitMs`.
 */
export async function acquireLease(target: string, options: LeaseOptions): Promise<Lease | undefined> {
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    try {
      const release = await lockfile.lock(target, {
        realpath: false,
        lockfilePath: `${target}${LEASE_SUFFIX}`,
        stale: LEASE_STALE_MS,
        retries: 0,
        onCompromised: (error) => options.log.warn({ err: error, target }, "lease lost: another process took it over"),
      });
      return { release: () => releaseQuietly(release, target, options.log) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ELOCKED") throw error;
      if (Date.now() >= deadline) return undefined;
      await sleep(Math.min(RETRY_INTERVAL_MS, Math.max(deadline - Date.now(), 1)));
    }
  }
}

/** Returns true while a live holder has the lease of `target`. */
export function isLeased(target: string): Promise<boolean> {
  return lockfile.check(target, { realpath: false, lockfilePath: `${target}${LEASE_SUFFIX}`, stale: LEASE_STALE_MS });
}

async function releaseQuietly(release: () => Promise<void>, target: string, log: Logger): Promise<void> {
  try {
    await release();
  } catch (error) {
    // ERELEASED means the lease was already given up or taken over, which the holder has been told about.
    if ((error as NodeJS.ErrnoException).code !== "ERELEASED") log.warn({ err: error, target }, "releasing a lease failed");
  }
}
