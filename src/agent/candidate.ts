import type { ModelMessage } from "ai";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import type { Logger } from "pino";
import { ModelCallError } from "../llm/errors.js";
import type { ModelClient, ModelReply } from "../llm/model-client.js";
import type { TestResult } from "../sandbox/run-tests.js";
import { describeTestRun } from "../sandbox/test-feedback.js";
import { type Approach, approachInstruction, checkReproduction, FIX_PHASE_INSTRUCTION } from "./approaches.js";
import { type Budget, type BudgetStopReason, type Reservation, reservedPromptTokens } from "./budget.js";
import { pricedEstimate } from "./call-estimate.js";
import { type CandidateWorkspace, runBudgetedTests, type TestSettings } from "./candidate-tests.js";
import { parseEdits } from "./edits/index.js";
import { compactHistory } from "./history.js";
import { describeApplyErrors, describeReplyProblem, NO_ACTION_FEEDBACK, SYSTEM_PROMPT } from "./prompt.js";
import { agentTools } from "./tools/definitions.js";
import { applyCandidateEdits, executeTool, type ToolContext, type ToolOutcome } from "./tools/execute-tool.js";

export type StopReason = "tests-pass" | "model-done" | BudgetStopReason | "cancelled" | "error";

export interface StepRecord {
  step: number;
  toolCalls: string[];
  changedFiles: string[];
  problems: string[];
  test?: { passed: boolean; failing: number; fullSuite: boolean };
}

/** One candidate's spend, for the pull request's table. */
export interface CandidateSpend {
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  usd: number;
  modelCalls: number;
  testRuns: number;
  durationMs: number;
}

export interface CandidateResult {
  id: string;
  approach: Approach;
  stopReason: StopReason;
  steps: StepRecord[];
  /** The newest run of the whole suite after the candidate's last edit, when there is one. */
  finalTest?: TestResult;
  /** Whether files changed after the newest full test run. */
  untestedChanges: boolean;
  /** Tests the reproduce-first approach confirmed as failing on the base commit. */
  reproductionTests?: string[];
  summary?: string;
  /** The reason the newest step made no change, for the status comment when nothing was ever changed. */
  lastProblem?: string;
  /** The error that ended the candidate unexpectedly, when one did. */
  crash?: unknown;
  spend: CandidateSpend;
}

export interface CandidateOptions {
  id: string;
  index: number;
  approach: Approach;
  workspace: CandidateWorkspace;
  tests: TestSettings;
  baseline: TestResult;
  prefix: string;
  model: ModelClient;
  budget: Budget;
  protectedPaths: string[];
  maxOutputTokens: number;
  log: Logger;
  signal: AbortSignal;
  onStep?: (step: number, result: CandidateResult) => void;
}

/** Runs one candidate's loop of model steps until its tests pass, it finishes, or the run stops it. */
export async function runCandidate(options: CandidateOptions): Promise<CandidateResult> {
  return new CandidateLoop(options).run();
}

class CandidateLoop {
  private readonly messages: ModelMessage[];
  private readonly result: CandidateResult;
  private readonly toolContext: ToolContext;
  private readonly startedAt = Date.now();
  private reproducing: boolean;

  constructor(private readonly options: CandidateOptions) {
    this.messages = [{ role: "user", content: approachInstruction(options.approach, options.index) }];
    this.reproducing = options.approach === "reproduce-first";
    this.result = {
      id: options.id,
      approach: options.approach,
      stopReason: "model-done",
      steps: [],
      untestedChanges: false,
      spend: { inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, usd: 0, modelCalls: 0, testRuns: 0, durationMs: 0 },
    };
    this.toolContext = {
      workspace: options.workspace,
      tests: options.tests,
      protectedPaths: options.protectedPaths,
      baseline: options.baseline,
      testFilesOnly: this.reproducing,
      signal: options.signal,
    };
  }

  async run(): Promise<CandidateResult> {
    for (let step = 1; ; step++) {
      const stop = await this.step(step);
      if (stop) return this.finish(stop);
    }
  }

  private finish(stopReason: StopReason): CandidateResult {
    this.result.stopReason = stopReason;
    this.result.spend.durationMs = Date.now() - this.startedAt;
    this.options.log.info({ candidate: this.options.id, stopReason, steps: this.result.steps.length, ...this.result.spend }, "candidate finished");
    return this.result;
  }

  /** Runs one model step; returns a stop reason when the candidate is done. */
  private async step(step: number): Promise<StopReason | undefined> {
    if (this.options.signal.aborted) return "cancelled";
    const exhausted = this.options.budget.exhausted();
    if (exhausted) return exhausted;
    const record: StepRecord = { step, toolCalls: [], changedFiles: [], problems: [] };
    const reply = await this.callModel();
    if (typeof reply === "string") return reply;
    this.result.steps.push(record);
    this.options.onStep?.(step, this.result);

    if (reply.problem) {
      this.addProblem(record, describeReplyProblem(reply.problem.message));
      return undefined;
    }
    this.messages.push(...reply.responseMessages);
    const stop = reply.toolCalls.length > 0 || reply.invalidToolCalls.length > 0 ? await this.runToolCalls(reply, record) : await this.handleText(reply.text, record);
    return stop ?? this.greenStop();
  }

  /** Reserves the call's worst case, calls the model and settles what it really cost. */
  private async callModel(): Promise<ModelReply | StopReason> {
    const { budget, model, signal } = this.options;
    const contextLimit = Math.max(4_096, model.facts.contextWindow - this.options.maxOutputTokens - countTokens(SYSTEM_PROMPT + this.options.prefix));
    const history = compactHistory(this.messages, contextLimit, (message) => countTokens(JSON.stringify(message.content)));
    const promptTokens = reservedPromptTokens(countTokens(SYSTEM_PROMPT + this.options.prefix + JSON.stringify(history)), history.length + 2);
    const reserved = budget.reserveCall(pricedEstimate(model.facts, promptTokens, this.options.maxOutputTokens));
    if (!reserved.ok) return reserved.reason;
    try {
      const reply = await model.complete({ system: SYSTEM_PROMPT, prefix: this.options.prefix, messages: history, tools: agentTools(), maxOutputTokens: this.options.maxOutputTokens, abortSignal: signal });
      this.settle(reserved.reservation, reply.usage, reply.costUsd);
      return reply;
    } catch (error) {
      if (error instanceof ModelCallError) {
        this.settle(reserved.reservation, error.usage, error.costUsd);
        this.result.lastProblem = error.message;
        this.options.log.warn({ err: error, candidate: this.options.id }, "model call failed; the candidate stops");
        return "error";
      }
      budget.release(reserved.reservation);
      if (signal.aborted) return "cancelled";
      throw error;
    }
  }

  private settle(reservation: Reservation, usage: ModelReply["usage"], usd: number): void {
    this.options.budget.settleCall(reservation, { ...usage, usd });
    const spend = this.result.spend;
    spend.modelCalls += 1;
    spend.inputTokens += usage.inputTokens;
    spend.cachedInputTokens += usage.cachedInputTokens;
    spend.outputTokens += usage.outputTokens;
    spend.usd += usd;
  }

  private addProblem(record: StepRecord, message: string): void {
    record.problems.push(message);
    this.result.lastProblem = message;
    this.messages.push({ role: "user", content: message });
  }

  private async runToolCalls(reply: ModelReply, record: StepRecord): Promise<StopReason | undefined> {
    const results: Array<{ type: "tool-result"; toolCallId: string; toolName: string; output: { type: "text"; value: string } }> = [];
    let stop: StopReason | undefined;
    for (const call of reply.toolCalls) {
      record.toolCalls.push(call.toolName);
      const outcome = await executeTool(call.toolName, call.input, { ...this.toolContext, testFilesOnly: this.reproducing });
      const output = this.absorb(outcome, record);
      results.push({ type: "tool-result", toolCallId: call.toolCallId, toolName: call.toolName, output: { type: "text", value: output } });
      if (outcome.refusal) stop = outcome.refusal;
      if (outcome.finished !== undefined) {
        this.result.summary = outcome.finished;
        stop ??= "model-done";
      }
    }
    if (results.length > 0) this.messages.push({ role: "tool", content: results });
    for (const invalid of reply.invalidToolCalls) record.problems.push(`invalid call of ${invalid.toolName}: ${invalid.error}`);
    return stop;
  }

  /** Records a tool outcome's effects and returns the text for the model, with phase changes added. */
  private absorb(outcome: ToolOutcome, record: StepRecord): string {
    if (outcome.changedFiles) {
      record.changedFiles.push(...outcome.changedFiles);
      this.result.untestedChanges = true;
    }
    if (!outcome.test) return outcome.output;
    this.result.spend.testRuns += 1;
    const { result, fullSuite } = outcome.test;
    record.test = { passed: result.passed, failing: result.report.failures.length, fullSuite };
    if (fullSuite) {
      this.result.finalTest = result;
      this.result.untestedChanges = false;
    }
    return this.reproducing ? `${outcome.output}\n\n${this.checkReproduction(result)}` : outcome.output;
  }

  private checkReproduction(result: TestResult): string {
    const check = checkReproduction(this.options.baseline, result);
    if (check.kind === "not-failing") return check.message;
    this.reproducing = false;
    this.result.reproductionTests = check.tests;
    this.options.log.info({ candidate: this.options.id, tests: check.tests }, "reproduction confirmed");
    return FIX_PHASE_INSTRUCTION;
  }

  /** Handles a reply without tool calls: edits written as text, DONE, or nothing usable. */
  private async handleText(text: string, record: StepRecord): Promise<StopReason | undefined> {
    const parsed = parseEdits(text);
    if (parsed.edits.length === 0 && parsed.errors.length === 0) {
      if (/^\s*DONE\s*\.?\s*$/i.test(text) && this.result.finalTest?.passed && !this.result.untestedChanges) return "model-done";
      this.addProblem(record, NO_ACTION_FEEDBACK);
      return undefined;
    }
    const applied = parsed.errors.length > 0 ? { changedFiles: [], errors: parsed.errors } : await applyCandidateEdits(parsed.edits, { ...this.toolContext, testFilesOnly: this.reproducing });
    if (applied.errors.length > 0) {
      this.addProblem(record, describeApplyErrors(applied.errors));
      return undefined;
    }
    record.changedFiles.push(...applied.changedFiles);
    this.result.untestedChanges = true;
    const run = await runBudgetedTests(this.options.workspace, this.options.tests, [], this.options.signal);
    if (!run.ok) return run.reason;
    const feedback = this.absorb({ output: describeTestRun(run.result, this.options.baseline), test: { result: run.result, fullSuite: true } }, record);
    this.messages.push({ role: "user", content: `Your edits were applied to ${applied.changedFiles.join(", ")}.\n\n${feedback}` });
    return undefined;
  }

  /** Stops the candidate once the whole suite passes after its last change, outside the reproduce phase. */
  private greenStop(): StopReason | undefined {
    const test = this.result.finalTest;
    if (this.reproducing || !test?.passed || this.result.untestedChanges) return undefined;
    return this.result.steps.some((step) => step.changedFiles.length > 0) ? "tests-pass" : undefined;
  }
}
