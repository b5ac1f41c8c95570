import { Redis } from "ioredis";
import { z } from "zod";
import { RunCheckpoint } from "../../run/checkpoint.js";
import { RunRequest } from "../../run/run-request.js";

/** BullMQ queue of deliveries waiting for intake: config, permission, reaction, status comment. */
export const INTAKE_QUEUE = "intake";
/** BullMQ queue of accepted runs. */
export const RUN_QUEUE = "runs";

/** Data of a job in {@link RUN_QUEUE}. The checkpoint is updated as the run moves through its phases. */
export const RunJobData = z.object({
  request: RunRequest,
  checkpoint: RunCheckpoint.optional(),
});
export type RunJobData = z.infer<typeof RunJobData>;

/** Opens a connection the way BullMQ requires: commands wait for a reconnect instead of failing. */
export function connectRedis(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null });
}

/** BullMQ rejects `:` in custom job ids because it separates the parts of its keys. */
export function jobIdOf(kind: "intake" | "run", deliveryId: string): string {
  return `${kind}-${deliveryId.replaceAll(":", "_")}`;
}

/** Keys this app keeps beside BullMQ's, all under the deployment's prefix. */
export function redisKeys(prefix: string) {
  return {
    delivery: (deliveryId: string) => `${prefix}:delivery:${deliveryId}`,
    issueLock: (issueKey: string) => `${prefix}:issue-lock:${issueKey}`,
    installationRuns: (installationId: number) => `${prefix}:installation-runs:${installationId}`,
    spend: (installationId: number, day: string) => `${prefix}:spend:${installationId}:${day}`,
    deadLetterReported: (jobId: string) => `${prefix}:dead-letter-reported:${jobId}`,
    /** Set for the lock token of a run that `/magic stop` or a removed label cancelled. */
    cancelRequest: (token: string) => `${prefix}:cancel:${token}`,
  };
}
export type RedisKeys = ReturnType<typeof redisKeys>;
