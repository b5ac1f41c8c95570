/** Provider prices in US dollars per million tokens. */
export interface Prices {
  inputPerMillion: number;
  outputPerMillion: number;
}

export interface EvalBudgetLimits {
  /** Input plus output tokens over all requests. */
  maxTokens?: number;
  /** Dollars over all requests; needs `prices`. */
  maxCostUsd?: number;
  prices?: Prices;
}

export interface TokenCount {
  inputTokens: number;
  outputTokens: number;
}

/** Tokens held for one request from before it starts until its usage is known. */
export interface Reservation extends TokenCount {
  readonly id: number;
}

/**
 * The tokens and dollars an evaluation may spend. Each request reserves its worst case (estimated
 * input plus its output cap) before it starts and is charged what the provider reported when it
 * ends, so requests running in parallel can never pass a limit together.
 */
export class EvalBudget {
  readonly spent: TokenCount = { inputTokens: 0, outputTokens: 0 };
  private readonly open = new Map<number, TokenCount>();
  private nextId = 1;

  constructor(readonly limits: EvalBudgetLimits) {}

  /** Reserves a request's worst case, or returns undefined when it would pass a limit. */
  tryReserve(worstCase: TokenCount): Reservation | undefined {
    const committed = this.committed();
    const after = { inputTokens: committed.inputTokens + worstCase.inputTokens, outputTokens: committed.outputTokens + worstCase.outputTokens };
    if (this.limits.maxTokens !== undefined && after.inputTokens + after.outputTokens > this.limits.maxTokens) return undefined;
    if (this.limits.maxCostUsd !== undefined && this.costOf(after) > this.limits.maxCostUsd) return undefined;
    const reservation = { id: this.nextId++, ...worstCase };
    this.open.set(reservation.id, worstCase);
    return reservation;
  }

  /**
   * Replaces a reservation with the usage the provider reported. A failed request (no usage) is
   * charged its whole reservation, because the provider may have billed it before it failed. A reply
   * that reports no input tokens is charged the reserved input for the same reason.
   */
  settle(reservation: Reservation, usage: TokenCount | undefined): void {
    if (!this.open.delete(reservation.id)) return;
    this.spent.inputTokens += usage && usage.inputTokens > 0 ? usage.inputTokens : reservation.inputTokens;
    this.spent.outputTokens += usage ? usage.outputTokens : reservation.outputTokens;
  }

  /** Dollars spent so far, or undefined without prices. */
  get spentUsd(): number | undefined {
    return this.limits.prices ? this.costOf(this.spent) : undefined;
  }

  private committed(): TokenCount {
    const total = { ...this.spent };
    for (const held of this.open.values()) {
      total.inputTokens += held.inputTokens;
      total.outputTokens += held.outputTokens;
    }
    return total;
  }

  private costOf(tokens: TokenCount): number {
    const prices = this.limits.prices ?? { inputPerMillion: 0, outputPerMillion: 0 };
    // NOTE: cached input is charged at the full input price, so the cost is an upper bound.
    return (tokens.inputTokens * prices.inputPerMillion + tokens.outputTokens * prices.outputPerMillion) / 1_000_000;
  }
}

// Until a provider has reported usage, local counts are assumed to fall short of its own by up
// to a quarter, which covers chat template overhead and a different tokenizer.
const INITIAL_INPUT_FACTOR = 1.25;
const MEASURED_MARGIN = 1.02;

/**
 * Calibrates the local token count of a prompt to the count the provider bills: the factor is the
 * largest ratio seen so far between reported and locally counted input tokens, plus a small margin.
 */
export class InputCalibration {
  private maxRatio: number | undefined;

  get factor(): number {
    return this.maxRatio === undefined ? INITIAL_INPUT_FACTOR : this.maxRatio * MEASURED_MARGIN;
  }

  /** Records one request; replies without input usage are ignored. */
  observe(countedTokens: number, reportedTokens: number): void {
    if (countedTokens <= 0 || reportedTokens <= 0) return;
    const ratio = reportedTokens / countedTokens;
    this.maxRatio = this.maxRatio === undefined ? ratio : Math.max(this.maxRatio, ratio);
  }

  estimate(countedTokens: number): number {
    return Math.ceil(countedTokens * this.factor);
  }
}
