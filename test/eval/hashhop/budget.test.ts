import { describe, expect, test } from "vitest";
import { EvalBudget, InputCalibration } from "../../../src/eval/hashhop/budget.js";
import { TokenRateLimiter, type Clock } from "../../../src/eval/hashhop/rate-limit.js";

describe("EvalBudget", () => {
  test("token cap counts open reservations", () => {
    const budget = new EvalBudget({ maxTokens: 1_000 });

    const first = budget.tryReserve({ inputTokens: 400, outputTokens: 100 });
    const second = budget.tryReserve({ inputTokens: 400, outputTokens: 100 });
    const third = budget.tryReserve({ inputTokens: 1, outputTokens: 0 });

    expect(first).toBeDefined();
    expect(second).toBeDefined();
    expect(third).toBeUndefined();
  });

  test("settling frees the unused part", () => {
    const budget = new EvalBudget({ maxTokens: 1_000 });
    const first = budget.tryReserve({ inputTokens: 400, outputTokens: 500 });

    budget.settle(first!, { inputTokens: 380, outputTokens: 20 });

    expect(budget.spent).toEqual({ inputTokens: 380, outputTokens: 20 });
    expect(budget.tryReserve({ inputTokens: 500, outputTokens: 100 })).toBeDefined();
  });

  test("failed request is charged its reservation", () => {
    const budget = new EvalBudget({});
    const reservation = budget.tryReserve({ inputTokens: 400, outputTokens: 50 });

    budget.settle(reservation!, undefined);

    expect(budget.spent).toEqual({ inputTokens: 400, outputTokens: 50 });
  });

  test("reply without input usage is charged the estimate", () => {
    const budget = new EvalBudget({});
    const reservation = budget.tryReserve({ inputTokens: 400, outputTokens: 50 });

    budget.settle(reservation!, { inputTokens: 0, outputTokens: 10 });

    expect(budget.spent).toEqual({ inputTokens: 400, outputTokens: 10 });
  });

  test("settling twice charges once", () => {
    const budget = new EvalBudget({});
    const reservation = budget.tryReserve({ inputTokens: 400, outputTokens: 50 });

    budget.settle(reservation!, { inputTokens: 100, outputTokens: 10 });
    budget.settle(reservation!, { inputTokens: 100, outputTokens: 10 });

    expect(budget.spent).toEqual({ inputTokens: 100, outputTokens: 10 });
  });

  test("dollar cap uses both prices", () => {
    const budget = new EvalBudget({ maxCostUsd: 1, prices: { inputPerMillion: 2, outputPerMillion: 10 } });

    // 300,000 input tokens cost $0.60 and 40,000 output tokens $0.40: exactly $1.
    expect(budget.tryReserve({ inputTokens: 300_000, outputTokens: 40_000 })).toBeDefined();
    expect(budget.tryReserve({ inputTokens: 1, outputTokens: 0 })).toBeUndefined();
    expect(budget.spentUsd).toBe(0);
  });

  test("no limits accept everything", () => {
    expect(new EvalBudget({}).tryReserve({ inputTokens: 1e9, outputTokens: 1e9 })).toBeDefined();
  });
});

describe("InputCalibration", () => {
  test("starts a quarter above the local count", () => {
    expect(new InputCalibration().estimate(1_000)).toBe(1_250);
  });

  test("follows the largest reported ratio", () => {
    const calibration = new InputCalibration();

    calibration.observe(1_000, 1_100);
    calibration.observe(1_000, 1_050);

    expect(calibration.estimate(1_000)).toBe(Math.ceil(1_000 * 1.1 * 1.02));
  });

  test("ignores replies without usage", () => {
    const calibration = new InputCalibration();

    calibration.observe(1_000, 0);

    expect(calibration.estimate(1_000)).toBe(1_250);
  });
});

/** Creates a clock that moves only when a caller sleeps. */
function manualClock(): Clock & { sleeps: number[] } {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

describe("TokenRateLimiter", () => {
  test("requests under the limit do not wait", async () => {
    const clock = manualClock();
    const limiter = new TokenRateLimiter(1_000, clock);

    await limiter.acquire(400);
    await limiter.acquire(600);

    expect(clock.sleeps).toEqual([]);
  });

  test("request over the window waits a minute", async () => {
    const clock = manualClock();
    const limiter = new TokenRateLimiter(1_000, clock);

    await limiter.acquire(800);
    await limiter.acquire(300);

    expect(clock.sleeps).toEqual([60_000]);
    expect(clock.now()).toBe(60_000);
  });

  test("waiters are served in order", async () => {
    const clock = manualClock();
    const limiter = new TokenRateLimiter(1_000, clock);
    const order: number[] = [];

    await Promise.all([900, 500, 100].map((tokens) => limiter.acquire(tokens).then(() => order.push(tokens))));

    expect(order).toEqual([900, 500, 100]);
  });

  test("request above the limit is rejected", async () => {
    await expect(new TokenRateLimiter(1_000, manualClock()).acquire(1_001)).rejects.toThrow("can never fit a limit of 1000 tokens per minute");
  });
});
