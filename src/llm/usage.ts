import type { LanguageModelUsage } from "ai";

/** Token counts of one or more model calls, as the provider reported them. */
export interface TokenUsage {
  /** All prompt tokens, including those read from or written to the prompt cache. */
  inputTokens: number;
  /** Prompt tokens read from the provider's prompt cache. */
  cachedInputTokens: number;
  /** Prompt tokens written to the provider's prompt cache. */
  cacheWriteTokens: number;
  /** Completion tokens, including reasoning tokens. */
  outputTokens: number;
}

export function emptyUsage(): TokenUsage {
  return { inputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 0 };
}

export function addUsage(total: TokenUsage, more: TokenUsage): TokenUsage {
  return {
    inputTokens: total.inputTokens + more.inputTokens,
    cachedInputTokens: total.cachedInputTokens + more.cachedInputTokens,
    cacheWriteTokens: total.cacheWriteTokens + more.cacheWriteTokens,
    outputTokens: total.outputTokens + more.outputTokens,
  };
}

/**
 * Converts the AI SDK's usage to {@link TokenUsage}. The SDK's input total already includes cache
 * reads and writes for every provider used here (OpenAI, Anthropic, Google, OpenRouter).
 */
export function usageFromSdk(usage: LanguageModelUsage): TokenUsage {
  return {
    inputTokens: usage.inputTokens ?? 0,
    cachedInputTokens: usage.inputTokenDetails?.cacheReadTokens ?? 0,
    cacheWriteTokens: usage.inputTokenDetails?.cacheWriteTokens ?? 0,
    outputTokens: usage.outputTokens ?? 0,
  };
}
