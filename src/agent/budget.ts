import type { TokenUsage } from "../llm/usage.js";

export interface BudgetLimits {
  modelCalls: number;
  /** Input plus output tokens over all model calls. */
  tokens: number;
  /** Wall-clock time of the run in milliseconds. */
  durationMs: number;
}

export type BudgetStopReason = "budget:model-calls" | "budget:tokens" | "budget:time";

export interface BudgetLedger {
  modelCalls: number;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  /** Dollars of all model calls, priced from the model facts table. */
  costUsd: number;
  testRuns: number;
}

/**
 * The compute a run may spend and what it has spent. A model call is made only when its worst case,
 * the prompt estimate plus its maximum output, fits in what is left.
 */
export class Budget {
  readonly ledger: BudgetLedger = { modelCalls: 0, inputTokens: 0, cachedInputTokens: 0, outputTokens: 0, costUsd: 0, testRuns: 0 };
  private readonly startedAt: number;

  constructor(
    readonly limits: BudgetLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
  }

  get tokensSpent(): number {
    return this.ledger.inputTokens + this.ledger.outputTokens;
  }

  get elapsedMs(): number {
    return this.now() - this.startedAt;
  }

  /** Returns why a call with this worst-case token count may not be made, or undefined when it may. */
  refusalFor(worstCaseTokens: number): BudgetStopReason | undefined {
    if (this.elapsedMs >= this.limits.durationMs) return "budget:time";
    if (this.ledger.modelCalls >= this.limits.modelCalls) return "budget:model-calls";
    if (this.tokensSpent + worstCaseTokens > this.limits.tokens) return "budget:tokens";
    return undefined;
  }

  recordModelCall(usage: TokenUsage, costUsd: number): void {
    this.ledger.modelCalls += 1;
    this.ledger.costUsd += costUsd;
    this.ledger.inputTokens += usage.inputTokens;
    this.ledger.cachedInputTokens += usage.cachedInputTokens;
    this.ledger.outputTokens += usage.outputTokens;
  }

  recordTestRun(): void {
    this.ledger.testRuns += 1;
  }

  /** Milliseconds left before the time limit, for capping a test run. */
  remainingMs(): number {
    return Math.max(0, this.limits.durationMs - this.elapsedMs);
  }
}

/** A rough token count for budgeting before the provider reports the real one: about 4 characters a token. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
