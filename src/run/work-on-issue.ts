import type { Logger } from "pino";
import type { Budget } from "../agent/budget.js";
import type { CandidateResult } from "../agent/candidate.js";
import { runBudgetedTests, type TestSettings } from "../agent/candidate-tests.js";
import { buildPrefix } from "../agent/prompt.js";
import { type AgentRunResult, runAgent } from "../agent/run-agent.js";
import type { ModelClient } from "../llm/model-client.js";
import type { TestResult } from "../sandbox/run-tests.js";
import type { Sandbox } from "../sandbox/sandbox.js";
import { sanitiseForModel } from "../text/sanitise.js";
import { repositoryContext } from "./repository-context.js";
import type { PreparedCandidate } from "./prepare-candidates.js";
import { RunError } from "./errors.js";
import type { RunRequest } from "./run-request.js";
import type { CandidateLine, StatusView } from "./status-comment.js";
import { countOf } from "../text/plural.js";

const TESTS_NOT_RUN = "tests not run yet";

export interface WorkServices {
  model: ModelClient;
  sandbox: Sandbox;
  budget: Budget;
  workDir: string;
  log: Logger;
}

export interface WorkResult {
  baseline: TestResult;
  agent: AgentRunResult;
}

/** Maximum output tokens of one model call, which every call also reserves in the budget. */
const MAX_OUTPUT_TOKENS = 8_192;

/**
 * Reads the repository, runs the tests on the base commit, and lets the candidates work. The
 * baseline runs in the first candidate's worktree before any edit, and is charged as a test run.
 */
export async function workOnIssue(
  request: RunRequest,
  services: WorkServices,
  candidates: PreparedCandidate[],
  report: (view: StatusView) => void,
  signal?: AbortSignal,
  followUp?: string,
): Promise<WorkResult> {
  const first = (candidates[0] as PreparedCandidate).workspace;
  report({ phase: "indexing" });
  const context = await repositoryContext({ worktree: first.directory, request, model: services.model, budget: services.budget, workDir: services.workDir, log: services.log });

  report({ phase: "baseline" });
  const tests: TestSettings = { sandbox: services.sandbox, budget: services.budget, timeoutMs: request.config.test_timeout_seconds * 1000 };
  const baselineRun = await runBudgetedTests(first, tests, [], signal);
  if (!baselineRun.ok) {
    throw new RunError("budget-exhausted", `The budget ran out before the tests could run on the base commit (${baselineRun.reason}).`, "Raise `budget` in `.github/magic.yml`, then re-apply the label.");
  }
  const baseline = baselineRun.result;
  services.log.info({ passed: baseline.passed, failing: baseline.report.failures.length }, "baseline finished");

  const usdLimit = services.budget.limits.usd;
  report({ phase: "attempt", candidates: candidates.map((candidate) => ({ id: candidate.workspace.id, approach: candidate.approach, steps: 0, tests: TESTS_NOT_RUN })), spend: { usd: 0, usdLimit } });
  const agent = await runAgent({
    candidates: candidates.map(({ approach, workspace }) => ({ approach, workspace })),
    baseline,
    prefix: buildPrefix({ ...sanitisedIssue(request), followUp }, context, baseline),
    model: services.model,
    budget: services.budget,
    tests,
    strategy: request.config.strategy,
    protectedPaths: request.config.protected_paths,
    maxOutputTokens: MAX_OUTPUT_TOKENS,
    log: services.log,
    signal,
    onProgress: (results) => report({ phase: "attempt", candidates: results.map(candidateLine), spend: { usd: services.budget.spent.usd, usdLimit } }),
  });
  // A cancelled or interrupted run selects nothing, and its checkpoint must stay at the attempt phase.
  if (!signal?.aborted) report({ phase: "selecting", candidates: agent.candidates.map(candidateLine), spend: { usd: services.budget.spent.usd, usdLimit } });
  return { baseline, agent };
}

/** Returns the issue as of the trigger, with hidden text removed before it reaches the model. */
export function sanitisedIssue(request: RunRequest): { issueNumber: number; title: string; body: string } {
  return { issueNumber: request.issue.number, title: sanitiseForModel(request.issue.title), body: sanitiseForModel(request.issue.body) };
}

export function candidateLine(result: CandidateResult): CandidateLine {
  const test = result.finalTest;
  let tests = TESTS_NOT_RUN;
  if (test) tests = test.passed ? "passing" : `failing${test.report.failures.length > 0 ? ` (${countOf(test.report.failures.length, "test")})` : ""}`;
  if (test && result.untestedChanges) tests += ", changed since";
  return { id: result.id, approach: result.approach, steps: result.steps.length, tests };
}
