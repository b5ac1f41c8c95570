import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { QueueDepth } from "../../ops/metrics.js";
import type { StoredEvent } from "../../triggers/stored-event.js";
import type { DeliveryIntake } from "../delivery-intake.js";
import { INTAKE_QUEUE, jobIdOf, RUN_QUEUE, redisKeys } from "./connection.js";
import { jobOptions, type RetryPolicy } from "./job-options.js";

/** How long a delivery id is remembered. GitHub lets a user redeliver a webhook for a few days. */
const DELIVERY_TTL_SECONDS = 7 * 24 * 60 * 60;

/**
 * The server side of the distributed queue: it records a delivery id with SET NX, so the first of
 * any number of servers wins, and enqueues the delivery for intake by a worker. Nothing else.
 */
export class RedisIntake implements DeliveryIntake {
  private readonly intakeQueue: Queue;
  private readonly runQueue: Queue;
  private readonly keys;

  constructor(
    private readonly redis: Redis,
    private readonly options: { prefix: string; retry: RetryPolicy },
  ) {
    this.keys = redisKeys(options.prefix);
    this.intakeQueue = new Queue(INTAKE_QUEUE, { connection: redis, prefix: options.prefix });
    this.runQueue = new Queue(RUN_QUEUE, { connection: redis, prefix: options.prefix });
  }

  async accept(event: StoredEvent): Promise<boolean> {
    const key = this.keys.delivery(event.deliveryId);
    const first = await this.redis.set(key, "1", "EX", DELIVERY_TTL_SECONDS, "NX");
    if (first !== "OK") return false;
    try {
      await this.intakeQueue.add(event.kind, event, { jobId: jobIdOf("intake", event.deliveryId), ...jobOptions(this.options.retry) });
    } catch (error) {
      // Forget the id so GitHub's redelivery of this failed request is accepted.
      await this.redis.del(key).catch(() => undefined);
      throw error;
    }
    return true;
  }

  async idle(): Promise<void> {}

  async unreadyReason(): Promise<string | undefined> {
    try {
      await this.redis.ping();
      return undefined;
    } catch (error) {
      return `Redis did not respond to PING: ${(error as Error).message}`;
    }
  }

  queueDepth(): Promise<QueueDepth> {
    return runQueueDepth(this.runQueue, this.intakeQueue);
  }

  async close(): Promise<void> {
    await this.intakeQueue.close();
    await this.runQueue.close();
  }
}

/** Counts run jobs by state. Deliveries waiting for intake count as waiting. */
export async function runQueueDepth(runQueue: Queue, intakeQueue: Queue): Promise<QueueDepth> {
  const [runs, intake] = await Promise.all([
    runQueue.getJobCounts("waiting", "prioritized", "delayed", "active", "failed"),
    intakeQueue.getJobCounts("waiting", "delayed", "active"),
  ]);
  return {
    waiting: (runs.waiting ?? 0) + (runs.prioritized ?? 0) + (intake.waiting ?? 0) + (intake.delayed ?? 0) + (intake.active ?? 0),
    delayed: runs.delayed ?? 0,
    running: runs.active ?? 0,
    failed: runs.failed ?? 0,
  };
}
