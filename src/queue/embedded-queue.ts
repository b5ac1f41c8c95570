import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import PQueue from "p-queue";
import type { Logger } from "pino";
import type { QueueDepth } from "../ops/metrics.js";
import type { RunCheckpoint } from "../run/checkpoint.js";
import { issueKey, type RunRequest } from "../run/run-request.js";
import { BackgroundTasks } from "../triggers/background-tasks.js";
import { eventNumber, type StoredEvent } from "../triggers/stored-event.js";
import { retryWithBackoff } from "./backoff.js";
import type { DeliveryIntake } from "./delivery-intake.js";
import { eventTarget, type JobRunner } from "./job-runner.js";
import { KeyedSemaphore } from "./keyed-semaphore.js";
import type { RunJournal } from "./journal.js";
import { RunQueue } from "./run-queue.js";

/**
 * Deliveries whose intake runs at once. Intake makes several GitHub requests on the event loop that
 * also responds to webhooks, so a burst of labels is taken in a few at a time to keep responses fast.
 */
const INTAKE_CONCURRENCY = 4;

export interface EmbeddedQueueOptions {
  journal: RunJournal;
  runner: JobRunner;
  concurrency: number;
  maxRunsPerInstallation?: number;
  /** Tries of intake and of a run that throws, before the delivery is marked dead. */
  attempts: number;
  retryDelayMs: number;
  log: Logger;
}

/**
 * The default queue of one process: the webhook handler journals each delivery in SQLite before it
 * responds, intake and runs happen in the background through {@link RunQueue}, and {@link resume}
 * picks up what a stopped process left accepted, queued or running.
 */
export class EmbeddedQueue implements DeliveryIntake {
  private readonly queue: RunQueue;
  private readonly background = new BackgroundTasks();
  private readonly intakes = new PQueue({ concurrency: INTAKE_CONCURRENCY });
  /** Intake of one issue goes one delivery at a time, so two labels cannot both create a status comment. */
  private readonly issueIntakes = new KeyedSemaphore<string>(1);
  /** Checkpoints of submitted runs by run id, so a resumed run starts at its saved phase. */
  private readonly resumeFrom = new Map<string, RunCheckpoint | undefined>();

  constructor(private readonly options: EmbeddedQueueOptions) {
    this.queue = new RunQueue((request, signal) => this.execute(request, signal), {
      concurrency: options.concurrency,
      maxRunsPerInstallation: options.maxRunsPerInstallation,
      log: options.log,
    });
  }

  async accept(event: StoredEvent): Promise<boolean> {
    if (!this.options.journal.accept(event)) return false;
    this.startIntake(event);
    return true;
  }

  /** Restarts intake of accepted deliveries and requeues queued and running runs. Returns how many. */
  resume(): number {
    const unfinished = this.options.journal.unfinished();
    for (const delivery of unfinished) {
      if (delivery.state === "accepted") {
        this.startIntake(delivery.event);
      } else {
        this.options.log.info({ deliveryId: delivery.deliveryId, runId: delivery.request.runId, phase: delivery.checkpoint?.phase ?? "queued" }, "resuming run from the journal");
        this.options.journal.requeue(delivery.deliveryId);
        this.submit(delivery.request, delivery.checkpoint);
      }
    }
    return unfinished.length;
  }

  async idle(): Promise<void> {
    await this.background.onIdle();
    await this.queue.onIdle();
    await this.background.onIdle();
  }

  /** Stops starting runs, gives running ones `graceMs`, then interrupts them. The journal keeps them queued. */
  async shutdown(graceMs: number): Promise<void> {
    await this.queue.shutdown(graceMs);
  }

  cancel(key: string): boolean {
    return this.queue.cancel(key);
  }

  async unreadyReason(): Promise<string | undefined> {
    return this.options.journal.isOpen ? undefined : "the run journal is closed";
  }

  async queueDepth(): Promise<QueueDepth> {
    const { waiting, running } = this.queue.size;
    return { waiting, running };
  }

  private startIntake(event: StoredEvent): void {
    const log = this.options.log.child({ deliveryId: event.deliveryId, repo: `${event.repository.owner}/${event.repository.name}`, issue: eventNumber(event) });
    this.background.start(log, `accepting the ${event.kind} event`, async () => {
      const release = await this.issueIntakes.acquire(issueKey({ repository: event.repository, issue: { number: eventNumber(event) } }));
      try {
        await this.intakes.add(() => this.intake(event, log));
      } finally {
        release();
      }
    });
  }

  private async intake(event: StoredEvent, log: Logger): Promise<void> {
    // Yields first, so the webhook's response is written before intake's own work starts.
    await yieldToEventLoop();
    let request: RunRequest | undefined;
    try {
      request = await this.withRetries(log, "intake", () => this.options.runner.intake(event, { cancelRun: async (key) => this.queue.cancel(key) }));
    } catch (error) {
      this.options.journal.finish(event.deliveryId, "dead", "intake failed every try");
      await this.options.runner.reportDeadLetter(eventTarget(event), this.options.attempts, error);
      return;
    }
    if (!request) {
      this.options.journal.finish(event.deliveryId, "ignored", "no run");
      return;
    }
    this.options.journal.markQueued(event.deliveryId, request);
    this.submit(request, undefined);
  }


  private submit(request: RunRequest, checkpoint: RunCheckpoint | undefined): void {
    this.resumeFrom.set(request.runId, checkpoint);
    this.queue.submit(request);
  }

  private async execute(request: RunRequest, signal: AbortSignal): Promise<void> {
    const { journal, runner } = this.options;
    const log = runner.runLog(request);
    let resume = this.resumeFrom.get(request.runId);
    this.resumeFrom.delete(request.runId);
    journal.markRunning(request.deliveryId);
    try {
      const outcome = await this.withRetries(log, "run", () =>
        runner.run(request, {
          signal,
          resume,
          onCheckpoint: (checkpoint) => {
            resume = checkpoint;
            journal.saveCheckpoint(request.deliveryId, checkpoint);
          },
        }),
      );
      if (outcome.kind === "interrupted") journal.requeue(request.deliveryId);
      else journal.finish(request.deliveryId, "done", outcome.kind);
    } catch (error) {
      journal.finish(request.deliveryId, "dead", "run failed every try");
      await runner.reportDeadLetter(request, this.options.attempts, error);
    }
  }

  private withRetries<T>(log: Logger, what: string, task: () => Promise<T>): Promise<T> {
    return retryWithBackoff(task, {
      attempts: this.options.attempts,
      firstDelayMs: this.options.retryDelayMs,
      onRetry: (error, retry, delayMs) => log.warn({ err: error, retry, delayMs }, `${what} failed; retrying`),
    });
  }
}
