import type { Logger } from "pino";
import { z } from "zod";
import type { RunPhase } from "./status-comment.js";

/**
 * Phases a run can be resumed at. The local workspace does not survive a restart, so a run
 * checkpointed in any phase before publishing starts again from `preparing` on a fresh clone.
 * Those phases leave nothing on GitHub except the status comment, which is found again by its id.
 */
export const RESUMABLE_PHASES = ["preparing", "indexing", "baseline", "attempt", "selecting", "publishing"] as const satisfies readonly RunPhase[];

export const RunUsage = z.object({
  modelCalls: z.number().int().nonnegative(),
  tokens: z.number().int().nonnegative(),
  testRuns: z.number().int().nonnegative(),
});
export type RunUsage = z.infer<typeof RunUsage>;

/** A pushed result that only needs its pull request and final status, so publishing can finish after a restart. */
export const Publication = z.object({
  branch: z.string().min(1),
  base: z.string().min(1),
  title: z.string(),
  body: z.string(),
  draft: z.boolean(),
  /** Push the branch only, without a pull request, as `on_budget_exhausted: branch` asks. */
  branchOnly: z.boolean().default(false),
  testsPassing: z.boolean(),
  /** The published candidate's tests in a few words, such as `2 failing`. */
  testsSummary: z.string().optional(),
  stopReason: z.string(),
  usage: RunUsage,
  costUsd: z.number().nonnegative(),
  /** The run's dollar limit, shown next to the cost in the final status. */
  usdLimit: z.number().positive().optional(),
  /** The pushed commit, which carries the check run. */
  headSha: z.string().optional(),
  checkRunId: z.number().int().positive().optional(),
  /** The check run on the branch's tip from before the push, completed once the publication ends. */
  tipCheckRunId: z.number().int().positive().optional(),
  /** Sentence about a branch that moved during the run, for the status and the check run. */
  pushNote: z.string().optional(),
  /** Replies to the review threads the run addressed, posted once the push is done. */
  reviewReplies: z.array(z.object({ commentId: z.number().int().positive(), body: z.string() })).optional(),
  /** The pull request whose review the run addressed. */
  reviewedPullNumber: z.number().int().positive().optional(),
});
export type Publication = z.infer<typeof Publication>;

/** Saved progress of a run: its phase and, once pushed, its publication. A queue stores it to resume the run. */
export const RunCheckpoint = z.object({
  phase: z.enum(RESUMABLE_PHASES),
  publication: Publication.optional(),
});
export type RunCheckpoint = z.infer<typeof RunCheckpoint>;

export type CheckpointSink = (checkpoint: RunCheckpoint) => void | Promise<void>;

/** Abort reason of a run stopped by a shutting-down process. The run is requeued, not cancelled. */
export class RunInterruptedError extends Error {
  readonly code = "interrupted";

  constructor(message = "The process is shutting down.") {
    super(message);
    this.name = "RunInterruptedError";
  }
}

/** True when the signal was aborted to requeue the run rather than to cancel it. */
export function isInterrupted(signal: AbortSignal | undefined): boolean {
  return Boolean(signal?.aborted && signal.reason instanceof RunInterruptedError);
}

/**
 * Saves checkpoints one after another, so a slow write never lands after a newer one, and keeps
 * the publication once it is known. A failed save is logged: the run then resumes from an earlier
 * phase, which repeats work but creates nothing twice.
 */
export class CheckpointWriter {
  private writes: Promise<void> = Promise.resolve();
  private publication: Publication | undefined;

  constructor(
    private readonly sink: CheckpointSink | undefined,
    private readonly log: Logger,
    resumedFrom?: RunCheckpoint,
  ) {
    this.publication = resumedFrom?.publication;
  }

  record(phase: RunPhase): void {
    if (!(RESUMABLE_PHASES as readonly RunPhase[]).includes(phase)) return;
    this.enqueue({ phase: phase as RunCheckpoint["phase"], publication: this.publication });
  }

  recordPublication(publication: Publication): Promise<void> {
    this.publication = publication;
    return this.enqueue({ phase: "publishing", publication });
  }

  flush(): Promise<void> {
    return this.writes;
  }

  private enqueue(checkpoint: RunCheckpoint): Promise<void> {
    const sink = this.sink;
    if (!sink) return this.writes;
    this.writes = this.writes.then(async () => {
      try {
        await sink(checkpoint);
      } catch (error) {
        this.log.warn({ err: error, phase: checkpoint.phase }, "saving the run checkpoint failed");
      }
    });
    return this.writes;
  }
}
