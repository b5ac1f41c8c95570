import { describe, expect, test } from "vitest";
import { factsKeysFor, isModelAllowed, parseModelId } from "../../src/llm/model-id.js";
import { layoutPrompt } from "../../src/llm/prompt-layout.js";

describe("parseModelId", () => {
  test.each([
    ["anthropic:claude-sonnet-4-5", "anthropic", "claude-sonnet-4-5"],
    ["openrouter:anthropic/claude-sonnet-4.5", "openrouter", "anthropic/claude-sonnet-4.5"],
    ["openai-compatible:qwen2.5-coder:32b", "openai-compatible", "qwen2.5-coder:32b"],
    ["  gpt-5 ", "openai", "gpt-5"],
  ])("%s", (text, provider, name) => {
    expect(parseModelId(text)).toEqual({ provider, name, id: `${provider}:${name}` });
  });

  test.each([
    ["gemini:pro", /unknown provider "gemini"/],
    ["anthropic:", /no model name/],
  ])("%s is rejected", (text, message) => {
    expect(() => parseModelId(text)).toThrow(message);
  });
});

describe("factsKeysFor", () => {
  test("dated chat model", () => {
    expect(factsKeysFor(parseModelId("openai-chat:gpt-5-2025-08-07"))).toEqual([
      "openai-chat:gpt-5-2025-08-07",
      "openai-chat:gpt-5",
      "openai:gpt-5-2025-08-07",
      "openai:gpt-5",
    ]);
  });
});

describe("isModelAllowed", () => {
  test.each([
    ["anthropic:claude-opus-4-5", ["anthropic:*"], true],
    ["anthropic:claude-opus-4-5", ["anthropic:claude-sonnet-4-5"], false],
    ["openai:gpt-5", ["openai:gpt-5", "google:*"], true],
    ["openai:gpt-5-mini", ["openai:gpt-5"], false],
    ["openai:gpt-5", [], false],
  ])("%s in %j is %s", (modelId, patterns, expected) => {
    expect(isModelAllowed(modelId, patterns)).toBe(expected);
  });
});

describe("layoutPrompt", () => {
  const parts = { system: "sys", prefix: "repository files", messages: [{ role: "user" as const, content: "go" }] };

  test("explicit caching marks system and prefix", () => {
    const layout = layoutPrompt(parts, "explicit");

    expect(layout.system.providerOptions).toEqual({ anthropic: { cacheControl: { type: "ephemeral" } } });
    expect(layout.messages[0]).toEqual({
      role: "user",
      content: [{ type: "text", text: "repository files", providerOptions: { anthropic: { cacheControl: { type: "ephemeral" } } } }],
    });
    expect(layout.messages[1]).toEqual({ role: "user", content: "go" });
  });

  test("automatic caching adds no markers", () => {
    const layout = layoutPrompt(parts, "automatic");

    expect(layout.system.providerOptions).toBeUndefined();
    expect(JSON.stringify(layout.messages)).not.toContain("cacheControl");
  });

  test("empty prefix is left out", () => {
    expect(layoutPrompt({ ...parts, prefix: "" }, "explicit").messages).toEqual(parts.messages);
  });
});
