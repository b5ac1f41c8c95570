import type { ModelMessage, SystemModelMessage } from "ai";
import { ModelError } from "./errors.js";
import type { PromptCaching } from "./model-facts.js";

/**
 * Provider options that mark a cache breakpoint: Anthropic caches the prompt up to and including the
 * marked block. OpenRouter reads the same key for the Anthropic models it serves.
 */
export const CACHE_BREAKPOINT = { anthropic: { cacheControl: { type: "ephemeral" } } } as const;

export interface PromptParts {
  system: string;
  /** Context that stays the same over every step of a run: repository files and the issue. */
  prefix?: string;
  messages: ModelMessage[];
}

export interface PromptLayout {
  system: SystemModelMessage;
  messages: ModelMessage[];
}

/**
 * Lays out a request so that everything stable comes first and byte for byte the same on every
 * step: the system prompt, then the prefix as the first user message, then the conversation. With
 * explicit caching the system prompt and the prefix each end in a cache breakpoint; providers with
 * automatic prefix caching need only the identical bytes.
 */
export function layoutPrompt(parts: PromptParts, caching: PromptCaching): PromptLayout {
  const prefix = parts.prefix ?? "";
  if (prefix.trim() === "" && parts.messages.length === 0) {
    throw new ModelError("invalid-request", "The model request has neither a prefix nor any message, so the model has nothing to reply to.", "Pass the task as the prefix or as a user message.");
  }
  const breakpoint = caching === "explicit" ? { providerOptions: CACHE_BREAKPOINT } : {};
  const system: SystemModelMessage = { role: "system", content: parts.system, ...breakpoint };
  if (prefix.trim() === "") return { system, messages: parts.messages };
  const prefixMessage: ModelMessage = { role: "user", content: [{ type: "text", text: prefix, ...breakpoint }] };
  return { system, messages: [prefixMessage, ...parts.messages] };
}
