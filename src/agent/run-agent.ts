import type { Logger } from "pino";
import type { ModelClient } from "../llm/model-client.js";
import type { TestResult } from "../sandbox/run-tests.js";
import type { Approach } from "./approaches.js";
import type { Budget } from "./budget.js";
import { type CandidateResult, runCandidate, type StopReason } from "./candidate.js";
import { type CandidateWorkspace, runBudgetedTests, type TestSettings } from "./candidate-tests.js";
import { type CandidateSummary, type Selection, selectCandidate } from "./selection.js";

export type Strategy = "until-green" | "exhaust";

export interface AgentCandidate {
  approach: Approach;
  workspace: CandidateWorkspace;
}

export interface AgentRunOptions {
  candidates: AgentCandidate[];
  baseline: TestResult;
  prefix: string;
  model: ModelClient;
  budget: Budget;
  tests: TestSettings;
  strategy: Strategy;
  protectedPaths: string[];
  maxOutputTokens: number;
  log: Logger;
  signal?: AbortSignal;
  onProgress?: (candidates: CandidateResult[]) => void;
}

/** A finished candidate with its diff, as selection saw it. */
export interface FinishedCandidate extends CandidateResult {
  diff: string;
}

export interface AgentRunResult {
  candidates: FinishedCandidate[];
  selection: Selection;
  /** The reason the run as a whole stopped. */
  stopReason: StopReason;
}

/**
 * Runs the candidates concurrently on one shared budget, then tests each one's final state and
 * selects the best. With `until-green` the first candidate whose suite passes stops the others.
 */
export async function runAgent(options: AgentRunOptions): Promise<AgentRunResult> {
  const stopOthers = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stopOthers.signal]) : stopOthers.signal;
  const deadline = setTimeout(() => stopOthers.abort(new Error("budget:time")), options.budget.remainingMs());
  const progress: CandidateResult[] = [];
  try {
    const results = await Promise.all(
      options.candidates.map(async (candidate, index) => {
        const result = await runOneCandidate(options, candidate, index, signal, (latest) => {
          progress[index] = latest;
          options.onProgress?.(progress.filter(Boolean));
        });
        if (result.stopReason === "tests-pass" && options.strategy === "until-green") stopOthers.abort(new Error("another candidate passed"));
        return result;
      }),
    );
    // A failure in every candidate is a failure of the run, such as a model the operator cannot reach.
    const crashes = results.map((result) => result.crash).filter((crash) => crash !== undefined);
    if (crashes.length === results.length && crashes.length > 0 && !signal.aborted) throw crashes[0];
    const candidates = await evaluate(options, results);
    const selection = selectCandidate(candidates.map(summarise), { testsPassed: options.baseline.passed, failingTests: failingNames(options.baseline) });
    return { candidates, selection, stopReason: runStopReason(options, candidates, selection) };
  } finally {
    clearTimeout(deadline);
  }
}

async function runOneCandidate(
  options: AgentRunOptions,
  candidate: AgentCandidate,
  index: number,
  signal: AbortSignal,
  onStep: (result: CandidateResult) => void,
): Promise<CandidateResult> {
  const id = candidate.workspace.id;
  const log = options.log.child({ candidate: id, approach: candidate.approach });
  try {
    return await runCandidate({
      id,
      index,
      approach: candidate.approach,
      workspace: candidate.workspace,
      tests: options.tests,
      baseline: options.baseline,
      prefix: options.prefix,
      model: options.model,
      budget: options.budget,
      protectedPaths: options.protectedPaths,
      maxOutputTokens: options.maxOutputTokens,
      log,
      signal,
      onStep: (_step, result) => onStep(result),
    });
  } catch (error) {
    log.error({ err: error }, "candidate failed");
    return {
      id,
      approach: candidate.approach,
      stopReason: signal.aborted ? "cancelled" : "error",
      steps: [],
      untestedChanges: true,
      lastProblem: (error as Error).message,
      crash: error,
      spend: { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, usd: 0, modelCalls: 0, testRuns: 0, durationMs: 0 },
    };
  }
}

/**
 * Attaches each candidate's diff and, for a candidate whose files changed after its newest full run,
 * runs the suite once more so selection judges what would be published. A run the budget refuses
 * leaves the candidate judged by its newest result.
 */
async function evaluate(options: AgentRunOptions, results: CandidateResult[]): Promise<FinishedCandidate[]> {
  const finished: FinishedCandidate[] = [];
  for (const [index, result] of results.entries()) {
    const workspace = (options.candidates[index] as AgentCandidate).workspace;
    const diff = await workspace.diff();
    if (diff.trim() !== "" && (result.untestedChanges || !result.finalTest) && !options.signal?.aborted) {
      const run = await runBudgetedTests(workspace, options.tests, [], options.signal);
      if (run.ok) {
        result.finalTest = run.result;
        result.untestedChanges = false;
        result.spend.testRuns += 1;
      }
    }
    finished.push({ ...result, diff });
  }
  return finished;
}

function failingNames(result: TestResult): string[] | undefined {
  return result.report.source === "exit-code" ? undefined : result.report.failures.map((failure) => failure.name);
}

function summarise(candidate: FinishedCandidate): CandidateSummary {
  const test = candidate.finalTest;
  const failing = test ? failingNames(test) : undefined;
  let reproductionPassed: boolean | undefined;
  if (candidate.reproductionTests && test) {
    const stillFailing = new Set(failing ?? []);
    reproductionPassed = candidate.reproductionTests.length > 0 ? candidate.reproductionTests.every((name) => !stillFailing.has(name)) : test.passed;
  }
  return {
    id: candidate.id,
    approach: candidate.approach,
    diff: candidate.diff,
    testsPassed: Boolean(test?.passed) && !candidate.untestedChanges,
    failingTests: test ? failing : undefined,
    reproductionPassed,
  };
}

function runStopReason(options: AgentRunOptions, candidates: FinishedCandidate[], selection: Selection): StopReason {
  const winner = candidates.find((candidate) => candidate.id === selection.winner?.candidate.id);
  if (winner?.finalTest?.passed && !winner.untestedChanges) return "tests-pass";
  if (options.signal?.aborted) return "cancelled";
  const exhausted = options.budget.exhausted();
  if (exhausted) return exhausted;
  const reasons = candidates.map((candidate) => candidate.stopReason);
  return reasons.find((reason) => reason.startsWith("budget:")) ?? reasons.find((reason) => reason === "error") ?? "model-done";
}
