import { setTimeout as sleepFor } from "node:timers/promises";
import type { LanguageModelV3 } from "@ai-sdk/provider";
import { generateText, type ModelMessage, type ToolSet } from "ai";
import type { Logger } from "pino";
import { type CallFailureKind, ModelCallError, ModelError, providerErrorMessage } from "./errors.js";
import type { ModelFacts } from "./model-facts.js";
import { layoutPrompt } from "./prompt-layout.js";
import { priceUsage } from "./pricing.js";
import { backoffDelayMs, classifyFailure, type RetryPolicy } from "./retry-policy.js";
import { addUsage, emptyUsage, type TokenUsage, usageFromSdk } from "./usage.js";
import { countOf } from "../text/plural.js";

export type { TokenUsage } from "./usage.js";
export { addUsage, emptyUsage } from "./usage.js";

export interface ModelRequest {
  system: string;
  /** Stable context (repository files, the issue), sent first and marked for caching. */
  prefix?: string;
  messages: ModelMessage[];
  /** Tools without `execute`: their calls come back in the reply for the caller to run. */
  tools?: ToolSet;
  maxOutputTokens: number;
  abortSignal?: AbortSignal;
}

export interface ModelToolCall {
  toolCallId: string;
  toolName: string;
  input: unknown;
}

/** A call to an unknown tool or with unreadable input. */
export interface InvalidToolCall extends ModelToolCall {
  error: string;
}

/** Reason a reply contains nothing to act on. The caller shows it to the model and sends a new request. */
export interface ReplyProblem {
  code: "empty-reply" | "malformed-reply";
  message: string;
}

export interface ModelReply {
  text: string;
  toolCalls: ModelToolCall[];
  invalidToolCalls: InvalidToolCall[];
  /**
   * The assistant turn, followed by an error result for each invalid tool call, to append to the
   * conversation as they are. The caller appends the results of the valid tool calls after them.
   */
  responseMessages: ModelMessage[];
  finishReason: string;
  problem?: ReplyProblem;
  /** Usage of every attempt this reply took, failed ones and fallbacks included. */
  usage: TokenUsage;
  costUsd: number;
  attempts: number;
  /** The model that produced the reply, which is a fallback when the default one failed. */
  modelId: string;
}

/** The one door to language models; tests swap in a loopback server or nock behind the same client. */
export interface ModelClient {
  /** The model tried first. */
  readonly modelId: string;
  /** Facts of the model tried first, for reserving a call's worst-case cost. */
  readonly facts: ModelFacts;
  complete(request: ModelRequest): Promise<ModelReply>;
}

/** One model of the fallback list, ready to call. */
export interface ModelCandidate {
  modelId: string;
  model: LanguageModelV3;
  facts: ModelFacts;
}

export interface ModelClientOptions {
  timeoutMs: number;
  retry: RetryPolicy;
  log?: Logger;
  /** Waits between retries; tests pass one that records the delay and returns at once. */
  sleep?: (delayMs: number, signal: AbortSignal | undefined) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

type CandidateOutcome = { kind: "reply"; reply: ModelReply } | { kind: "failed"; reason: CallFailureKind; status?: number; error: unknown };

/** Running totals of one `complete` call over all its attempts. */
interface Spend {
  usage: TokenUsage;
  costUsd: number;
  attempts: number;
}

/** A {@link ModelClient} over AI SDK models with retries, a per-call timeout and a fallback list. */
export class AiSdkModelClient implements ModelClient {
  private readonly sleep: NonNullable<ModelClientOptions["sleep"]>;

  constructor(
    private readonly candidates: readonly ModelCandidate[],
    private readonly options: ModelClientOptions,
  ) {
    if (candidates.length === 0) throw new Error("AiSdkModelClient needs at least one model");
    this.sleep = options.sleep ?? ((delayMs, signal) => sleepFor(delayMs, undefined, { signal }));
  }

  get modelId(): string {
    return (this.candidates[0] as ModelCandidate).modelId;
  }

  get facts(): ModelFacts {
    return (this.candidates[0] as ModelCandidate).facts;
  }

  /**
   * Sends the request to the first model and, when it fails after its retries, to each fallback in
   * turn. A malformed or empty reply is returned with a `problem`, not thrown. Throws a
   * {@link ModelCallError} carrying the spent usage when every model failed.
   */
  async complete(request: ModelRequest): Promise<ModelReply> {
    const candidates = this.candidatesFor(request);
    const spend: Spend = { usage: emptyUsage(), costUsd: 0, attempts: 0 };
    let failure: Extract<CandidateOutcome, { kind: "failed" }> | undefined;
    for (const [index, candidate] of candidates.entries()) {
      const outcome = await this.completeWith(candidate, request, spend);
      if (outcome.kind === "reply") return outcome.reply;
      failure = outcome;
      const next = candidates[index + 1];
      if (next) this.options.log?.warn({ err: outcome.error, modelId: candidate.modelId, fallbackModelId: next.modelId, reason: outcome.reason }, "model failed, trying the fallback model");
    }
    const last = failure as Extract<CandidateOutcome, { kind: "failed" }>;
    const tried = candidates.map((candidate) => candidate.modelId).join(", ");
    const status = last.status ? ` (HTTP ${last.status})` : "";
    // A rejected call is the one the user must fix, and the provider's reply explains what to change.
    const providerMessage = last.reason === "rejected" ? providerErrorMessage(last.error) : undefined;
    const detail = providerMessage ? `: ${providerMessage.replace(/\.$/, "")}` : "";
    throw new ModelCallError(`The model call failed after ${countOf(spend.attempts, "attempt")} on ${tried}: ${last.reason}${status}${detail}.`, last.reason, spend.usage, spend.costUsd, spend.attempts, {
      cause: last.error,
    });
  }

  private candidatesFor(request: ModelRequest): readonly ModelCandidate[] {
    const needsTools = Object.keys(request.tools ?? {}).length > 0;
    if (!needsTools) return this.candidates;
    const usable = this.candidates.filter((candidate) => candidate.facts.supportsTools);
    if (usable.length > 0) return usable;
    throw new ModelError(
      "model-lacks-tools",
      `None of the models ${this.candidates.map((candidate) => candidate.modelId).join(", ")} supports tool calls, which this request needs.`,
      "Choose a model that supports tools, or set supportsTools in MAGIC_MODEL_FACTS_FILE if the model does support them.",
    );
  }

  private async completeWith(candidate: ModelCandidate, request: ModelRequest, spend: Spend): Promise<CandidateOutcome> {
    const policy = this.options.retry;
    for (let retry = 0; ; retry++) {
      spend.attempts += 1;
      try {
        const result = await this.attempt(candidate, request);
        const usage = usageFromSdk(result.usage);
        addSpend(spend, usage, priceUsage(candidate.facts, usage));
        this.options.log?.debug({ modelId: candidate.modelId, attempts: spend.attempts, ...usage, costUsd: spend.costUsd }, "model call finished");
        return { kind: "reply", reply: replyFrom(result, candidate.modelId, spend) };
      } catch (error) {
        if (request.abortSignal?.aborted) throw error;
        const failure = classifyFailure(error, (this.options.now ?? Date.now)());
        if (failure.kind === "aborted" || failure.kind === "unexpected") throw error;
        if (failure.kind === "malformed") {
          this.options.log?.warn({ err: error, modelId: candidate.modelId }, "model reply could not be read");
          return { kind: "reply", reply: problemReply(candidate.modelId, spend, { code: "malformed-reply", message: failure.detail }) };
        }
        if (failure.kind === "fatal") return { kind: "failed", reason: failure.reason, status: failure.status, error };

        const delayMs = retry < policy.maxRetries ? backoffDelayMs(retry, policy, failure.retryAfterMs, this.options.random) : undefined;
        if (delayMs === undefined) return { kind: "failed", reason: failure.reason, status: failure.status, error };
        this.options.log?.warn({ err: error, modelId: candidate.modelId, attempt: retry + 1, reason: failure.reason, status: failure.status, delayMs }, "model call failed, retrying");
        await this.sleep(delayMs, request.abortSignal);
      }
    }
  }

  private attempt(candidate: ModelCandidate, request: ModelRequest) {
    const layout = layoutPrompt(request, candidate.facts.promptCaching);
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const abortSignal = request.abortSignal ? AbortSignal.any([request.abortSignal, timeout]) : timeout;
    return generateText({
      model: candidate.model,
      system: layout.system,
      messages: layout.messages,
      tools: request.tools,
      maxOutputTokens: Math.min(request.maxOutputTokens, candidate.facts.maxOutputTokens ?? request.maxOutputTokens),
      abortSignal,
      // Retries happen in completeWith, which honours retry-after and charges every attempt.
      maxRetries: 0,
    });
  }
}

function addSpend(spend: Spend, usage: TokenUsage, costUsd: number): void {
  spend.usage = addUsage(spend.usage, usage);
  spend.costUsd += costUsd;
}

type GenerateResult = Awaited<ReturnType<typeof generateText>>;

function replyFrom(result: GenerateResult, modelId: string, spend: Spend): ModelReply {
  const toolCalls: ModelToolCall[] = [];
  const invalidToolCalls: InvalidToolCall[] = [];
  for (const call of result.toolCalls) {
    const base = { toolCallId: call.toolCallId, toolName: call.toolName, input: call.input };
    if (call.invalid) invalidToolCalls.push({ ...base, error: errorMessage(call.error) });
    else toolCalls.push(base);
  }
  const reply: ModelReply = {
    text: result.text,
    toolCalls,
    invalidToolCalls,
    responseMessages: result.response.messages,
    finishReason: result.finishReason,
    usage: spend.usage,
    costUsd: spend.costUsd,
    attempts: spend.attempts,
    modelId,
  };
  if (result.text.trim() === "" && result.toolCalls.length === 0) {
    // An empty assistant turn is rejected by some providers when sent back, so it is left out.
    reply.responseMessages = [];
    reply.problem = { code: "empty-reply", message: `The model returned no text and no tool call (finish reason: ${result.finishReason}).` };
  }
  return reply;
}

// NOTE: a reply that could not be read reports no usage, so its tokens are not charged.
function problemReply(modelId: string, spend: Spend, problem: ReplyProblem): ModelReply {
  return {
    text: "",
    toolCalls: [],
    invalidToolCalls: [],
    responseMessages: [],
    finishReason: "error",
    problem,
    usage: spend.usage,
    costUsd: spend.costUsd,
    attempts: spend.attempts,
    modelId,
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
