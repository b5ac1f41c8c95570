import type { Logger } from "pino";

/**
 * Work started by a webhook handler after it has answered GitHub. Failures are logged with the ids the
 * caller gives, and `onIdle` lets tests and shutdown wait for the work to end.
 */
export class BackgroundTasks {
  private readonly pending = new Set<Promise<void>>();

  start(log: Logger, description: string, task: () => Promise<void>): void {
    const promise = task().catch((error: unknown) => {
      log.error({ err: error }, `${description} failed`);
    });
    this.pending.add(promise);
    void promise.finally(() => this.pending.delete(promise));
  }

  async onIdle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
