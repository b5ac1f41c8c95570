import PQueue from "p-queue";
import type { Logger } from "pino";
import type { ModelClient } from "../../llm/model-client.js";
import { type EvalBudget, InputCalibration } from "./budget.js";
import { generateSample, type HashHopSample, type Variant } from "./generate.js";
import { buildQueryPrompt, HASHHOP_SYSTEM_PROMPT, maxOutputTokensFor } from "./prompt.js";
import { systemClock, TokenRateLimiter, type Clock } from "./rate-limit.js";
import { type QueryScore, scoreReply } from "./score.js";
import type { TokenCounter } from "./tokenizer.js";

/** The combinations to measure: every size with every hop count and variant, `samples` prompts each. */
export interface EvalPlan {
  /** Target sizes of the pair lines, in tokens. */
  sizes: number[];
  hops: number[];
  variants: Variant[];
  samples: number;
  queries: number;
  hashLength: number;
  seed: string;
}

export interface SampleKey {
  size: number;
  hops: number;
  variant: Variant;
  /** 0-based sample number within its size, hops and variant. */
  index: number;
}

export type SampleStatus = "scored" | "failed" | "not-run";

export interface SampleResult extends SampleKey {
  status: SampleStatus;
  /** One score per query, empty unless scored. */
  scores: QueryScore[];
  /** Tokens of the pair lines by the local tokenizer, or 0 when not run. */
  promptTokens: number;
  /** Input tokens of the whole request as the provider reported them. */
  reportedInputTokens?: number;
  error?: string;
}

export interface RunLimits {
  /** Requests in flight at once. */
  concurrency: number;
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  /** Time one request may take before it is aborted. */
  timeoutMs: number;
  /** Failed requests in a row after which the evaluation stops. */
  maxConsecutiveFailures: number;
  /** Output cap of each request. By default it is sized from the expected answer. */
  maxOutputTokens?: number;
}

export type StopReason = "completed" | "budget" | "model-failed";

export interface RunOutcome {
  results: SampleResult[];
  stopReason: StopReason;
  /** Message of the last failed request, when any failed. */
  lastError?: string;
}

export interface RunHashHopOptions {
  plan: EvalPlan;
  model: ModelClient;
  tokenizer: TokenCounter;
  budget: EvalBudget;
  limits: RunLimits;
  log: Logger;
  clock?: Clock;
  onResult?: (result: SampleResult, finished: number, total: number) => void;
}

/**
 * Lists the samples of a plan, sample 0 of every size, hops and variant first, then sample 1, and
 * so on, so an evaluation cut short by its budget still covers every combination evenly.
 */
export function planSamples(plan: EvalPlan): SampleKey[] {
  const keys: SampleKey[] = [];
  for (let index = 0; index < plan.samples; index++) {
    for (const size of plan.sizes) {
      for (const hops of plan.hops) {
        for (const variant of plan.variants) keys.push({ size, hops, variant, index });
      }
    }
  }
  return keys;
}

/**
 * Generates the sample for one key. The seed leaves out the variant, so the cot and skip samples of
 * a size, hops and index share their pairs and queries and differ only in the expected answers.
 */
export function generatePlanSample(plan: EvalPlan, key: SampleKey, tokenizer: TokenCounter): HashHopSample {
  return generateSample({
    seed: `${plan.seed}/${key.size}/${key.hops}/${key.index}`,
    targetTokens: key.size,
    hops: key.hops,
    variant: key.variant,
    queries: plan.queries,
    hashLength: plan.hashLength,
    tokenizer,
  });
}

/**
 * Runs a plan against a model: requests go out in parallel within the concurrency and rate limits,
 * each charged to the budget before it starts. The run stops early when the budget cannot cover
 * the next request or when `maxConsecutiveFailures` requests fail in a row.
 */
export async function runHashHop(options: RunHashHopOptions): Promise<RunOutcome> {
  const { plan, limits } = options;
  const keys = planSamples(plan);
  const results: SampleResult[] = keys.map((key) => ({ ...key, status: "not-run", scores: [], promptTokens: 0 }));
  const queue = new PQueue({
    concurrency: limits.concurrency,
    ...(limits.requestsPerMinute ? { intervalCap: limits.requestsPerMinute, interval: 60_000, strict: true } : {}),
  });
  const state: RunState = {
    stopReason: "completed",
    consecutiveFailures: 0,
    calibration: new InputCalibration(),
    limiter: limits.tokensPerMinute ? new TokenRateLimiter(limits.tokensPerMinute, options.clock ?? systemClock) : undefined,
  };
  const stop = (reason: StopReason): void => {
    if (state.stopReason !== "completed") return;
    state.stopReason = reason;
    queue.clear();
  };
  let finished = 0;

  options.log.info({ model: options.model.modelId, requests: keys.length }, "HashHop evaluation started");
  keys.forEach((key, position) => {
    void queue.add(async () => {
      if (state.stopReason !== "completed") return;
      let result: SampleResult;
      try {
        result = await runSample(options, key, state, stop);
      } catch (error) {
        // Request failures are handled inside; this catches a sample that could not be built.
        const message = error instanceof Error ? error.message : String(error);
        options.log.error({ ...key, error: message }, "HashHop sample failed before its request");
        result = { ...key, status: "failed", scores: [], promptTokens: 0, error: message };
        state.lastError = message;
      }
      results[position] = result;
      options.onResult?.(result, ++finished, keys.length);
    });
  });
  await queue.onIdle();
  options.log.info({ model: options.model.modelId, stopReason: state.stopReason, finished }, "HashHop evaluation finished");
  return { results, stopReason: state.stopReason, lastError: state.lastError };
}

interface RunState {
  stopReason: StopReason;
  consecutiveFailures: number;
  lastError?: string;
  calibration: InputCalibration;
  limiter: TokenRateLimiter | undefined;
}

async function runSample(options: RunHashHopOptions, key: SampleKey, state: RunState, stop: (reason: StopReason) => void): Promise<SampleResult> {
  const { model, tokenizer, budget, limits, log } = options;
  const sample = generatePlanSample(options.plan, key, tokenizer);
  const userText = buildQueryPrompt(sample);
  const countedInput = tokenizer.count(HASHHOP_SYSTEM_PROMPT) + tokenizer.count(userText);
  const maxOutputTokens = limits.maxOutputTokens ?? maxOutputTokensFor(sample, tokenizer);
  const worstCase = { inputTokens: state.calibration.estimate(countedInput), outputTokens: maxOutputTokens };
  const notRun: SampleResult = { ...key, status: "not-run", scores: [], promptTokens: sample.promptTokens };

  const reservation = budget.tryReserve(worstCase);
  if (!reservation) {
    log.info({ ...key, worstCaseTokens: worstCase.inputTokens + worstCase.outputTokens }, "HashHop budget cannot cover the next request; stopping");
    stop("budget");
    return notRun;
  }
  try {
    await state.limiter?.acquire(worstCase.inputTokens + worstCase.outputTokens);
    const reply = await model.complete({
      system: HASHHOP_SYSTEM_PROMPT,
      messages: [{ role: "user", content: userText }],
      maxOutputTokens,
      abortSignal: AbortSignal.timeout(limits.timeoutMs),
    });
    budget.settle(reservation, reply.usage);
    state.calibration.observe(countedInput, reply.usage.inputTokens);
    state.consecutiveFailures = 0;
    const scores = scoreReply(sample, reply.text);
    log.debug({ ...key, correct: scores.filter((score) => score.exact).length, queries: scores.length }, "HashHop sample scored");
    return { ...key, status: "scored", scores, promptTokens: sample.promptTokens, reportedInputTokens: reply.usage.inputTokens || undefined };
  } catch (error) {
    budget.settle(reservation, undefined);
    const message = describeRequestError(error, limits.timeoutMs);
    state.lastError = message;
    state.consecutiveFailures += 1;
    // The error object carries the whole request body, prompt included, so only its message is logged.
    log.warn({ ...key, error: message, consecutiveFailures: state.consecutiveFailures }, "HashHop request failed");
    if (state.consecutiveFailures >= limits.maxConsecutiveFailures) stop("model-failed");
    return { ...notRun, status: "failed", error: message };
  }
}

/**
 * Turns a failed request into one line: the timeout, or the error message with the HTTP status the
 * AI SDK attached. After retries the AI SDK throws a RetryError whose `lastError` has the status.
 */
export function describeRequestError(error: unknown, timeoutMs: number): string {
  const name = (error as { name?: unknown })?.name;
  if (name === "TimeoutError" || name === "AbortError") return `the request timed out after ${timeoutMs / 1000} s`;
  const lastError = (error as { lastError?: unknown })?.lastError ?? error;
  const status = (lastError as { statusCode?: unknown })?.statusCode;
  const message = error instanceof Error ? error.message : String(error);
  return typeof status === "number" ? `HTTP ${status}: ${message}` : message;
}
