import type { ModelFacts, Prices } from "./model-facts.js";
import type { TokenUsage } from "./usage.js";

const PER_MILLION = 1_000_000;

function pricesFor(facts: ModelFacts, inputTokens: number): Prices {
  const long = facts.longContext;
  return long && inputTokens > long.aboveInputTokens ? long.prices : facts.prices;
}

/**
 * Prices a call's usage in USD: uncached input, cache reads, cache writes and output each at their
 * own rate. A cache price the table leaves out counts as the plain input price, never as zero.
 */
export function priceUsage(facts: ModelFacts, usage: TokenUsage): number {
  const prices = pricesFor(facts, usage.inputTokens);
  const uncachedInput = Math.max(0, usage.inputTokens - usage.cachedInputTokens - usage.cacheWriteTokens);
  const dollars =
    uncachedInput * prices.input +
    usage.cachedInputTokens * (prices.cachedInput ?? prices.input) +
    usage.cacheWriteTokens * (prices.cacheWrite ?? prices.input) +
    usage.outputTokens * prices.output;
  return dollars / PER_MILLION;
}

/**
 * Returns the most a call can cost before it is made: every prompt token at the dearer of the input
 * and cache-write prices, and the full output allowance (capped at the model's maximum, as requests are). The budget reserves
 * this amount.
 */
export function worstCaseCostUsd(facts: ModelFacts, promptTokens: number, maxOutputTokens: number): number {
  const prices = pricesFor(facts, promptTokens);
  const inputPrice = Math.max(prices.input, prices.cacheWrite ?? prices.input);
  const outputTokens = Math.min(maxOutputTokens, facts.maxOutputTokens ?? maxOutputTokens);
  return (promptTokens * inputPrice + outputTokens * prices.output) / PER_MILLION;
}
