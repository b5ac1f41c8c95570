import { runTests, type TestResult } from "../sandbox/run-tests.js";
import type { Sandbox } from "../sandbox/sandbox.js";
import type { TestPlan } from "../sandbox/test-command.js";
import type { Budget, BudgetStopReason } from "./budget.js";
import { testCommandFor } from "./tools/test-subset.js";

/** A candidate's worktree and the way its tests run. */
export interface CandidateWorkspace {
  id: string;
  directory: string;
  plan: TestPlan;
  environment: Record<string, string>;
  diff(): Promise<string>;
}

export interface TestSettings {
  sandbox: Sandbox;
  budget: Budget;
  timeoutMs: number;
}

export type BudgetedTestRun =
  | { ok: true; result: TestResult; fullSuite: boolean; note?: string }
  | { ok: false; reason: BudgetStopReason };

/**
 * Runs a candidate's tests, or some test files, as one charged test run. The run's timeout is capped
 * by the wall-clock time the budget has left, so a slow suite cannot outlast the run.
 */
export async function runBudgetedTests(
  workspace: CandidateWorkspace,
  settings: TestSettings,
  paths: string[] = [],
  signal?: AbortSignal,
): Promise<BudgetedTestRun> {
  const reserved = settings.budget.reserveTestRun();
  if (!reserved.ok) return reserved;
  const narrowed = testCommandFor(workspace.plan, paths);
  const command = narrowed ?? workspace.plan.test;
  const note = paths.length > 0 && !narrowed ? "This repository's test command cannot run single files, so the whole suite ran." : undefined;
  const timeoutMs = Math.max(1_000, Math.min(settings.timeoutMs, settings.budget.remainingMs()));
  const startedAt = Date.now();
  try {
    const result = await runTests(settings.sandbox, command, {
      worktree: workspace.directory,
      environment: workspace.environment,
      timeoutMs,
      signal,
      runner: workspace.plan.runner,
      junitReports: workspace.plan.junitReports,
    });
    return { ok: true, result: withRelativePaths(result, workspace.directory), fullSuite: command === workspace.plan.test, note };
  } finally {
    settings.budget.settleTestRun(reserved.reservation, Date.now() - startedAt);
  }
}

/**
 * Replaces the worktree's absolute path in test output with `.`, so that the model gets repository
 * paths, the shared prompt prefix does not name one candidate's folder, and no host path reaches a
 * pull request.
 */
export function withRelativePaths(result: TestResult, directory: string): TestResult {
  const strip = (text: string) => text.split(`${directory}/`).join("./").split(directory).join(".");
  return {
    ...result,
    outputTail: strip(result.outputTail),
    report: { ...result.report, failures: result.report.failures.map((failure) => ({ ...failure, message: strip(failure.message) })) },
  };
}
