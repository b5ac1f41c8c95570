import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { testPrivateKey } from "../helpers/app-key.js";
import { describe, expect, test } from "vitest";
import { parseRepoConfig } from "../../src/config/repo-config.js";
import { loadSettings } from "../../src/config/settings.js";
import { createModelClient } from "../../src/llm/create-model-client.js";
import { ModelError } from "../../src/llm/errors.js";
import { settingsProblems } from "../helpers/settings.js";

const BASE = {
  APP_ID: "12",
  PRIVATE_KEY: testPrivateKey(),
  WEBHOOK_SECRET: "secret",
  MAGIC_MODEL: "anthropic:claude-sonnet-4-5",
  ANTHROPIC_API_KEY: "sk-ant-test",
};

const problemsOf = settingsProblems;

function factsFile(content: unknown): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "magic-facts-")), "facts.json");
  writeFileSync(file, JSON.stringify(content));
  return file;
}

describe("model settings", () => {
  test("defaults", () => {
    const settings = loadSettings(BASE).model;

    expect(settings.modelId).toBe("anthropic:claude-sonnet-4-5");
    expect(settings.fallbackModelIds).toEqual([]);
    expect(settings.allowedModelIds).toEqual([]);
    expect(settings.timeoutMs).toBe(300_000);
    expect(settings.retry.maxRetries).toBe(4);
    expect(settings.recordDir).toBeUndefined();
    expect(settings.providers.anthropic).toEqual({ apiKey: "sk-ant-test", baseUrl: undefined });
  });

  test("every variable is read", () => {
    const settings = loadSettings({
      ...BASE,
      MAGIC_FALLBACK_MODELS: "openai:gpt-5, google:gemini-2.5-pro",
      MAGIC_ALLOWED_MODELS: "anthropic:*, gpt-5-mini",
      OPENAI_API_KEY: "sk-test",
      GOOGLE_GENERATIVE_AI_API_KEY: "google-key",
      ANTHROPIC_BASE_URL: "https://proxy.example.test/anthropic/v1",
      MAGIC_MODEL_TIMEOUT_SECONDS: "45",
      MAGIC_MODEL_MAX_RETRIES: "0",
      MAGIC_RECORD: "/var/lib/magic/recordings",
    }).model;

    expect(settings.fallbackModelIds).toEqual(["openai:gpt-5", "google:gemini-2.5-pro"]);
    expect(settings.allowedModelIds).toEqual(["openai:gpt-5-mini", "anthropic:*"]);
    expect(settings.providers.anthropic?.baseUrl).toBe("https://proxy.example.test/anthropic/v1");
    expect(settings.timeoutMs).toBe(45_000);
    expect(settings.retry.maxRetries).toBe(0);
    expect(settings.recordDir).toBe("/var/lib/magic/recordings");
  });

  test("every model problem is listed", () => {
    const problems = problemsOf({
      ...BASE,
      ANTHROPIC_API_KEY: undefined,
      MAGIC_FALLBACK_MODELS: "azure:team-gpt, gemini:pro",
      MAGIC_ALLOWED_MODELS: "openrouter:meta-llama/llama-4, google:*, mistral:*",
      MAGIC_MODEL_MAX_RETRIES: "11",
    });

    expect(problems).toContain("ANTHROPIC_API_KEY is missing: the model anthropic:claude-sonnet-4-5 needs it");
    expect(problems).toContain("AZURE_API_KEY is missing: the model azure:team-gpt needs it");
    expect(problems.some((problem) => problem.startsWith('MAGIC_FALLBACK_MODELS: No model facts are known for "azure:team-gpt"'))).toBe(true);
    expect(problems.some((problem) => problem.includes('unknown provider "gemini"'))).toBe(true);
    expect(problems).toContain("OPENROUTER_API_KEY is missing: the model openrouter:meta-llama/llama-4 needs it");
    expect(problems).toContain("GOOGLE_GENERATIVE_AI_API_KEY is missing: the model google:* needs it");
    expect(problems).toContain('MAGIC_ALLOWED_MODELS: the pattern "mistral:*" names the unknown provider "mistral"');
    expect(problems).toContain("MAGIC_MODEL_MAX_RETRIES must be a whole number from 0 to 10");
  });

  test("unknown model names the facts file", () => {
    const problems = problemsOf({ ...BASE, MAGIC_MODEL: "openai-compatible:qwen3-coder", MAGIC_MODEL_BASE_URL: "http://127.0.0.1:11434/v1" });

    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain('No model facts are known for "openai-compatible:qwen3-coder"');
    expect(problems[0]).toContain("MAGIC_MODEL_FACTS_FILE");
  });

  test("facts file adds a model", () => {
    const file = factsFile({ "azure:team-gpt": { contextWindow: 400_000, promptCaching: "automatic", prices: { input: 1.25, cachedInput: 0.125, output: 10 } } });

    const settings = loadSettings({ ...BASE, MAGIC_MODEL: "azure:team-gpt", AZURE_API_KEY: "key", AZURE_RESOURCE_NAME: "team", MAGIC_MODEL_FACTS_FILE: file }).model;

    expect(settings.modelId).toBe("azure:team-gpt");
    expect(settings.factsTable["azure:team-gpt"]?.contextWindow).toBe(400_000);
  });

  test("broken facts file is reported", () => {
    const file = factsFile({ "azure:team-gpt": { contextWindow: "big" } });

    expect(problemsOf({ ...BASE, MAGIC_MODEL_FACTS_FILE: file }).join("\n")).toMatch(/MAGIC_MODEL_FACTS_FILE .*: azure:team-gpt.contextWindow/);
  });

  test("missing recording is reported", () => {
    expect(problemsOf({ ...BASE, MAGIC_MODEL: "replay:/nonexistent/run.jsonl" })[0]).toMatch(/^MAGIC_MODEL: Cannot read the recording \/nonexistent\/run.jsonl/);
  });
});

describe("repository model choice", () => {
  const settings = loadSettings({ ...BASE, OPENAI_API_KEY: "sk-test", MAGIC_FALLBACK_MODELS: "openai:gpt-5", MAGIC_ALLOWED_MODELS: "anthropic:*" }).model;

  test("allowed by pattern", () => {
    const client = createModelClient(settings, "anthropic:claude-haiku-4-5");

    expect(client.modelId).toBe("anthropic:claude-haiku-4-5");
    expect(client.facts.prices.input).toBe(1);
  });

  test("fallback model may be chosen", () => {
    expect(createModelClient(settings, "openai:gpt-5").modelId).toBe("openai:gpt-5");
  });

  test("other model is refused with the choices", () => {
    let error: unknown;
    try {
      createModelClient(settings, "openai:gpt-5-mini");
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(ModelError);
    expect((error as ModelError).code).toBe("model-not-allowed");
    expect((error as ModelError).message).toContain("openai:gpt-5-mini");
    expect((error as ModelError).hint).toContain("anthropic:claude-sonnet-4-5, openai:gpt-5, anthropic:*");
  });
});

describe("repository config model key", () => {
  test.each([
    ["anthropic:claude-opus-4-5", true],
    ["openrouter:anthropic/claude-sonnet-4.5", true],
    ["claude-opus-4-5", false],
    ["replay:/etc/recording.jsonl", false],
    ["gemini:pro", false],
  ])("%s is %s", (model, valid) => {
    const result = parseRepoConfig({ model });

    expect(result.ok).toBe(valid);
    if (!result.ok) expect(result.problems[0]).toMatchObject({ key: "model", expected: expect.stringContaining("anthropic:claude-sonnet-4-5") });
  });
});
