import type { ModelFactsTable } from "./model-facts.js";

/*
 * Model facts shipped with the app; an operator's MAGIC_MODEL_FACTS_FILE entries are merged over
 * these. Prices are USD per million tokens, read on 2026-12-04 from the stored copies of these pages:
 *
 * - Anthropic: https://platform.claude.com/docs/en/about-claude/pricing ("Model pricing": base input,
 *   5m cache writes, cache hits, output) and the model pages
 *   https://platform.claude.com/docs/zh-CN/models/sonnet-4-5/overview and
 *   https://platform.claude.com/docs/pt-BR/models/opus-4-5/overview (context window, max output).
 *   `cacheWrite` is the 5-minute price because the AI SDK's `{ type: "ephemeral" }` breakpoint
 *   requests the 5-minute cache.
 * - OpenAI: https://developers.openai.com/api/docs/models/gpt-5.1,
 *   https://developers.openai.com/api/docs/models/gpt-5-codex (the GPT-5 rates),
 *   https://developers.openai.com/ko-KR/api/docs/models/gpt-5-mini and
 *   https://developers.openai.com/api/docs/models/gpt-5-nano. `contextWindow` counts prompt and
 *   completion together, as those pages do.
 * - Google: https://ai.google.dev/gemini-api/docs/caching (implicit caching of Gemini 2.5).
 */
export const SHIPPED_MODEL_FACTS: ModelFactsTable = {
  "anthropic:claude-sonnet-4-5": {
    contextWindow: 200_000,
    maxOutputTokens: 64_000,
    supportsTools: true,
    promptCaching: "explicit",
    prices: { input: 3, cachedInput: 0.3, cacheWrite: 3.75, output: 15 },
    source: "platform.claude.com pricing and model pages, read 2026-12-04",
  },
  "anthropic:claude-opus-4-5": {
    contextWindow: 200_000,
    maxOutputTokens: 64_000,
    supportsTools: true,
    promptCaching: "explicit",
    prices: { input: 5, cachedInput: 0.5, cacheWrite: 6.25, output: 25 },
    source: "platform.claude.com pricing and model pages, read 2026-12-04",
  },
  "anthropic:claude-haiku-4-5": {
    contextWindow: 200_000,
    // NOTE: 64,000 comes from a third-party model list (labring/fastgpt-plugin), not an Anthropic page.
    maxOutputTokens: 64_000,
    supportsTools: true,
    promptCaching: "explicit",
    prices: { input: 1, cachedInput: 0.1, cacheWrite: 1.25, output: 5 },
    source: "platform.claude.com pricing page, read 2026-12-04",
  },
  "anthropic:claude-opus-4-1": {
    contextWindow: 200_000,
    // NOTE: 32,000 comes from a third-party model list (mixtape-core on docs.rs), not an Anthropic page.
    maxOutputTokens: 32_000,
    supportsTools: true,
    promptCaching: "explicit",
    prices: { input: 15, cachedInput: 1.5, cacheWrite: 18.75, output: 75 },
    source: "platform.claude.com pricing page, read 2026-12-04",
  },
  "openai:gpt-5.1": {
    contextWindow: 400_000,
    maxOutputTokens: 128_000,
    supportsTools: true,
    promptCaching: "automatic",
    prices: { input: 1.25, cachedInput: 0.125, output: 10 },
    source: "developers.openai.com model page, read 2026-12-04",
  },
  "openai:gpt-5": {
    contextWindow: 400_000,
    maxOutputTokens: 128_000,
    supportsTools: true,
    promptCaching: "automatic",
    prices: { input: 1.25, cachedInput: 0.125, output: 10 },
    source: "developers.openai.com gpt-5-codex and gpt-5.1 pages, read 2026-12-04",
  },
  "openai:gpt-5-mini": {
    contextWindow: 400_000,
    maxOutputTokens: 128_000,
    supportsTools: true,
    promptCaching: "automatic",
    prices: { input: 0.25, cachedInput: 0.025, output: 2 },
    source: "developers.openai.com model page, read 2026-12-04",
  },
  "openai:gpt-5-nano": {
    contextWindow: 400_000,
    maxOutputTokens: 128_000,
    supportsTools: true,
    promptCaching: "automatic",
    prices: { input: 0.05, cachedInput: 0.005, output: 0.4 },
    source: "developers.openai.com model page, read 2026-12-04",
  },
  // NOTE: Google's own pricing page was not among the stored pages, so the Gemini prices come from
  // secondary pages that quote it (morphllm.com/gemini-api-pricing, deploybase.ai/articles/gemini-api-pricing-2026),
  // and the cached-input price is their stated 90% discount. Check them before relying on the cost.
  "google:gemini-2.5-pro": {
    contextWindow: 1_048_576,
    supportsTools: true,
    promptCaching: "automatic",
    prices: { input: 1.25, cachedInput: 0.125, output: 10 },
    longContext: { aboveInputTokens: 200_000, prices: { input: 2.5, cachedInput: 0.25, output: 15 } },
    source: "secondary pages quoting ai.google.dev pricing, read 2026-12-04",
  },
  "google:gemini-2.5-flash": {
    contextWindow: 1_048_576,
    supportsTools: true,
    promptCaching: "automatic",
    prices: { input: 0.3, cachedInput: 0.03, output: 2.5 },
    source: "secondary pages quoting ai.google.dev pricing, read 2026-12-04",
  },
};
