import PQueue from "p-queue";
import type { Logger } from "pino";
import { RunInterruptedError } from "../run/checkpoint.js";
import { issueKey, type RunRequest } from "../run/run-request.js";
import { settleWithinGrace } from "./grace-period.js";
import { KeyedSemaphore } from "./keyed-semaphore.js";

export type RunExecutor = (request: RunRequest, signal: AbortSignal) => Promise<unknown>;

export interface RunQueueOptions {
  /** Runs that may execute at the same time over all issues. */
  concurrency: number;
  /** Runs of one installation that may execute at the same time. No limit when undefined. */
  maxRunsPerInstallation?: number;
  log: Logger;
}

/**
 * The in-process queue: at most `concurrency` runs at once, at most `maxRunsPerInstallation` of
 * one installation, and the runs of one issue strictly one after another in submission order.
 */
export class RunQueue {
  private readonly queue: PQueue;
  private readonly installations: KeyedSemaphore<number> | undefined;
  private readonly issueTails = new Map<string, Promise<void>>();
  private readonly controllers = new Map<string, AbortController>();
  private readonly pending = new Set<Promise<void>>();
  private readonly running = new Set<Promise<void>>();
  private stopping = false;

  constructor(
    private readonly execute: RunExecutor,
    private readonly options: RunQueueOptions,
  ) {
    this.queue = new PQueue({ concurrency: options.concurrency });
    this.installations = options.maxRunsPerInstallation ? new KeyedSemaphore(options.maxRunsPerInstallation) : undefined;
  }

  submit(request: RunRequest): void {
    const key = issueKey(request);
    const previous = this.issueTails.get(key) ?? Promise.resolve();
    const next = previous.then(() => this.startWhenFree(key, request));
    this.issueTails.set(key, next);
    this.pending.add(next);
    void next.finally(() => {
      this.pending.delete(next);
      if (this.issueTails.get(key) === next) this.issueTails.delete(key);
    });
  }

  /** Cancels the run of an issue that is executing now; returns false when none is. */
  cancel(key: string): boolean {
    const controller = this.controllers.get(key);
    if (!controller) return false;
    controller.abort();
    return true;
  }

  /** Resolves when every submitted run has finished. */
  async onIdle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /**
   * Starts no further run, gives running runs `graceMs` to end, then aborts the rest with a
   * {@link RunInterruptedError} and waits for them. Runs that never started stay unstarted. The
   * caller's journal still has them.
   */
  async shutdown(graceMs: number): Promise<void> {
    this.stopping = true;
    this.queue.pause();
    this.queue.clear();
    await settleWithinGrace(Promise.allSettled([...this.running]), graceMs, () => {
      this.options.log.info({ runs: this.controllers.size }, "grace period over, so running runs are interrupted");
      for (const controller of this.controllers.values()) controller.abort(new RunInterruptedError());
    });
  }

  get size(): { waiting: number; running: number } {
    return { waiting: this.pending.size - this.running.size, running: this.running.size };
  }

  private async startWhenFree(key: string, request: RunRequest): Promise<void> {
    if (this.stopping) return;
    const release = await this.installations?.acquire(request.installationId);
    try {
      await this.queue.add(() => this.runOne(key, request));
    } finally {
      release?.();
    }
  }

  private async runOne(key: string, request: RunRequest): Promise<void> {
    if (this.stopping) return;
    const controller = new AbortController();
    this.controllers.set(key, controller);
    const run = this.execute(request, controller.signal).then(
      () => undefined,
      (error: unknown) => {
        this.options.log.error({ err: error, runId: request.runId, issue: key }, "run crashed");
      },
    );
    this.running.add(run);
    try {
      await run;
    } finally {
      this.running.delete(run);
      this.controllers.delete(key);
    }
  }
}
