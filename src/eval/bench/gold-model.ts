import type { ModelMessage } from "ai";
import type { ModelFacts } from "../../llm/model-facts.js";
import type { ModelClient, ModelReply, ModelRequest } from "../../llm/model-client.js";
import { emptyUsage } from "../../llm/usage.js";

/** Model id of the harness check that answers every task with its gold patch. */
export const GOLD_MODEL_ID = "gold";

/** Facts of the gold model: it costs nothing, and its window is large enough for any packed context. */
const GOLD_FACTS: ModelFacts = { contextWindow: 1_000_000, supportsTools: true, promptCaching: "none", prices: { input: 0, output: 0 } };

/**
 * A model that answers a task with its gold patch, as SWE-bench's gold predictions do, to check that
 * every task can be solved and that the evaluation judges a right fix as right. Its first reply in a
 * conversation is the patch as a unified diff in text, which the agent parses, applies and tests
 * exactly as it would a real model's edits. Every later reply calls `finish`.
 */
export class GoldModelClient implements ModelClient {
  readonly modelId = GOLD_MODEL_ID;
  readonly facts = GOLD_FACTS;
  private calls = 0;

  constructor(private readonly goldPatch: string) {}

  async complete(request: ModelRequest): Promise<ModelReply> {
    this.calls += 1;
    const answered = request.messages.some((message) => message.role === "assistant");
    return answered ? this.finishReply() : this.patchReply();
  }

  private patchReply(): ModelReply {
    const text = `The gold patch of this task:\n\n\`\`\`diff\n${this.goldPatch.trimEnd()}\n\`\`\`\n`;
    return reply(text, [{ role: "assistant", content: text }], "stop");
  }

  private finishReply(): ModelReply {
    const toolCallId = `gold-finish-${this.calls}`;
    const input = { summary: "Applied the gold patch." };
    const messages: ModelMessage[] = [{ role: "assistant", content: [{ type: "tool-call", toolCallId, toolName: "finish", input }] }];
    return { ...reply("", messages, "tool-calls"), toolCalls: [{ toolCallId, toolName: "finish", input }] };
  }
}

function reply(text: string, responseMessages: ModelMessage[], finishReason: string): ModelReply {
  return { text, toolCalls: [], invalidToolCalls: [], responseMessages, finishReason, usage: emptyUsage(), costUsd: 0, attempts: 1, modelId: GOLD_MODEL_ID };
}
