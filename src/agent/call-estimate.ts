import type { ModelFacts } from "../llm/model-facts.js";
import { worstCaseCostUsd } from "../llm/pricing.js";
import type { CallEstimate } from "./budget.js";

/**
 * Prices a call's worst case from the model's facts, as if no input were cached, so the reservation
 * covers the call whatever the provider caches.
 * NOTE: a fallback model with higher prices can cost more than this; its settlement then stops the run.
 */
export function pricedEstimate(facts: ModelFacts, promptTokens: number, maxOutputTokens: number): CallEstimate {
  const outputTokens = Math.min(maxOutputTokens, facts.maxOutputTokens ?? maxOutputTokens);
  return { inputTokens: promptTokens, maxOutputTokens: outputTokens, usd: worstCaseCostUsd(facts, promptTokens, outputTokens) };
}
