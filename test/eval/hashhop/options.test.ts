import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { modelSettingsFor } from "../../../src/cli/eval-hashhop.js";
import { HashHopError } from "../../../src/eval/hashhop/errors.js";
import { parseHashHopOptions } from "../../../src/eval/hashhop/options.js";

const ENV = { MAGIC_MODEL: "openai:gpt-4.1", MAGIC_WORK_DIR: "/tmp/magic-work" };

function problemsOf(argv: string[], env: Record<string, string> = ENV): string {
  try {
    parseHashHopOptions(argv, env);
  } catch (error) {
    expect(error).toBeInstanceOf(HashHopError);
    expect((error as HashHopError).code).toBe("invalid-option");
    return (error as Error).message;
  }
  throw new Error(`options ${argv.join(" ")} were accepted`);
}

describe("parseHashHopOptions", () => {
  test("defaults", () => {
    const options = parseHashHopOptions([], ENV);

    expect(options.mode).toBe("evaluate");
    expect(options.model).toBe("openai:gpt-4.1");
    expect(options.plan).toEqual({ sizes: [2_000, 8_000, 32_000, 128_000], hops: [1, 2, 4], variants: ["cot", "skip"], samples: 20, queries: 4, hashLength: 16, seed: "hashhop" });
    expect(options.concurrency).toBe(4);
    expect(options.timeoutMs).toBe(300_000);
    expect(options.reportDir).toBe(path.resolve("/tmp/magic-work/hashhop"));
    expect(options.profilePath).toBe(path.resolve("/tmp/magic-work/model-profiles.json"));
  });

  test("lists are sorted and deduplicated", () => {
    const options = parseHashHopOptions(["--sizes", "32k, 2000,2k,1.5m", "--hops", "4,1,4", "--variant", "skip"], ENV);

    expect(options.plan.sizes).toEqual([2_000, 32_000, 1_500_000]);
    expect(options.plan.hops).toEqual([1, 4]);
    expect(options.plan.variants).toEqual(["skip"]);
  });

  test("limits and prices are read", () => {
    const options = parseHashHopOptions(
      ["--max-cost", "2.5", "--input-price", "2", "--output-price", "8", "--max-tokens", "1000000", "--requests-per-minute", "500", "--tokens-per-minute", "300000", "--timeout", "1.5"],
      ENV,
    );

    expect(options.maxCostUsd).toBe(2.5);
    expect(options.prices).toEqual({ inputPerMillion: 2, outputPerMillion: 8 });
    expect(options.maxTokens).toBe(1_000_000);
    expect(options.requestsPerMinute).toBe(500);
    expect(options.tokensPerMinute).toBe(300_000);
    expect(options.timeoutMs).toBe(1_500);
  });

  test.each([
    { argv: ["--sizes", "2k,,8k"], message: '--sizes: "" in "2k,,8k" is not a size in tokens' },
    { argv: ["--sizes=-2k"], message: '--sizes: "-2k" in "-2k" is not a size in tokens' },
    { argv: ["--sizes", "-2k"], message: "argument is ambiguous" },
    { argv: ["--sizes", "20m"], message: "up to 10m" },
    { argv: ["--sizes", "2kb"], message: '"2kb"' },
    { argv: ["--hops", "0"], message: '--hops: "0" in "0" is not a hop count from 1 to 64' },
    { argv: ["--hops", "1.5"], message: "--hops" },
    { argv: ["--variant", "cot,think"], message: '--variant: "think" in "cot,think" is not a variant: use cot or skip' },
    { argv: ["--samples", "ten"], message: '--samples: "ten" is not a whole number from 1 to 100000' },
    { argv: ["--queries", "0"], message: "--queries" },
    { argv: ["--hash-length", "3"], message: '--hash-length: "3" is not a whole number from 4 to 64' },
    { argv: ["--seed", ""], message: "--seed: the seed is empty" },
    { argv: ["--tokenizer", "gpt2"], message: "--tokenizer: use o200k_base or cl100k_base" },
    { argv: ["--concurrency", "0"], message: "--concurrency" },
    { argv: ["--requests-per-minute", "-1"], message: "--requests-per-minute" },
    { argv: ["--tokens-per-minute", "1e6"], message: "--tokens-per-minute" },
    { argv: ["--timeout", "0"], message: '--timeout: "0" is not a number of seconds above 0' },
    { argv: ["--timeout", "soon"], message: "--timeout" },
    { argv: ["--max-output-tokens", "0"], message: "--max-output-tokens" },
    { argv: ["--max-tokens", "lots"], message: "--max-tokens" },
    { argv: ["--max-cost", "0"], message: '--max-cost: "0" is not an amount of US dollars above 0' },
    { argv: ["--input-price", "-1", "--output-price", "1"], message: "--input-price" },
    { argv: ["--max-cost", "5", "--input-price", "1"], message: "--input-price and --output-price go together" },
    { argv: ["--output-price", "1"], message: "--input-price and --output-price go together" },
    { argv: ["--out", "x.jsonl"], message: "--out applies to --generate-only only" },
    { argv: ["--generate-only"], message: "--out is missing" },
    { argv: ["--generate-only", "--out", "x", "--write-profile"], message: "--write-profile needs an evaluation" },
    { argv: ["--write-profile", "--hops", "1,4"], message: "--write-profile needs 2 in --hops" },
    { argv: ["--report-dir", " "], message: "--report-dir: the folder name is empty" },
    { argv: ["--unknown"], message: "Unknown option '--unknown'" },
    { argv: ["stray"], message: "stray" },
    { argv: ["--samples"], message: "--samples" },
  ])("rejects $argv", ({ argv, message }) => {
    expect(problemsOf(argv)).toContain(message);
  });

  test("missing model is reported", () => {
    expect(problemsOf([], {})).toContain("--model is missing: give a model id such as openai:gpt-4.1, or set MAGIC_MODEL");
  });

  test("every problem is listed at once", () => {
    const message = problemsOf(["--samples", "x", "--queries", "y", "--hops", "z"]);

    expect(message).toContain("--samples");
    expect(message).toContain("--queries");
    expect(message).toContain("--hops");
  });

  test("help needs nothing else", () => {
    expect(parseHashHopOptions(["--help"], {}).help).toBe(true);
  });
});

describe("modelSettingsFor", () => {
  test("openai-compatible with a base URL", () => {
    const facts = JSON.stringify({ "openai-compatible:local-model": { contextWindow: 32000, prices: { input: 0, output: 0 } } });
    const factsFile = path.join(mkdtempSync(path.join(tmpdir(), "magic-facts-")), "facts.json");
    writeFileSync(factsFile, facts);

    const settings = modelSettingsFor("local-model", { MAGIC_MODEL_BASE_URL: "http://127.0.0.1:1/v1", MAGIC_MODEL_API_KEY: "k", MAGIC_MODEL_FACTS_FILE: factsFile });

    expect(settings.modelId).toBe("openai-compatible:local-model");
    expect(settings.providers.openaiCompatible).toEqual({ baseUrl: "http://127.0.0.1:1/v1", apiKey: "k" });
  });

  test.each([
    { modelId: "openai:gpt-4.1", env: {}, message: "OPENAI_API_KEY" },
    { modelId: "anthropic:claude-sonnet-4-5", env: {}, message: "ANTHROPIC_API_KEY" },
    { modelId: "openai-compatible:m", env: {}, message: "MAGIC_MODEL_BASE_URL" },
    { modelId: "mistral:large", env: {}, message: "mistral" },
    { modelId: "m", env: { MAGIC_MODEL_BASE_URL: "not a url" }, message: "MAGIC_MODEL_BASE_URL must be a URL" },
  ])("rejects $modelId with $env", ({ modelId, env, message }) => {
    expect(() => modelSettingsFor(modelId, env)).toThrow(message);
  });
});
