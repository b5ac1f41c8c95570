import { type ModelMessage, tool } from "ai";
import { afterEach, describe, expect, test } from "vitest";
import { z } from "zod";
import type { ModelClient, ModelReply } from "../../src/llm/model-client.js";
import type { TokenUsage } from "../../src/llm/usage.js";
import { testClient } from "./helpers/clients.js";
import { nockEndpoint, type ScriptedEndpoint } from "./helpers/endpoints.js";
import { ANTHROPIC, OPENAI_CHAT, type WireFormat } from "./helpers/wire-formats.js";

const SYSTEM = "You are Magic PR. Reply with search/replace blocks.";
const PREFIX = ["# Issue #3: add() subtracts", "## src/math.js", "export function add(a, b) {\n  return a - b;\n}", "## test/math.test.js", "assert.equal(add(2, 3), 5);"].join("\n\n");
const TOOLS = { read_file: tool({ description: "Reads a file of the repository.", inputSchema: z.object({ path: z.string() }) }) };
const FEEDBACK = ["The tests fail: expected 5, got 6.", "The tests fail: expected 5, got 1."];

/**
 * Runs one candidate for three steps the way the agent does: the same system prompt, prefix and
 * tools each time, and a history that grows by the model's reply and the test feedback.
 */
async function runThreeSteps(client: ModelClient): Promise<ModelReply[]> {
  const messages: ModelMessage[] = [];
  const replies: ModelReply[] = [];
  for (let step = 0; step < 3; step++) {
    const reply = await client.complete({ system: SYSTEM, prefix: PREFIX, messages: [...messages], tools: TOOLS, maxOutputTokens: 2_000 });
    replies.push(reply);
    messages.push(...reply.responseMessages);
    const feedback = FEEDBACK[step];
    if (feedback) messages.push({ role: "user", content: feedback });
  }
  return replies;
}

function scriptThreeReplies(endpoint: ScriptedEndpoint, wire: WireFormat, usages: TokenUsage[]): void {
  const edits = ["  return a * b;", "  return a / b;", "  return a + b;"];
  endpoint.reply(...usages.map((usage, index) => ({ status: 200, body: wire.text(`src/math.js\n<<<<<<< SEARCH\n  return a - b;\n=======\n${edits[index]}\n>>>>>>> REPLACE`, usage) })));
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

describe("prompt caching over three steps", () => {
  let endpoint: ScriptedEndpoint | undefined;

  afterEach(async () => {
    await endpoint?.close();
  });

  test("Anthropic prefix is identical and cache-marked", async () => {
    endpoint = nockEndpoint(ANTHROPIC.origin, ANTHROPIC.path);
    scriptThreeReplies(endpoint, ANTHROPIC, [
      { inputTokens: 3_000, cachedInputTokens: 0, cacheWriteTokens: 2_800, outputTokens: 200 },
      { inputTokens: 3_300, cachedInputTokens: 2_800, cacheWriteTokens: 0, outputTokens: 150 },
      { inputTokens: 3_600, cachedInputTokens: 2_800, cacheWriteTokens: 0, outputTokens: 100 },
    ]);
    const { client } = testClient({ modelId: ANTHROPIC.modelId, providers: ANTHROPIC.providers });

    const replies = await runThreeSteps(client);

    endpoint.verify();
    const bodies = endpoint.requests.map((request) => request.body);
    expect(bodies).toHaveLength(3);
    const stableParts = bodies.map((body) => JSON.stringify([body.tools, body.system, body.messages[0].content[0]]));
    expect(stableParts[1]).toBe(stableParts[0]);
    expect(stableParts[2]).toBe(stableParts[0]);
    for (const body of bodies) {
      expect(body.system.at(-1)).toEqual({ type: "text", text: SYSTEM, cache_control: { type: "ephemeral" } });
      expect(body.messages[0].content[0]).toEqual({ type: "text", text: PREFIX, cache_control: { type: "ephemeral" } });
    }
    expect(bodies[2].messages.length).toBeGreaterThan(bodies[1].messages.length);
    // Claude Sonnet 4.5 per million tokens: $3 input, $3.75 cache write, $0.30 cache read, $15 output.
    // Step 1: 200 x 3 + 2,800 x 3.75 + 200 x 15 = 14,100. Step 2: 500 x 3 + 2,800 x 0.30 + 150 x 15 = 4,590.
    // Step 3: 800 x 3 + 2,800 x 0.30 + 100 x 15 = 4,740. Total 23,430 per million = $0.02343.
    expect(sum(replies.map((reply) => reply.costUsd))).toBeCloseTo(0.02343, 12);
  });

  test("OpenAI prefix is identical without markers", async () => {
    endpoint = nockEndpoint(OPENAI_CHAT.origin, OPENAI_CHAT.path);
    scriptThreeReplies(endpoint, OPENAI_CHAT, [
      { inputTokens: 3_000, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 200 },
      { inputTokens: 3_300, cachedInputTokens: 2_816, cacheWriteTokens: 0, outputTokens: 150 },
      { inputTokens: 3_600, cachedInputTokens: 3_328, cacheWriteTokens: 0, outputTokens: 100 },
    ]);
    const { client } = testClient({ modelId: OPENAI_CHAT.modelId, providers: OPENAI_CHAT.providers });

    const replies = await runThreeSteps(client);

    endpoint.verify();
    const raw = endpoint.requests.map((request) => request.raw);
    const stableEnd = raw[0]?.indexOf(PREFIX.slice(-20)) ?? -1;
    expect(stableEnd).toBeGreaterThan(0);
    expect(raw[1]?.slice(0, stableEnd)).toBe(raw[0]?.slice(0, stableEnd));
    expect(raw[2]?.slice(0, stableEnd)).toBe(raw[0]?.slice(0, stableEnd));
    expect(raw.join("")).not.toContain("cache_control");
    // GPT-5 per million tokens: $1.25 input, $0.125 cached, $10 output.
    // Step 1: 3,000 x 1.25 + 200 x 10 = 5,750. Step 2: 484 x 1.25 + 2,816 x 0.125 + 150 x 10 = 2,457.
    // Step 3: 272 x 1.25 + 3,328 x 0.125 + 100 x 10 = 1,756. Total 9,963 per million = $0.009963.
    expect(sum(replies.map((reply) => reply.costUsd))).toBeCloseTo(0.009963, 12);
  });
});
