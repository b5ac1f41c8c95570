import type { RunUsage } from "./checkpoint.js";

/**
 * `branch` means the work was pushed without a pull request, as the repository config asks when the
 * budget runs out. `answered` means `/magic explain` posted its answer. `interrupted` means a shutdown stopped the run and the queue should run it again.
 */
export type RunOutcomeKind = "pull-request" | "branch" | "no-change" | "failed" | "cancelled" | "interrupted" | "answered";

export interface RunOutcome {
  kind: RunOutcomeKind;
  pullRequestUrl?: string;
  stopReason?: string;
  /** Dollars the run's model calls cost, as the run's budget reports them. */
  costUsd: number;
  /** Spend of the run. Absent when it failed before the agent finished. */
  usage?: RunUsage;
}
