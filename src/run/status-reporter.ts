import { setTimeout as sleep } from "node:timers/promises";
import type { Logger } from "pino";
import type { GitHubGateway, IssueRef } from "../publish/github-gateway.js";
import { renderStatusComment, type RunPhase, type StatusView } from "./status-comment.js";

const FINAL_PHASES: RunPhase[] = ["done", "failed", "cancelled", "out-of-budget"];

/**
 * Keeps the issue's one status comment current without spamming the API: edits are at least
 * `minIntervalMs` apart, views that arrive in between are coalesced into the newest, and a final
 * phase is always written. A failed edit is logged and never fails the run.
 */
export class StatusReporter {
  private lastWriteAt = Number.NEGATIVE_INFINITY;
  private pending: StatusView | undefined;
  private timer: NodeJS.Timeout | undefined;
  private writes: Promise<void> = Promise.resolve();
  private phaseListener: ((phase: RunPhase) => void) | undefined;
  private shared: Partial<StatusView> = {};

  constructor(
    private readonly gateway: GitHubGateway,
    private readonly issue: IssueRef,
    private commentId: number | undefined,
    private readonly log: Logger,
    private readonly minIntervalMs = 3_000,
  ) {}

  /** Sets fields shown in every later view, such as what started the run, unless a view sets them itself. */
  showInEveryView(fields: Partial<StatusView>): void {
    this.shared = { ...this.shared, ...fields };
  }

  /** Calls `listener` with the phase of every view given to {@link update}, before it is written. */
  onPhase(listener: (phase: RunPhase) => void): void {
    this.phaseListener = listener;
  }

  /** Schedules a view; the returned promise resolves when a final view has been written. */
  update(view: StatusView): Promise<void> {
    this.phaseListener?.(view.phase);
    this.pending = view;
    if (FINAL_PHASES.includes(view.phase)) {
      this.clearTimer();
      return this.writePending();
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.writePending();
    }, Math.max(0, this.lastWriteAt + this.minIntervalMs - Date.now()));
    return Promise.resolve();
  }

  /** Waits for every scheduled edit to reach GitHub. */
  async flush(): Promise<void> {
    if (this.timer) {
      this.clearTimer();
      await this.writePending();
    }
    await this.writes;
  }

  private writePending(): Promise<void> {
    this.writes = this.writes.then(async () => {
      const view = this.pending;
      this.pending = undefined;
      if (!view) return;
      const wait = this.lastWriteAt + this.minIntervalMs - Date.now();
      if (wait > 0) await sleep(wait);
      await this.write(view);
    });
    return this.writes;
  }

  private async write(view: StatusView): Promise<void> {
    this.lastWriteAt = Date.now();
    try {
      this.commentId = await this.gateway.ensureStatusComment(this.issue, renderStatusComment({ ...this.shared, ...view }), this.commentId);
    } catch (error) {
      this.log.warn({ err: error, phase: view.phase }, "updating the status comment failed");
    }
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
