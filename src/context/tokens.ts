import { countTokens as countCl100k } from "gpt-tokenizer/encoding/cl100k_base";
import { countO200kTokens, PLAIN_TEXT, type TokenCounter } from "./token-count.js";

export { countO200kTokens, type TokenCounter };

/** Counts tokens in OpenAI's cl100k_base encoding (GPT-4, GPT-3.5). */
export const countCl100kTokens: TokenCounter = (text) => countCl100k(text, PLAIN_TEXT);

/**
 * Margin on o200k_base counts for models whose tokenizer is not available offline.
 * NOTE: an estimate, not a measurement: Claude, Gemini and open-weight tokenizers were not compared on
 * code here; 25% more tokens than o200k_base is taken as an upper bound.
 */
export const UNKNOWN_TOKENIZER_MARGIN = 1.25;

const O200K_MODELS = /^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o1|o3|o4|chatgpt-4o|codex)/;
const CL100K_MODELS = /^(gpt-4|gpt-3\.5)/;

/**
 * Chooses the token counter for a model id such as `openai:gpt-4.1` or `anthropic:claude-sonnet-4-5`:
 * the exact encoding for OpenAI models, else o200k_base counts raised by `UNKNOWN_TOKENIZER_MARGIN`.
 */
export function tokenCounterFor(modelId: string | undefined): TokenCounter {
  const model = (modelId ?? "").replace(/^[a-z-]+:/, "").toLowerCase();
  if (O200K_MODELS.test(model)) return countO200kTokens;
  if (CL100K_MODELS.test(model)) return countCl100kTokens;
  return (text) => Math.ceil(countO200kTokens(text) * UNKNOWN_TOKENIZER_MARGIN);
}
