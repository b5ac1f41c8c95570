import { setTimeout as sleep } from "node:timers/promises";

/** Delay before retry number `retry` (1 for the first): `firstDelayMs`, doubled each time. */
export function exponentialDelay(retry: number, firstDelayMs: number): number {
  return firstDelayMs * 2 ** Math.max(0, retry - 1);
}

/**
 * Calls `task` up to `attempts` times, waiting with exponential backoff between tries, and throws
 * the last error. `onRetry` sees each failure that will be retried.
 */
export async function retryWithBackoff<T>(
  task: () => Promise<T>,
  options: { attempts: number; firstDelayMs: number; onRetry?: (error: unknown, retry: number, delayMs: number) => void },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await task();
    } catch (error) {
      if (attempt >= options.attempts) throw error;
      const delayMs = exponentialDelay(attempt, options.firstDelayMs);
      options.onRetry?.(error, attempt, delayMs);
      await sleep(delayMs);
    }
  }
}
