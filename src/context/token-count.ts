import { countTokens } from "gpt-tokenizer/encoding/o200k_base";

export type TokenCounter = (text: string) => number;

/** Repository text may contain special-token strings such as "<|endoftext|>"; they count as plain text. */
export const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

/** Counts tokens in OpenAI's o200k_base encoding (GPT-4o, GPT-4.1, GPT-5, o-series). */
export function countO200kTokens(text: string): number {
  return countTokens(text, PLAIN_TEXT);
}
