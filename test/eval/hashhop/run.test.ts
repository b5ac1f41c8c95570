import { pino } from "pino";
import { describe, expect, test } from "vitest";
import { createModelClient } from "../../../src/llm/create-model-client.js";
import { scriptedModelSettings } from "../../helpers/app-harness.js";
import { EvalBudget } from "../../../src/eval/hashhop/budget.js";
import { describeRequestError, planSamples, runHashHop, type EvalPlan } from "../../../src/eval/hashhop/run.js";
import { loadTokenCounter } from "../../../src/eval/hashhop/tokenizer.js";
import { startModelServer } from "../../helpers/model-server.js";
import { lookUpChains } from "./responders.js";

const PLAN: EvalPlan = { sizes: [2_000, 8_000], hops: [1, 2], variants: ["cot", "skip"], samples: 3, queries: 2, hashLength: 8, seed: "s" };

describe("planSamples", () => {
  test("covers every combination once", () => {
    const keys = planSamples(PLAN);

    expect(keys).toHaveLength(2 * 2 * 2 * 3);
    expect(new Set(keys.map((key) => JSON.stringify(key))).size).toBe(keys.length);
  });

  test("interleaves by sample index", () => {
    const indices = planSamples(PLAN).map((key) => key.index);

    expect(indices.slice(0, 8)).toEqual(Array(8).fill(0));
    expect(indices.slice(8, 16)).toEqual(Array(8).fill(1));
  });
});

describe("describeRequestError", () => {
  test.each([
    { case: "timeout", error: new DOMException("The operation timed out.", "TimeoutError"), expected: "the request timed out after 2.5 s" },
    { case: "HTTP error", error: Object.assign(new Error("Rate limit reached"), { statusCode: 429 }), expected: "HTTP 429: Rate limit reached" },
    {
      case: "error after retries",
      error: Object.assign(new Error("Failed after 3 attempts. Last error: Bad gateway"), { lastError: { statusCode: 502 } }),
      expected: "HTTP 502: Failed after 3 attempts. Last error: Bad gateway",
    },
    { case: "plain error", error: new Error("fetch failed"), expected: "fetch failed" },
    { case: "thrown text", error: "boom", expected: "boom" },
  ])("$case", ({ error, expected }) => {
    expect(describeRequestError(error, 2_500)).toBe(expected);
  });
});

describe("runHashHop", () => {
  const limits = { concurrency: 2, timeoutMs: 10_000, maxConsecutiveFailures: 5 };

  test("unbuildable sample fails without a request", async () => {
    const server = await startModelServer([lookUpChains]);
    try {
      const model = createModelClient(scriptedModelSettings(server.baseUrl));
      const plan: EvalPlan = { ...PLAN, sizes: [100], hops: [4], queries: 10, samples: 1 };

      const outcome = await runHashHop({ plan, model, tokenizer: await loadTokenCounter("o200k_base"), budget: new EvalBudget({}), limits, log: pino({ level: "silent" }) });

      expect(server.requests).toHaveLength(0);
      expect(outcome.results.map((result) => result.status)).toEqual(["failed", "failed"]);
      expect(outcome.results[0]?.error).toContain("A target size of 100 tokens holds");
    } finally {
      await server.close();
    }
  });

  test("scores every sample of a plan", async () => {
    const server = await startModelServer([lookUpChains]);
    try {
      const model = createModelClient(scriptedModelSettings(server.baseUrl));
      const finished: number[] = [];

      const outcome = await runHashHop({
        plan: PLAN,
        model,
        tokenizer: await loadTokenCounter("o200k_base"),
        budget: new EvalBudget({}),
        limits,
        log: pino({ level: "silent" }),
        onResult: (_result, count) => finished.push(count),
      });

      expect(outcome.stopReason).toBe("completed");
      expect(server.requests).toHaveLength(24);
      expect(outcome.results.every((result) => result.status === "scored" && result.scores.every((score) => score.exact))).toBe(true);
      expect(finished).toEqual(Array.from({ length: 24 }, (_, index) => index + 1));
    } finally {
      await server.close();
    }
  });
});
