import { describe, expect, test } from "vitest";
import { Budget, type BudgetLimits } from "../../src/agent/budget.js";
import { seededRandom } from "../helpers/seeded-random.js";

const LIMITS: BudgetLimits = { usd: 1, inputTokens: 100_000, outputTokens: 10_000, durationMs: 60_000, testRuns: 5, modelCalls: 10 };

function budgetAt(limits: Partial<BudgetLimits> = {}, clock = { now: 0 }): Budget {
  return new Budget({ ...LIMITS, ...limits }, () => clock.now);
}


describe("Budget", () => {
  test.each([
    ["usd", { usd: 1.01, inputTokens: 10, maxOutputTokens: 10 }, "budget:usd"],
    ["input tokens", { usd: 0.01, inputTokens: 100_001, maxOutputTokens: 10 }, "budget:input-tokens"],
    ["output tokens", { usd: 0.01, inputTokens: 10, maxOutputTokens: 10_001 }, "budget:output-tokens"],
  ])("call refused over %s", (_name, estimate, reason) => {
    const budget = budgetAt();

    const result = budget.reserveCall(estimate);

    expect(result).toEqual({ ok: false, reason });
    expect(budget.spent.modelCalls).toBe(0);
  });

  test("call refused after model-call limit", () => {
    const budget = budgetAt({ modelCalls: 1 });
    const first = budget.reserveCall({ usd: 0.01, inputTokens: 10, maxOutputTokens: 10 });
    if (!first.ok) throw new Error("first call must fit");
    budget.settleCall(first.reservation, { usd: 0.01, inputTokens: 10, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 10 });

    const second = budget.reserveCall({ usd: 0.01, inputTokens: 10, maxOutputTokens: 10 });

    expect(second).toEqual({ ok: false, reason: "budget:model-calls" });
  });

  test("open reservations count against limits", () => {
    const budget = budgetAt();
    const first = budget.reserveCall({ usd: 0.6, inputTokens: 10, maxOutputTokens: 10 });

    const second = budget.reserveCall({ usd: 0.6, inputTokens: 10, maxOutputTokens: 10 });

    expect(first.ok).toBe(true);
    expect(second).toEqual({ ok: false, reason: "budget:usd" });
  });

  test("released reservation frees room", () => {
    const budget = budgetAt();
    const first = budget.reserveCall({ usd: 0.6, inputTokens: 10, maxOutputTokens: 10 });
    if (!first.ok) throw new Error("first call must fit");

    budget.release(first.reservation);

    expect(budget.reserveCall({ usd: 0.6, inputTokens: 10, maxOutputTokens: 10 }).ok).toBe(true);
  });

  test("test runs limited by count", () => {
    const budget = budgetAt({ testRuns: 2 });
    for (let run = 0; run < 2; run++) {
      const reserved = budget.reserveTestRun();
      if (!reserved.ok) throw new Error("test run must fit");
      budget.settleTestRun(reserved.reservation, 100);
    }

    expect(budget.reserveTestRun()).toEqual({ ok: false, reason: "budget:test-runs" });
    expect(budget.spent.testMs).toBe(200);
  });

  test("time limit stops everything", () => {
    const clock = { now: 0 };
    const budget = budgetAt({}, clock);

    clock.now = 60_000;

    expect(budget.exhausted()).toBe("budget:time");
    expect(budget.reserveCall({ usd: 0, inputTokens: 1, maxOutputTokens: 1 })).toEqual({ ok: false, reason: "budget:time" });
    expect(budget.reserveTestRun()).toEqual({ ok: false, reason: "budget:time" });
  });

  test("settle above reservation stops the run", () => {
    const budget = budgetAt();
    const reserved = budget.reserveCall({ usd: 0.1, inputTokens: 1_000, maxOutputTokens: 100 });
    if (!reserved.ok) throw new Error("call must fit");

    budget.settleCall(reserved.reservation, { usd: 0.2, inputTokens: 1_000, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 100 });

    expect(budget.spent.usd).toBeCloseTo(0.2);
    expect(budget.exhausted()).toBe("budget:usd");
    expect(budget.reserveCall({ usd: 0.01, inputTokens: 1, maxOutputTokens: 1 }).ok).toBe(false);
  });

  test("settling twice is an error", () => {
    const budget = budgetAt();
    const reserved = budget.reserveTestRun();
    if (!reserved.ok) throw new Error("test run must fit");
    budget.settleTestRun(reserved.reservation, 1);

    expect(() => budget.settleTestRun(reserved.reservation, 1)).toThrow(/already settled/);
  });

  test("random runs never pass a limit", () => {
    for (let seed = 1; seed <= 3_000; seed++) {
      const next = seededRandom(seed);
      const clock = { now: 0 };
      const limits: BudgetLimits = {
        usd: 0.05 + next() * 2,
        inputTokens: 1_000 + Math.floor(next() * 200_000),
        outputTokens: 500 + Math.floor(next() * 20_000),
        durationMs: 1_000 + Math.floor(next() * 100_000),
        testRuns: Math.floor(next() * 10),
        modelCalls: 1 + Math.floor(next() * 20),
      };
      const budget = new Budget(limits, () => clock.now);
      const open: Array<{ kind: "call" | "test"; reservation: Parameters<Budget["release"]>[0]; estimate?: { usd: number; inputTokens: number; maxOutputTokens: number } }> = [];

      for (let step = 0; step < 200 && !budget.exhausted(); step++) {
        clock.now += Math.floor(next() * 2_000);
        const action = next();
        if (action < 0.4) {
          const estimate = { inputTokens: Math.floor(next() * 20_000), maxOutputTokens: Math.floor(next() * 4_000), usd: 0 };
          estimate.usd = (estimate.inputTokens * 3 + estimate.maxOutputTokens * 15) / 1_000_000;
          const result = budget.reserveCall(estimate);
          if (result.ok) open.push({ kind: "call", reservation: result.reservation, estimate });
        } else if (action < 0.55) {
          const result = budget.reserveTestRun();
          if (result.ok) open.push({ kind: "test", reservation: result.reservation });
        } else if (open.length > 0) {
          const [entry] = open.splice(Math.floor(next() * open.length), 1);
          if (!entry) continue;
          if (entry.kind === "test") {
            budget.settleTestRun(entry.reservation, Math.floor(next() * 1_000));
          } else if (next() < 0.1) {
            budget.release(entry.reservation);
          } else {
            const estimate = entry.estimate as { usd: number; inputTokens: number; maxOutputTokens: number };
            const outputTokens = Math.floor(next() * (estimate.maxOutputTokens + 1));
            const cachedInputTokens = Math.floor(next() * (estimate.inputTokens + 1));
            const usd = ((estimate.inputTokens - cachedInputTokens) * 3 + cachedInputTokens * 0.3 + outputTokens * 15) / 1_000_000;
            budget.settleCall(entry.reservation, { usd, inputTokens: estimate.inputTokens, cachedInputTokens, cacheWriteTokens: 0, outputTokens });
          }
        }
      }
      for (const entry of open) budget.release(entry.reservation);

      const spent = budget.spent;
      expect(spent.usd, `seed ${seed}`).toBeLessThanOrEqual(limits.usd + 1e-9);
      expect(spent.inputTokens, `seed ${seed}`).toBeLessThanOrEqual(limits.inputTokens);
      expect(spent.outputTokens, `seed ${seed}`).toBeLessThanOrEqual(limits.outputTokens);
      expect(spent.testRuns, `seed ${seed}`).toBeLessThanOrEqual(limits.testRuns);
      expect(spent.modelCalls, `seed ${seed}`).toBeLessThanOrEqual(limits.modelCalls);
    }
  });
});
