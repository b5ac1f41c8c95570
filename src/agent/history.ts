import type { ModelMessage } from "ai";

const OMITTED = "[output omitted to keep the conversation within the model's context window; call the tool again if you need it]";

/** Measures a message for compaction; the caller passes a tokenizer, tests pass a character count. */
export type MessageSize = (message: ModelMessage) => number;

/**
 * Replaces the outputs of the oldest tool results with a short note until the history fits in
 * `maxTokens`. The newest step's results are never cut, and the assistant turns stay whole, so the
 * model still sees what it did. Returns the history unchanged when it already fits.
 */
export function compactHistory(messages: ModelMessage[], maxTokens: number, size: MessageSize): ModelMessage[] {
  let total = messages.reduce((sum, message) => sum + size(message), 0);
  if (total <= maxTokens) return messages;
  const compacted = [...messages];
  const lastToolIndex = compacted.map((message) => message.role).lastIndexOf("tool");
  for (let index = 0; index < compacted.length && total > maxTokens; index++) {
    const message = compacted[index] as ModelMessage;
    if (message.role !== "tool" || index === lastToolIndex) continue;
    const shortened: ModelMessage = {
      role: "tool",
      content: message.content.map((part) =>
        part.type === "tool-result" ? { ...part, output: { type: "text" as const, value: OMITTED } } : part,
      ),
    };
    total += size(shortened) - size(message);
    compacted[index] = shortened;
  }
  return compacted;
}
