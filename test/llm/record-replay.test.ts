import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type ModelMessage, tool } from "ai";
import nock from "nock";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { z } from "zod";
import { ModelError } from "../../src/llm/errors.js";
import type { ModelClient, ModelReply, ModelRequest } from "../../src/llm/model-client.js";
import type { TokenUsage } from "../../src/llm/usage.js";
import { testClient } from "./helpers/clients.js";
import { loopbackEndpoint, nockEndpoint, type ScriptedEndpoint } from "./helpers/endpoints.js";
import { ANTHROPIC, openAiCompatible } from "./helpers/wire-formats.js";

const TOOLS = { read_file: tool({ description: "Reads a file of the repository.", inputSchema: z.object({ path: z.string() }) }) };
const REQUEST: ModelRequest = { system: "You fix issues.", prefix: "# Issue #9: the parser drops the last line", messages: [], tools: TOOLS, maxOutputTokens: 800 };
const USAGE: TokenUsage = { inputTokens: 1_200, cachedInputTokens: 0, cacheWriteTokens: 1_000, outputTokens: 40 };

/** Makes two model calls as the agent does: a tool call, its result, and a final reply. */
async function converse(client: ModelClient, request: ModelRequest = REQUEST): Promise<ModelReply[]> {
  const first = await client.complete(request);
  const call = first.toolCalls[0];
  const result: ModelMessage = {
    role: "tool",
    content: [{ type: "tool-result", toolCallId: call?.toolCallId ?? "", toolName: "read_file", output: { type: "text", value: "line 1\nline 2" } }],
  };
  const second = await client.complete({ ...request, messages: [...first.responseMessages, result] });
  return [first, second];
}

function comparable(reply: ModelReply) {
  return { text: reply.text, toolCalls: reply.toolCalls, usage: reply.usage, costUsd: reply.costUsd, attempts: reply.attempts, modelId: reply.modelId, problem: reply.problem };
}

describe("record and replay", () => {
  let recordDir: string;
  let endpoint: ScriptedEndpoint | undefined;

  beforeEach(() => {
    recordDir = mkdtempSync(path.join(tmpdir(), "magic-record-"));
  });

  afterEach(async () => {
    await endpoint?.close();
    endpoint = undefined;
    nock.cleanAll();
    nock.enableNetConnect();
    rmSync(recordDir, { recursive: true, force: true });
  });

  async function recordAnthropicRun(): Promise<{ file: string; replies: ModelReply[]; delays: number[] }> {
    endpoint = nockEndpoint(ANTHROPIC.origin, ANTHROPIC.path);
    endpoint.reply(
      { status: 429, body: ANTHROPIC.error(429, "Rate limited"), headers: { "retry-after": "3" } },
      { status: 200, body: ANTHROPIC.toolCall({ id: "toolu_01", name: "read_file", input: { path: "src/parser.ts" } }, USAGE) },
      { status: 200, body: ANTHROPIC.text("The loop stops one line early.", USAGE) },
    );
    const { client, delays } = testClient({ modelId: ANTHROPIC.modelId, providers: ANTHROPIC.providers, recordDir, context: { runId: "run-1" } });
    const replies = await converse(client);
    endpoint.verify();
    await endpoint.close();
    endpoint = undefined;
    return { file: path.join(recordDir, "run-1.jsonl"), replies, delays };
  }

  function replayClient(file: string) {
    nock.disableNetConnect();
    return testClient({ modelId: `replay:${file}`, providers: {} });
  }

  test("recording holds every attempt", async () => {
    const { file } = await recordAnthropicRun();

    const lines = readFileSync(file, "utf8").trim().split("\n").map((line) => JSON.parse(line));

    expect(readdirSync(recordDir)).toEqual(["run-1.jsonl"]);
    expect(lines.map((line) => line.type)).toEqual(["header", "call", "call", "call"]);
    expect(lines[0].modelIds).toEqual(["anthropic:claude-sonnet-4-5"]);
    expect(lines[0].facts["anthropic:claude-sonnet-4-5"].prices.cacheWrite).toBe(3.75);
    expect(lines[1].error.statusCode).toBe(429);
    expect(lines[2].result.content[0].type).toBe("tool-call");
    expect(JSON.stringify(lines)).not.toContain("sk-ant-test");
  });

  test("replay gives the same replies offline", async () => {
    const recorded = await recordAnthropicRun();
    const { client, delays } = replayClient(recorded.file);

    const replayed = await converse(client);

    expect(replayed.map(comparable)).toEqual(recorded.replies.map(comparable));
    expect(replayed[0]?.toolCalls[0]?.input).toEqual({ path: "src/parser.ts" });
    expect(delays).toEqual(recorded.delays);
    expect(delays).toEqual([3_000]);
  });

  test("changed request fails loudly", async () => {
    const { file } = await recordAnthropicRun();
    const { client } = replayClient(file);

    const failure = await client.complete({ ...REQUEST, prefix: "# Issue #9: the parser drops the first line" }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ModelError);
    expect((failure as ModelError).code).toBe("replay-mismatch");
    expect((failure as ModelError).message).toContain("Model call 1 differs from the recording at request.prompt[1]");
    expect((failure as ModelError).message).toContain("the first line");
  });

  test("extra call fails loudly", async () => {
    const { file } = await recordAnthropicRun();
    const { client } = replayClient(file);
    await converse(client);

    await expect(client.complete(REQUEST)).rejects.toThrow(/made model call 4, but the recording .* has only 3/);
  });

  test("fallback path replays", async () => {
    const local = await loopbackEndpoint();
    const wire = openAiCompatible(local.baseUrl);
    local.reply({ status: 500, body: wire.error(500, "boom") }, { status: 200, body: wire.text("From the fallback.", USAGE) });
    endpoint = nockEndpoint(ANTHROPIC.origin, ANTHROPIC.path);
    endpoint.reply({ status: 401, body: ANTHROPIC.error(401, "invalid x-api-key") });
    const settings = { fallbackModelIds: [wire.modelId], providers: { ...ANTHROPIC.providers, ...wire.providers }, recordDir, context: { runId: "run-2" } };
    const recorded = await testClient({ modelId: ANTHROPIC.modelId, ...settings }).client.complete({ ...REQUEST, tools: undefined });
    await local.close();
    const { client } = replayClient(path.join(recordDir, "run-2.jsonl"));

    const replayed = await client.complete({ ...REQUEST, tools: undefined });

    expect(recorded.modelId).toBe("openai-compatible:qwen2.5-coder");
    expect(comparable(replayed)).toEqual(comparable(recorded));
    expect(replayed.attempts).toBe(3);
  });

  test.each([
    ["missing file", undefined, /Cannot read the recording/],
    ["not a recording", '{"hello":"world"}\n', /is not a recording/],
    ["broken line", `${JSON.stringify({ type: "header", version: 1, createdAt: "x", modelIds: ["a:b"], facts: {} })}\n{oops\n`, /Line 2 .* is not JSON/],
  ])("%s is reported", (_case, content, message) => {
    const file = path.join(recordDir, "bad.jsonl");
    if (content !== undefined) writeFileSync(file, content);

    expect(() => replayClient(file)).toThrow(message);
  });
});
