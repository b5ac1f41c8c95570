import type { ModelMessage } from "ai";
import type { Logger } from "pino";
import type { PackedContext } from "../context/pack-context.js";
import type { ModelClient } from "../llm/model-client.js";
import { runTests, type TestResult } from "../sandbox/run-tests.js";
import type { Sandbox } from "../sandbox/sandbox.js";
import { type Budget, type BudgetStopReason, estimateTokens } from "./budget.js";
import { applyEdits } from "./edits/apply.js";
import { parseSearchReplace } from "./edits/search-replace.js";
import {
  buildTaskPrompt,
  describeApplyErrors,
  describeTestResult,
  NO_EDIT_FEEDBACK,
  SYSTEM_PROMPT,
  type TaskDescription,
} from "./prompt.js";

export type StopReason = "tests-pass" | "model-done" | BudgetStopReason | "cancelled" | "error";

export interface StepRecord {
  step: number;
  appliedFiles: string[];
  applyErrors: string[];
  test?: TestResult;
}

export interface AgentOutcome {
  stopReason: StopReason;
  steps: StepRecord[];
  /** The newest test result after an applied edit, if any edit was applied. */
  lastTest?: TestResult;
  /** Why the last step made no change, for the status comment when no edit was ever applied. */
  lastProblem?: string;
}

export interface AgentOptions {
  task: TaskDescription;
  context: PackedContext;
  baseline: TestResult | undefined;
  worktree: string;
  testCommand: string[];
  testEnvironment: Record<string, string>;
  testTimeoutMs: number;
  protectedPaths: string[];
  model: ModelClient;
  sandbox: Sandbox;
  budget: Budget;
  log: Logger;
  signal?: AbortSignal;
  maxOutputTokens?: number;
  onStep?: (step: number) => void;
}

const DEFAULT_MAX_OUTPUT_TOKENS = 4_096;

/**
 * Runs the edit-test loop: ask the model for edits, apply them, run the tests, and feed the result
 * back, until the tests pass, the model says it is done, or the budget is spent.
 */
export async function runAgentLoop(options: AgentOptions): Promise<AgentOutcome> {
  const maxOutputTokens = options.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS;
  const messages: ModelMessage[] = [{ role: "user", content: buildTaskPrompt(options.task, options.context, options.baseline) }];
  const steps: StepRecord[] = [];
  let lastTest: TestResult | undefined;
  let lastProblem: string | undefined;

  for (let step = 1; ; step++) {
    if (options.signal?.aborted) return { stopReason: "cancelled", steps, lastTest, lastProblem };
    const promptTokens = estimateTokens(SYSTEM_PROMPT + messages.map((message) => JSON.stringify(message.content)).join(""));
    const refusal = options.budget.refusalFor(promptTokens + maxOutputTokens);
    if (refusal) return { stopReason: refusal, steps, lastTest, lastProblem };

    options.onStep?.(step);
    const reply = await options.model.complete({ system: SYSTEM_PROMPT, messages, maxOutputTokens, abortSignal: options.signal });
    options.budget.recordModelCall(reply.usage);
    messages.push({ role: "assistant", content: reply.text });

    const parsed = parseSearchReplace(reply.text);
    if (parsed.edits.length === 0) {
      if (isDone(reply.text) && lastTest?.passed) return { stopReason: "model-done", steps, lastTest, lastProblem };
      lastProblem = parsed.errors.length > 0 ? describeApplyErrors(parsed.errors) : NO_EDIT_FEEDBACK;
      options.log.debug({ step, problem: lastProblem }, "model reply had no usable edit");
      steps.push({ step, appliedFiles: [], applyErrors: parsed.errors.length > 0 ? parsed.errors : [NO_EDIT_FEEDBACK] });
      messages.push({ role: "user", content: lastProblem });
      continue;
    }

    const applied = await applyEdits(options.worktree, parsed.edits, options.protectedPaths);
    const errors = [...parsed.errors, ...applied.errors];
    if (applied.errors.length > 0) {
      lastProblem = describeApplyErrors(errors);
      steps.push({ step, appliedFiles: [], applyErrors: errors });
      messages.push({ role: "user", content: lastProblem });
      continue;
    }

    const test = await runStepTests(options);
    lastTest = test;
    steps.push({ step, appliedFiles: applied.changedFiles, applyErrors: parsed.errors, test });
    options.log.info({ step, files: applied.changedFiles.length, testsPassed: test.passed }, "step finished");
    if (test.passed) return { stopReason: "tests-pass", steps, lastTest, lastProblem };
    messages.push({ role: "user", content: `Your edits were applied to ${applied.changedFiles.join(", ")}.\n${describeTestResult(test)}` });
  }
}

async function runStepTests(options: AgentOptions): Promise<TestResult> {
  options.budget.recordTestRun();
  const timeoutMs = Math.max(1_000, Math.min(options.testTimeoutMs, options.budget.remainingMs()));
  return runTests(options.sandbox, options.testCommand, {
    worktree: options.worktree,
    environment: options.testEnvironment,
    timeoutMs,
    signal: options.signal,
  });
}

function isDone(text: string): boolean {
  return /^\s*DONE\s*\.?\s*$/i.test(text);
}
