import { setTimeout as sleep } from "node:timers/promises";

/**
 * Waits up to `graceMs` for `work` to settle. When it has not, calls `interrupt` and then waits for
 * it without a limit. Returns true when the work settled within the grace period.
 */
export async function settleWithinGrace(work: Promise<unknown>, graceMs: number, interrupt: () => void): Promise<boolean> {
  const settled = work.then(
    () => true,
    () => true,
  );
  const timer = new AbortController();
  const inTime = await Promise.race([settled, sleep(graceMs, false, { signal: timer.signal }).catch(() => false)]);
  timer.abort();
  if (!inTime) interrupt();
  await settled;
  return inTime;
}
