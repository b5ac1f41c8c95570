import { type ModelMessage, tool } from "ai";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { z } from "zod";
import type { ModelRequest } from "../../src/llm/model-client.js";
import type { TokenUsage } from "../../src/llm/usage.js";
import { testClient } from "./helpers/clients.js";
import { loopbackEndpoint, nockEndpoint, type ScriptedEndpoint } from "./helpers/endpoints.js";
import { ANTHROPIC, AZURE, GOOGLE, OPENAI_CHAT, OPENAI_RESPONSES, OPENROUTER, openAiCompatible, type WireFormat } from "./helpers/wire-formats.js";

const TOOLS = { read_file: tool({ description: "Reads a file of the repository.", inputSchema: z.object({ path: z.string() }) }) };

const REQUEST: ModelRequest = {
  system: "You fix issues by editing files.",
  prefix: "# Issue #1: add() subtracts\n\nsrc/math.js returns a - b.",
  messages: [],
  maxOutputTokens: 1_000,
};

const USAGE: TokenUsage = { inputTokens: 2_000, cachedInputTokens: 1_500, cacheWriteTokens: 0, outputTokens: 100 };
const USAGE_WITH_CACHE_WRITE: TokenUsage = { inputTokens: 2_000, cachedInputTokens: 1_500, cacheWriteTokens: 300, outputTokens: 100 };

interface ProviderCase {
  name: string;
  setup(): Promise<{ wire: WireFormat; endpoint: ScriptedEndpoint }>;
  usage: TokenUsage;
  /** Worked out by hand from the facts table, in USD. */
  costUsd: number;
}

const onNock = (wire: WireFormat) => async () => ({ wire, endpoint: nockEndpoint(wire.origin, wire.path) });

const CASES: ProviderCase[] = [
  // 500 uncached x $1.25 + 1,500 cached x $0.125 + 100 output x $10, per million tokens.
  { name: "OpenAI chat completions", setup: onNock(OPENAI_CHAT), usage: USAGE, costUsd: 0.0018125 },
  { name: "OpenAI responses", setup: onNock(OPENAI_RESPONSES), usage: USAGE, costUsd: 0.0018125 },
  // 200 uncached x $3 + 1,500 cache reads x $0.30 + 300 cache writes x $3.75 + 100 output x $15.
  { name: "Anthropic messages", setup: onNock(ANTHROPIC), usage: USAGE_WITH_CACHE_WRITE, costUsd: 0.003675 },
  // The same rates as GPT-5 for prompts up to 200,000 tokens.
  { name: "Google generateContent", setup: onNock(GOOGLE), usage: USAGE, costUsd: 0.0018125 },
  // 500 x $2 + 1,500 x $0.50 + 100 x $8.
  { name: "Azure OpenAI responses", setup: onNock(AZURE), usage: USAGE, costUsd: 0.00255 },
  // No cached-input price in its facts, so all 2,000 input tokens cost $1.25, plus 100 x $10.
  { name: "OpenRouter", setup: onNock(OPENROUTER), usage: USAGE, costUsd: 0.0035 },
  // 2,000 x $0.20 + 100 x $0.60; the server reports no cache use, so none is priced.
  {
    name: "OpenAI-compatible server",
    setup: async () => {
      const endpoint = await loopbackEndpoint();
      return { wire: openAiCompatible(endpoint.baseUrl), endpoint };
    },
    usage: { ...USAGE, cachedInputTokens: 0 },
    costUsd: 0.00046,
  },
];

describe.each(CASES)("$name", ({ setup, usage, costUsd }) => {
  let wire: WireFormat;
  let endpoint: ScriptedEndpoint;

  beforeEach(async () => {
    ({ wire, endpoint } = await setup());
  });

  afterEach(async () => {
    await endpoint.close();
  });

  test("text reply with usage and cost", async () => {
    endpoint.reply({ status: 200, body: wire.text("The bug is in src/math.js.", usage) });
    const { client } = testClient({ modelId: wire.modelId, providers: wire.providers });

    const reply = await client.complete(REQUEST);

    endpoint.verify();
    expect(reply.text).toBe("The bug is in src/math.js.");
    expect(reply.toolCalls).toEqual([]);
    expect(reply.problem).toBeUndefined();
    expect(reply.usage).toEqual(usage);
    expect(reply.costUsd).toBeCloseTo(costUsd, 12);
    expect(reply.attempts).toBe(1);
    expect(reply.modelId).toBe(wire.modelId);
    expect(JSON.stringify(endpoint.requests[0]?.body)).toContain("src/math.js returns a - b.");
  });

  test("tool call round trip", async () => {
    endpoint.reply(
      { status: 200, body: wire.toolCall({ id: "call_read_1", name: "read_file", input: { path: "src/math.js" } }, usage) },
      { status: 200, body: wire.text("The file subtracts.", usage) },
    );
    const { client } = testClient({ modelId: wire.modelId, providers: wire.providers });

    const first = await client.complete({ ...REQUEST, tools: TOOLS });
    const call = first.toolCalls[0];
    const toolResult: ModelMessage = {
      role: "tool",
      content: [{ type: "tool-result", toolCallId: call?.toolCallId ?? "", toolName: "read_file", output: { type: "text", value: "export const add = (a, b) => a - b;" } }],
    };
    const second = await client.complete({ ...REQUEST, tools: TOOLS, messages: [...first.responseMessages, toolResult] });

    endpoint.verify();
    expect(first.toolCalls).toHaveLength(1);
    expect(call?.toolName).toBe("read_file");
    expect(call?.input).toEqual({ path: "src/math.js" });
    expect(first.invalidToolCalls).toEqual([]);
    expect(first.problem).toBeUndefined();
    expect(first.costUsd).toBeCloseTo(costUsd, 12);
    expect(JSON.stringify(endpoint.requests[0]?.body)).toContain("read_file");
    expect(wire.toolResultIn(endpoint.requests[1]?.body, call?.toolCallId ?? "")).toContain("a - b");
    expect(second.text).toBe("The file subtracts.");
  });

  test("429 waits for retry-after", async () => {
    endpoint.reply(
      { status: 429, body: wire.error(429, "Rate limit reached"), headers: { "retry-after": "7" } },
      { status: 200, body: wire.text("Done.", usage) },
    );
    const { client, delays } = testClient({ modelId: wire.modelId, providers: wire.providers });

    const reply = await client.complete(REQUEST);

    endpoint.verify();
    expect(delays).toEqual([7_000]);
    expect(reply.attempts).toBe(2);
    expect(reply.text).toBe("Done.");
    expect(reply.costUsd).toBeCloseTo(costUsd, 12);
  });

  test("500 then success", async () => {
    endpoint.reply({ status: 500, body: wire.error(500, "Internal server error") }, { status: 200, body: wire.text("Done.", usage) });
    const { client, delays } = testClient({ modelId: wire.modelId, providers: wire.providers });

    const reply = await client.complete(REQUEST);

    endpoint.verify();
    // Base delay 1 s with equal jitter at its middle: 500 ms fixed + 250 ms random.
    expect(delays).toEqual([750]);
    expect(reply.attempts).toBe(2);
    expect(reply.text).toBe("Done.");
  });

  test("timeout then success", async () => {
    endpoint.reply({ status: 200, body: wire.text("Too late.", usage), delayMs: 2_000 }, { status: 200, body: wire.text("In time.", usage) });
    const { client, delays } = testClient({ modelId: wire.modelId, providers: wire.providers, timeoutMs: 200 });

    const reply = await client.complete(REQUEST);

    expect(reply.text).toBe("In time.");
    expect(reply.attempts).toBe(2);
    expect(delays).toHaveLength(1);
    expect(endpoint.requests).toHaveLength(2);
  });

  test("empty reply is a problem", async () => {
    endpoint.reply({ status: 200, body: wire.empty(usage) });
    const { client } = testClient({ modelId: wire.modelId, providers: wire.providers });

    const reply = await client.complete(REQUEST);

    endpoint.verify();
    expect(reply.problem?.code).toBe("empty-reply");
    expect(reply.responseMessages).toEqual([]);
    expect(reply.usage).toEqual(usage);
    expect(reply.costUsd).toBeCloseTo(costUsd, 12);
  });

  test("malformed reply is a problem", async () => {
    endpoint.reply({ status: 200, body: "{ this is not JSON" });
    const { client } = testClient({ modelId: wire.modelId, providers: wire.providers });

    const reply = await client.complete(REQUEST);

    endpoint.verify();
    expect(reply.problem?.code).toBe("malformed-reply");
    expect(reply.attempts).toBe(1);
    expect(reply.text).toBe("");
  });
});
