import { tool } from "ai";
import { afterEach, describe, expect, test } from "vitest";
import { z } from "zod";
import { ModelCallError } from "../../src/llm/errors.js";
import type { ModelRequest } from "../../src/llm/model-client.js";
import type { TokenUsage } from "../../src/llm/usage.js";
import { testClient } from "./helpers/clients.js";
import { loopbackEndpoint, nockEndpoint, type ScriptedEndpoint } from "./helpers/endpoints.js";
import { ANTHROPIC, openAiCompatible } from "./helpers/wire-formats.js";

const REQUEST: ModelRequest = { system: "You fix issues.", prefix: "# Issue #7: crash on start", messages: [], maxOutputTokens: 500 };
const USAGE: TokenUsage = { inputTokens: 1_000, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 50 };

describe("model client resilience", () => {
  const endpoints: ScriptedEndpoint[] = [];

  afterEach(async () => {
    for (const endpoint of endpoints.splice(0)) await endpoint.close();
  });

  async function localServer() {
    const endpoint = await loopbackEndpoint();
    endpoints.push(endpoint);
    return { endpoint, wire: openAiCompatible(endpoint.baseUrl) };
  }

  test("dropped connection is retried", async () => {
    const { endpoint, wire } = await localServer();
    endpoint.reply({ drop: true }, { status: 200, body: wire.text("Recovered.", USAGE) });
    const { client, delays } = testClient({ modelId: wire.modelId, providers: wire.providers });

    const reply = await client.complete(REQUEST);

    endpoint.verify();
    expect(reply.text).toBe("Recovered.");
    expect(reply.attempts).toBe(2);
    expect(delays).toHaveLength(1);
  });

  test("fallback model answers after retries", async () => {
    const { endpoint, wire } = await localServer();
    const anthropic = nockEndpoint(ANTHROPIC.origin, ANTHROPIC.path);
    endpoints.push(anthropic);
    const overloaded = { status: 529, body: ANTHROPIC.error(529, "Overloaded") };
    anthropic.reply(overloaded, overloaded, overloaded);
    endpoint.reply({ status: 200, body: wire.text("Answer from the fallback.", USAGE) });
    const { client, delays } = testClient({
      modelId: ANTHROPIC.modelId,
      fallbackModelIds: [wire.modelId],
      providers: { ...ANTHROPIC.providers, ...wire.providers },
    });

    const reply = await client.complete(REQUEST);

    anthropic.verify();
    endpoint.verify();
    expect(reply.modelId).toBe("openai-compatible:qwen2.5-coder");
    expect(reply.text).toBe("Answer from the fallback.");
    expect(reply.attempts).toBe(4);
    expect(delays).toEqual([750, 1_500]);
    // Only the fallback reported usage: 1,000 x $0.20 + 50 x $0.60 per million tokens.
    expect(reply.costUsd).toBeCloseTo(0.00023, 12);
  });

  test("every model failing throws with the spend", async () => {
    const { endpoint, wire } = await localServer();
    endpoint.reply({ status: 503, body: wire.error(503, "Unavailable") }, { status: 503, body: wire.error(503, "Unavailable") });
    const { client } = testClient({ modelId: wire.modelId, providers: wire.providers, maxRetries: 1 });

    const failure = await client.complete(REQUEST).catch((error: unknown) => error);

    endpoint.verify();
    expect(failure).toBeInstanceOf(ModelCallError);
    expect((failure as ModelCallError).kind).toBe("server-error");
    expect((failure as ModelCallError).attempts).toBe(2);
    expect((failure as ModelCallError).message).toContain("HTTP 503");
  });

  test("every attempt timing out throws", async () => {
    const { endpoint, wire } = await localServer();
    endpoint.reply({ status: 200, body: wire.text("late", USAGE), delayMs: 1_000 }, { status: 200, body: wire.text("late", USAGE), delayMs: 1_000 });
    const { client } = testClient({ modelId: wire.modelId, providers: wire.providers, maxRetries: 1, timeoutMs: 100 });

    const failure = await client.complete(REQUEST).catch((error: unknown) => error);

    expect((failure as ModelCallError).kind).toBe("timeout");
    expect((failure as ModelCallError).attempts).toBe(2);
  });

  test("bad request is not retried", async () => {
    const { endpoint, wire } = await localServer();
    endpoint.reply({ status: 400, body: wire.error(400, "max_tokens is too large") });
    const { client, delays } = testClient({ modelId: wire.modelId, providers: wire.providers });

    const failure = await client.complete(REQUEST).catch((error: unknown) => error);

    endpoint.verify();
    expect((failure as ModelCallError).kind).toBe("rejected");
    expect((failure as ModelCallError).message).toContain("rejected (HTTP 400): max_tokens is too large.");
    expect((failure as ModelCallError).attempts).toBe(1);
    expect(delays).toEqual([]);
  });

  test("retry-after beyond the limit ends retries", async () => {
    const { endpoint, wire } = await localServer();
    endpoint.reply({ status: 429, body: wire.error(429, "Daily quota reached"), headers: { "retry-after": "3600" } });
    const { client, delays } = testClient({ modelId: wire.modelId, providers: wire.providers });

    const failure = await client.complete(REQUEST).catch((error: unknown) => error);

    endpoint.verify();
    expect((failure as ModelCallError).kind).toBe("rate-limited");
    expect(delays).toEqual([]);
  });

  test("caller abort stops at once", async () => {
    const { endpoint, wire } = await localServer();
    endpoint.reply({ status: 200, body: wire.text("late", USAGE), delayMs: 2_000 });
    const { client, delays } = testClient({ modelId: wire.modelId, providers: wire.providers });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);

    const failure = await client.complete({ ...REQUEST, abortSignal: controller.signal }).catch((error: unknown) => error);

    expect((failure as Error).name).toBe("AbortError");
    expect(delays).toEqual([]);
    expect(endpoint.requests).toHaveLength(1);
  });

  test("invalid tool calls come back answered", async () => {
    const { endpoint, wire } = await localServer();
    const body = wire.toolCall({ id: "call_1", name: "delete_repository", input: {} }, USAGE);
    endpoint.reply({ status: 200, body });
    const { client } = testClient({ modelId: wire.modelId, providers: wire.providers });
    const tools = { read_file: tool({ description: "Reads a file.", inputSchema: z.object({ path: z.string() }) }) };

    const reply = await client.complete({ ...REQUEST, tools });

    expect(reply.toolCalls).toEqual([]);
    expect(reply.invalidToolCalls).toHaveLength(1);
    expect(reply.invalidToolCalls[0]?.toolName).toBe("delete_repository");
    expect(reply.invalidToolCalls[0]?.error).toContain("delete_repository");
    expect(reply.problem).toBeUndefined();
    expect(JSON.stringify(reply.responseMessages)).toContain("error-text");
  });

  test("request without prefix or messages is rejected", async () => {
    const { wire } = await localServer();
    const { client } = testClient({ modelId: wire.modelId, providers: wire.providers });

    await expect(client.complete({ ...REQUEST, prefix: "  " })).rejects.toThrow(/neither a prefix nor any message/);
  });
});
