import type { HashHopSample, Variant } from "./generate.js";
import type { TokenCounter } from "./tokenizer.js";

export const HASHHOP_SYSTEM_PROMPT =
  "You look up hashes in a list of pairs. Reply with the completed query lines only, exactly in the requested format.";

/**
 * Builds the user message: the pair lines, a header that states the hops and the variant, then one
 * query line `H1 = '` per query for the model to complete.
 */
export function buildQueryPrompt(sample: HashHopSample): string {
  const header = [
    "Each line above is a pair A = B of hashes. To follow a hash, find the line that starts with it and take the hash on its right. A hash in quotes ends its chain.",
    `Task: from each hash below, follow ${describeHops(sample.hops)}. Variant: ${describeVariant(sample.variant, sample.hops)}`,
    "Complete each line below and close it with a quote. Reply with the completed lines only, one per line, in the same order.",
  ];
  const queryLines = sample.queries.map((query) => `${query.start} = '`);
  return `${sample.prompt}\n\n${header.join("\n")}\n\n${queryLines.join("\n")}`;
}

function describeHops(hops: number): string {
  return hops === 1 ? "1 hop" : `${hops} hops`;
}

function describeVariant(variant: Variant, hops: number): string {
  // Placeholder names A, B, C… show the shape of an answer without giving away any real hash.
  const names = Array.from({ length: hops + 1 }, (_, index) => String.fromCharCode(65 + (index % 26)));
  if (variant === "cot") {
    return `chain of thought. Write every hash you reach, in order, separated by " = ", for example ${names[0]} = '${names.slice(1).join(" = ")}'.`;
  }
  return `skip. Write only the hash you reach after the last hop, for example ${names[0]} = '${names[hops]}'.`;
}

/**
 * Sizes the output cap of a request: twice the tokens of the expected query lines plus a margin,
 * so a model that adds a little text is not cut off, while a runaway reply cannot drain the budget.
 */
export function maxOutputTokensFor(sample: HashHopSample, tokenizer: TokenCounter): number {
  const expectedLines = sample.queries.map((query) => `${query.start} = '${query.answer}'`).join("\n");
  return 2 * tokenizer.count(expectedLines) + 64;
}
