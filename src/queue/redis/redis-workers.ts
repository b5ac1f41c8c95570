import { DelayedError, type Job, Queue, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { QueueDepth } from "../../ops/metrics.js";
import { RunInterruptedError } from "../../run/checkpoint.js";
import { issueKey } from "../../run/run-request.js";
import { StoredEvent } from "../../triggers/stored-event.js";
import { settleWithinGrace } from "../grace-period.js";
import { eventTarget, type JobRunner } from "../job-runner.js";
import { INTAKE_QUEUE, jobIdOf, RUN_QUEUE, RunJobData, redisKeys } from "./connection.js";
import { jobOptions, type RetryPolicy } from "./job-options.js";
import { runQueueDepth } from "./redis-intake.js";
import { RunSlots } from "./run-slots.js";

export interface RedisWorkersOptions {
  /** Connection for queues and locks. Each BullMQ worker opens its own blocking connection from it. */
  redis: Redis;
  prefix: string;
  runner: JobRunner;
  /** Runs this process executes at the same time. */
  concurrency: number;
  maxRunsPerInstallation?: number;
  /** Lock time of jobs and issue locks. Another worker takes over a job this long after its worker died. */
  lockMs: number;
  retry: RetryPolicy;
  log: Logger;
}

/** A cancel mark outlives any run it can apply to, then expires on its own. */
const CANCEL_MARK_TTL_MS = 24 * 60 * 60_000;

/** Intake needs a few GitHub requests per delivery, so one process takes several at once. */
const INTAKE_CONCURRENCY = 8;

/**
 * `magic worker`: takes intake and run jobs from BullMQ. A run job holds its issue's lock in
 * {@link RunSlots} while it runs, saves its checkpoint in the job data at each phase, and goes back
 * to the queue when the worker stops or loses the lock. A job that fails every try stays in
 * BullMQ's failed set, the dead-letter state, and its status comment reports that.
 */
export class RedisWorkers {
  private readonly intakeWorker: Worker;
  private readonly runWorker: Worker;
  private readonly runQueue: Queue;
  private readonly intakeQueue: Queue;
  private readonly slots: RunSlots;
  private readonly keys;
  private readonly active = new Map<string, AbortController>();
  private stopping = false;

  constructor(private readonly options: RedisWorkersOptions) {
    const { redis, prefix, lockMs } = options;
    this.keys = redisKeys(prefix);
    this.slots = new RunSlots(redis, this.keys, lockMs, options.maxRunsPerInstallation);
    this.runQueue = new Queue(RUN_QUEUE, { connection: redis, prefix });
    this.intakeQueue = new Queue(INTAKE_QUEUE, { connection: redis, prefix });
    const common = {
      connection: redis,
      prefix,
      autorun: false,
      lockDuration: lockMs,
      stalledInterval: Math.max(1_000, Math.floor(lockMs / 2)),
      // A worker death counts like a failed try, so a job that kills its workers ends in the dead-letter set.
      maxStalledCount: options.retry.attempts,
    };
    this.intakeWorker = new Worker(INTAKE_QUEUE, (job) => this.processIntake(job), { ...common, concurrency: INTAKE_CONCURRENCY });
    this.runWorker = new Worker(RUN_QUEUE, (job, token) => this.processRun(job, token), { ...common, concurrency: options.concurrency });
    for (const worker of [this.intakeWorker, this.runWorker]) {
      worker.on("failed", (job, error) => void this.onFailed(worker.name, job, error));
      worker.on("error", (error) => options.log.error({ err: error, queue: worker.name }, "queue worker error"));
      worker.on("stalled", (jobId) => options.log.warn({ jobId, queue: worker.name }, "job stalled; it goes back to the queue"));
    }
  }

  start(): void {
    for (const worker of [this.intakeWorker, this.runWorker]) {
      worker.run().catch((error: unknown) => this.options.log.error({ err: error, queue: worker.name }, "queue worker stopped with an error"));
    }
    this.options.log.info({ concurrency: this.options.concurrency, prefix: this.options.prefix }, "worker started");
  }

  /**
   * Stops taking jobs, gives running runs `graceMs` to end, then interrupts them: each saves its
   * checkpoint and moves back to the queue for another worker.
   */
  async shutdown(graceMs: number): Promise<void> {
    this.stopping = true;
    const closed = Promise.all([this.intakeWorker.close(), this.runWorker.close()]);
    await settleWithinGrace(closed, graceMs, () => {
      this.options.log.info({ runs: this.active.size }, "grace period over, so running runs are requeued");
      for (const controller of this.active.values()) controller.abort(new RunInterruptedError());
    });
    await closed;
    await this.runQueue.close();
    await this.intakeQueue.close();
  }

  async unreadyReason(): Promise<string | undefined> {
    if (this.stopping) return "the worker is shutting down";
    if (!this.runWorker.isRunning()) return "the run worker is not running";
    try {
      await this.options.redis.ping();
      return undefined;
    } catch (error) {
      return `Redis did not respond to PING: ${(error as Error).message}`;
    }
  }

  queueDepth(): Promise<QueueDepth> {
    return runQueueDepth(this.runQueue, this.intakeQueue);
  }

  // NOTE: intakes of one issue are not serialised across workers, so two labels delivered at the same
  // moment can each create a status comment before either finds the other's marker.
  private async processIntake(job: Job): Promise<string> {
    const event = StoredEvent.parse(job.data);
    const request = await this.options.runner.intake(event, { cancelRun: (key) => this.requestCancel(key) });
    if (!request) return "ignored";
    // The job id comes from the delivery, so an intake retried after a crash adds no second run.
    await this.runQueue.add("run", { request } satisfies RunJobData, { jobId: jobIdOf("run", event.deliveryId), ...jobOptions(this.options.retry) });
    return "queued";
  }

  // NOTE: a run job that finds its issue busy retries after a random delay, so when three or more
  // runs of one issue wait at once, they can start in another order than their comments arrived.
  private async processRun(job: Job, token: string | undefined): Promise<string> {
    if (!token) throw new Error(`run job ${job.id} arrived without a lock token`);
    const data = RunJobData.parse(job.data);
    const { request } = data;
    const key = issueKey(request);
    const slot = await this.slots.acquire(token, key, request.installationId);
    if (slot !== "acquired") return this.retryLater(job, token, slot);

    const controller = new AbortController();
    this.active.set(token, controller);
    const renewal = setInterval(() => void this.renew(token, key, request.installationId, controller), Math.max(250, Math.floor(this.options.lockMs / 3)));
    try {
      let saved = data;
      const outcome = await this.options.runner.run(request, {
        signal: controller.signal,
        resume: data.checkpoint,
        onCheckpoint: async (checkpoint) => {
          saved = { ...saved, checkpoint };
          await job.updateData(saved);
        },
      });
      if (outcome.kind === "interrupted") {
        await job.moveToDelayed(Date.now(), token);
        throw new DelayedError();
      }
      return outcome.kind;
    } finally {
      clearInterval(renewal);
      this.active.delete(token);
      await this.slots.release(token, key, request.installationId).catch((error: unknown) => {
        this.options.log.warn({ err: error, jobId: job.id }, "releasing the issue lock failed; it expires on its own");
      });
    }
  }

  /**
   * Marks the issue's running run as cancelled, for whichever worker holds its lock. That worker sees
   * the mark at its next lock renewal, a third of the lock time later at most. Returns false when no
   * worker runs the issue.
   */
  private async requestCancel(key: string): Promise<boolean> {
    const holder = await this.options.redis.get(this.keys.issueLock(key));
    if (!holder) return false;
    await this.options.redis.set(this.keys.cancelRequest(holder), "1", "PX", CANCEL_MARK_TTL_MS);
    return true;
  }

  /** Puts the job back for a short wait. Throwing DelayedError keeps BullMQ from counting a failed attempt. */
  private async retryLater(job: Job, token: string, reason: string): Promise<never> {
    const delayMs = Math.min(5_000, Math.max(200, Math.floor(this.options.lockMs / 4))) * (0.75 + Math.random() / 2);
    this.options.log.debug({ jobId: job.id, reason, delayMs }, "run waits for a free slot");
    await job.moveToDelayed(Date.now() + delayMs, token);
    throw new DelayedError();
  }

  private async renew(token: string, key: string, installationId: number, controller: AbortController): Promise<void> {
    try {
      if (await this.slots.renew(token, key, installationId)) {
        if (await this.options.redis.exists(this.keys.cancelRequest(token))) {
          this.options.log.info({ issue: key }, "run cancelled by request");
          controller.abort();
        }
        return;
      }
      this.options.log.warn({ issue: key }, "issue lock lost; interrupting the run so it is requeued");
      controller.abort(new RunInterruptedError("The issue lock expired."));
    } catch (error) {
      this.options.log.warn({ err: error, issue: key }, "renewing the issue lock failed; retrying at the next renewal");
    }
  }

  /** Reports a job that reached the dead-letter state. One process reports it even when several see it. */
  private async onFailed(queue: string, job: Job | undefined, error: Error): Promise<void> {
    if (!job?.id) return;
    const log = this.options.log.child({ jobId: job.id, queue });
    try {
      if ((await job.getState()) !== "failed") {
        log.warn({ err: error, attemptsMade: job.attemptsMade }, "job failed; it will be retried");
        return;
      }
      const first = await this.options.redis.set(this.keys.deadLetterReported(job.id), "1", "EX", 7 * 24 * 60 * 60, "NX");
      if (first !== "OK") return;
      const target = queue === RUN_QUEUE ? RunJobData.parse(job.data).request : eventTarget(StoredEvent.parse(job.data));
      await this.options.runner.reportDeadLetter(target, job.attemptsMade, error);
    } catch (reportError) {
      log.error({ err: reportError, cause: error }, "handling a failed job failed");
    }
  }
}
