import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { ModelError } from "../../src/llm/errors.js";
import { mergeFactsTables, readModelFactsFile, resolveModelFacts } from "../../src/llm/model-facts.js";
import { SHIPPED_MODEL_FACTS } from "../../src/llm/model-table.js";
import { priceUsage, worstCaseCostUsd } from "../../src/llm/pricing.js";

function writeJson(content: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "magic-facts-")), "facts.json");
  writeFileSync(file, content);
  return file;
}

function errorOf(action: () => unknown): ModelError {
  try {
    action();
  } catch (error) {
    if (error instanceof ModelError) return error;
    throw error;
  }
  throw new Error("expected a ModelError");
}

describe("resolveModelFacts", () => {
  test("shipped model", () => {
    const facts = resolveModelFacts("anthropic:claude-sonnet-4-5");

    expect(facts.contextWindow).toBe(200_000);
    expect(facts.promptCaching).toBe("explicit");
    expect(facts.prices).toEqual({ input: 3, cachedInput: 0.3, cacheWrite: 3.75, output: 15 });
  });

  test.each([
    ["anthropic:claude-sonnet-4-5-20250929", 3],
    ["openai-chat:gpt-5", 1.25],
    ["openai-chat:gpt-5-mini-2025-08-07", 0.25],
  ])("%s finds its base entry", (modelId, inputPrice) => {
    expect(resolveModelFacts(modelId).prices.input).toBe(inputPrice);
  });

  test("unknown model names the setting", () => {
    const error = errorOf(() => resolveModelFacts("azure:my-deployment"));

    expect(error.code).toBe("unknown-model");
    expect(error.message).toContain("azure:my-deployment");
    expect(error.hint).toContain("MAGIC_MODEL_FACTS_FILE");
    expect(error.hint).toContain('"azure:my-deployment"');
  });

  test("incomplete entry lists what is missing", () => {
    const table = { "openai-compatible:llama3": { contextWindow: 8_192, prices: { input: 0 } } };

    const error = errorOf(() => resolveModelFacts("openai-compatible:llama3", table));

    expect(error.message).toContain("prices.output is missing");
  });

  test("override changes one price only", () => {
    const table = mergeFactsTables(SHIPPED_MODEL_FACTS, { "anthropic:claude-sonnet-4-5": { prices: { input: 2.4 } } });

    const facts = resolveModelFacts("anthropic:claude-sonnet-4-5", table);

    expect(facts.prices).toEqual({ input: 2.4, cachedInput: 0.3, cacheWrite: 3.75, output: 15 });
    expect(facts.contextWindow).toBe(200_000);
  });

  test("dated override beats the base entry", () => {
    const table = mergeFactsTables(SHIPPED_MODEL_FACTS, { "anthropic:claude-sonnet-4-5-20250929": { contextWindow: 1_000_000 } });

    expect(resolveModelFacts("anthropic:claude-sonnet-4-5-20250929", table).contextWindow).toBe(1_000_000);
    expect(resolveModelFacts("anthropic:claude-sonnet-4-5", table).contextWindow).toBe(200_000);
  });
});

describe("readModelFactsFile", () => {
  test("valid file", () => {
    const file = writeJson(JSON.stringify({ "openai-compatible:qwen": { contextWindow: 32_768, prices: { input: 0, output: 0 } } }));

    const result = readModelFactsFile(file);

    expect(result).toEqual({ ok: true, table: { "openai-compatible:qwen": { contextWindow: 32_768, prices: { input: 0, output: 0 } } } });
  });

  test("every problem is listed", () => {
    const file = writeJson(JSON.stringify({ "openai-compatible:qwen": { contextWindow: -1, prices: { input: "free" }, colour: "red" } }));

    const result = readModelFactsFile(file);

    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems.some((problem) => problem.includes("openai-compatible:qwen.contextWindow"))).toBe(true);
    expect(problems.some((problem) => problem.includes("prices.input"))).toBe(true);
    expect(problems.some((problem) => problem.includes("colour"))).toBe(true);
  });

  test.each([
    ["not JSON", "{ nope"],
    ["missing file", undefined],
  ])("%s is reported", (_case, content) => {
    const file = content === undefined ? "/nonexistent/facts.json" : writeJson(content);

    const result = readModelFactsFile(file);

    expect(result.ok ? "" : result.problems.join()).toMatch(/MAGIC_MODEL_FACTS_FILE: cannot read .* as JSON/);
  });
});

describe("priceUsage", () => {
  test("each token kind at its price", () => {
    const facts = resolveModelFacts("anthropic:claude-sonnet-4-5");

    const cost = priceUsage(facts, { inputTokens: 10_000, cachedInputTokens: 6_000, cacheWriteTokens: 3_000, outputTokens: 1_000 });

    // 1,000 x $3 + 6,000 x $0.30 + 3,000 x $3.75 + 1,000 x $15, per million tokens.
    expect(cost).toBeCloseTo(0.03105, 12);
  });

  test("long prompt uses long-context prices", () => {
    const facts = resolveModelFacts("google:gemini-2.5-pro");

    const cost = priceUsage(facts, { inputTokens: 300_000, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 1_000 });

    // 300,000 x $2.50 + 1,000 x $15 per million tokens.
    expect(cost).toBeCloseTo(0.765, 12);
  });

  test("missing cache prices mean input price", () => {
    const facts = resolveModelFacts("openai-compatible:x", { "openai-compatible:x": { contextWindow: 1_000, prices: { input: 2, output: 4 } } });

    const cost = priceUsage(facts, { inputTokens: 1_000, cachedInputTokens: 400, cacheWriteTokens: 100, outputTokens: 0 });

    expect(cost).toBeCloseTo(0.002, 12);
  });

  test("worst case takes the dearer input price", () => {
    const facts = resolveModelFacts("anthropic:claude-sonnet-4-5");

    // 10,000 x $3.75 (cache write) + 64,000 (the model's output cap) x $15 per million tokens.
    expect(worstCaseCostUsd(facts, 10_000, 100_000)).toBeCloseTo(0.9975, 12);
  });
});
