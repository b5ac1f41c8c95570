import type { JobsOptions } from "bullmq";

export interface RetryPolicy {
  attempts: number;
  retryDelayMs: number;
}

/** Finished jobs are kept a day, so a retried intake that adds the same run job id adds nothing. */
const KEEP_COMPLETED = { age: 24 * 60 * 60, count: 10_000 };
/** Failed jobs form the dead-letter set. They are kept a week for the operator to inspect. */
const KEEP_FAILED = { age: 7 * 24 * 60 * 60, count: 10_000 };

export function jobOptions(retry: RetryPolicy): JobsOptions {
  return {
    attempts: retry.attempts,
    backoff: { type: "exponential", delay: retry.retryDelayMs },
    removeOnComplete: KEEP_COMPLETED,
    removeOnFail: KEEP_FAILED,
  };
}
