/** Byte-pair encodings that gpt-tokenizer ships, so counting works offline. */
export const TOKENIZER_NAMES = ["o200k_base", "cl100k_base"] as const;
export type TokenizerName = (typeof TOKENIZER_NAMES)[number];

/** Counts tokens of text with one fixed encoding. */
export interface TokenCounter {
  readonly name: TokenizerName;
  count(text: string): number;
}

/**
 * Picks the encoding for a model id such as `openai:gpt-4.1`. GPT-4 (before 4o) and GPT-3.5 use
 * cl100k_base; newer OpenAI models use o200k_base.
 */
export function tokenizerForModel(modelId: string): TokenizerName {
  const modelName = modelId.slice(modelId.indexOf(":") + 1).toLowerCase();
  // NOTE: models of other providers have their own tokenizers, which gpt-tokenizer does not ship.
  // For them o200k_base is an estimate; the report shows the input tokens the provider counted.
  return /^gpt-(3\.5|4)(-|$)/.test(modelName) ? "cl100k_base" : "o200k_base";
}

/** Loads an encoding; each is a few megabytes, so only the one in use is imported. */
export async function loadTokenCounter(name: TokenizerName): Promise<TokenCounter> {
  const encoding =
    name === "cl100k_base" ? await import("gpt-tokenizer/encoding/cl100k_base") : await import("gpt-tokenizer/encoding/o200k_base");
  return { name, count: (text) => encoding.countTokens(text) };
}
