/** Upper limits on what one run may spend. */
export interface BudgetLimits {
  usd: number;
  inputTokens: number;
  outputTokens: number;
  /** Wall-clock time of the run in milliseconds. */
  durationMs: number;
  testRuns: number;
  modelCalls: number;
}

export type LimitName = "usd" | "input-tokens" | "output-tokens" | "time" | "test-runs" | "model-calls";
export type BudgetStopReason = `budget:${LimitName}`;

/** Amounts spent, or reserved, of each limited quantity. */
export interface Spend {
  usd: number;
  inputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  outputTokens: number;
  modelCalls: number;
  testRuns: number;
  testMs: number;
}

/** Worst case of a model call: the prompt as counted, the full output allowance, and their price. */
export interface CallEstimate {
  inputTokens: number;
  maxOutputTokens: number;
  usd: number;
}

/** Actual usage of a model call as the provider reported it, priced from the model's price table. */
export interface CallUsage {
  inputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  outputTokens: number;
  usd: number;
}

export interface Reservation {
  readonly id: number;
  readonly kind: "call" | "test";
  readonly amount: Spend;
}

export type ReserveResult = { ok: true; reservation: Reservation } | { ok: false; reason: BudgetStopReason };

export function emptySpend(): Spend {
  return { usd: 0, inputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 0, modelCalls: 0, testRuns: 0, testMs: 0 };
}

function addSpend(left: Spend, right: Spend, sign = 1): Spend {
  const result = emptySpend();
  for (const key of Object.keys(result) as Array<keyof Spend>) result[key] = left[key] + sign * right[key];
  return result;
}

/**
 * The compute a run may spend and a ledger of what it has spent. Every model call and test run
 * reserves its worst case before it starts and settles its actual cost after it ends, so concurrent
 * candidates sharing one budget can never together pass a limit. A settlement above its reservation
 * is recorded in full and stops the run.
 */
export class Budget {
  private spentSoFar = emptySpend();
  private readonly open = new Map<number, Reservation>();
  private nextId = 1;
  private overrun: BudgetStopReason | undefined;
  private readonly startedAt: number;

  constructor(
    readonly limits: BudgetLimits,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
  }

  get spent(): Spend {
    return { ...this.spentSoFar };
  }

  get reserved(): Spend {
    let total = emptySpend();
    for (const reservation of this.open.values()) total = addSpend(total, reservation.amount);
    return total;
  }

  get elapsedMs(): number {
    return this.now() - this.startedAt;
  }

  remainingMs(): number {
    return Math.max(0, this.limits.durationMs - this.elapsedMs);
  }

  /** Returns why nothing more may start: the time is up or a settlement passed its reservation. */
  exhausted(): BudgetStopReason | undefined {
    if (this.overrun) return this.overrun;
    if (this.remainingMs() <= 0) return "budget:time";
    return undefined;
  }

  reserveCall(estimate: CallEstimate): ReserveResult {
    const amount = { ...emptySpend(), usd: estimate.usd, inputTokens: estimate.inputTokens, outputTokens: estimate.maxOutputTokens, modelCalls: 1 };
    return this.reserve("call", amount);
  }

  settleCall(reservation: Reservation, usage: CallUsage): void {
    const actual = { ...emptySpend(), ...usage, modelCalls: 1 };
    this.settle(reservation, actual);
  }

  /** Reserves one test run; its worst-case time is whatever is left of the run's wall clock. */
  reserveTestRun(): ReserveResult {
    return this.reserve("test", { ...emptySpend(), testRuns: 1 });
  }

  settleTestRun(reservation: Reservation, durationMs: number): void {
    this.settle(reservation, { ...emptySpend(), testRuns: 1, testMs: durationMs });
  }

  /** Releases a reservation whose work never started, so it costs nothing. */
  release(reservation: Reservation): void {
    this.open.delete(reservation.id);
  }

  private reserve(kind: Reservation["kind"], amount: Spend): ReserveResult {
    const blocked = this.exhausted() ?? firstPassedLimit(addSpend(addSpend(this.spentSoFar, this.reserved), amount), this.limits);
    if (blocked) return { ok: false, reason: blocked };
    const reservation: Reservation = { id: this.nextId++, kind, amount };
    this.open.set(reservation.id, reservation);
    return { ok: true, reservation };
  }

  private settle(reservation: Reservation, actual: Spend): void {
    if (!this.open.delete(reservation.id)) throw new Error(`Reservation ${reservation.id} was already settled or released`);
    this.spentSoFar = addSpend(this.spentSoFar, actual);
    const passedReservation = firstPassedLimit(actual, reservation.amount, ["usd", "inputTokens", "outputTokens"]);
    const passedLimit = firstPassedLimit(this.spentSoFar, this.limits);
    this.overrun ??= passedLimit ?? passedReservation;
  }
}

const LIMIT_KEYS: Array<[keyof BudgetLimits, keyof Spend, LimitName]> = [
  ["usd", "usd", "usd"],
  ["inputTokens", "inputTokens", "input-tokens"],
  ["outputTokens", "outputTokens", "output-tokens"],
  ["testRuns", "testRuns", "test-runs"],
  ["modelCalls", "modelCalls", "model-calls"],
];

/** Returns the first limit that `total` passes, comparing only the listed spend keys when given. */
function firstPassedLimit(
  total: Spend,
  limits: BudgetLimits | Spend,
  only?: Array<keyof Spend>,
): BudgetStopReason | undefined {
  for (const [limitKey, spendKey, name] of LIMIT_KEYS) {
    if (only && !only.includes(spendKey)) continue;
    const limit = (limits as unknown as Record<string, number>)[only ? spendKey : limitKey] as number;
    // A small tolerance keeps float rounding of dollar sums from counting as a passed limit.
    if (total[spendKey] > limit + 1e-9) return `budget:${name}`;
  }
  return undefined;
}

/**
 * Tokens a prompt is reserved at. The count uses o200k_base, which providers with other tokenizers
 * can exceed, so the reservation adds a margin of 30% plus a fixed allowance for message framing.
 * NOTE: the margin is an estimate. A provider that counts more still has its call settled in full,
 * and then the settlement above the reservation stops the run.
 */
export function reservedPromptTokens(countedTokens: number, messageCount: number): number {
  return Math.ceil(countedTokens * 1.3) + 16 * messageCount + 64;
}
