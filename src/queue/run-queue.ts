import PQueue from "p-queue";
import type { Logger } from "pino";
import { issueKey, type RunRequest } from "../run/run-request.js";

export type RunExecutor = (request: RunRequest, signal: AbortSignal) => Promise<unknown>;

export interface RunQueueOptions {
  /** Runs that may execute at the same time over all issues. */
  concurrency: number;
  log: Logger;
}

/**
 * The in-process queue: at most `concurrency` runs at once, and the runs of one issue strictly one
 * after another in the order they were submitted.
 */
export class RunQueue {
  private readonly queue: PQueue;
  private readonly issueTails = new Map<string, Promise<void>>();
  private readonly controllers = new Map<string, AbortController>();
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly execute: RunExecutor,
    private readonly options: RunQueueOptions,
  ) {
    this.queue = new PQueue({ concurrency: options.concurrency });
  }

  submit(request: RunRequest): void {
    const key = issueKey(request);
    const previous = this.issueTails.get(key) ?? Promise.resolve();
    const next = previous.then(() => this.queue.add(() => this.runOne(key, request)));
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

  get size(): { waiting: number; running: number } {
    return { waiting: this.pending.size - this.queue.pending, running: this.queue.pending };
  }

  private async runOne(key: string, request: RunRequest): Promise<void> {
    const controller = new AbortController();
    this.controllers.set(key, controller);
    try {
      await this.execute(request, controller.signal);
    } catch (error) {
      this.options.log.error({ err: error, runId: request.runId, issue: key }, "run crashed");
    } finally {
      this.controllers.delete(key);
    }
  }
}
