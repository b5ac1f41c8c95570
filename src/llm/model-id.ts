import { ModelError } from "./errors.js";

/**
 * Providers a model id can name. `openai` and `azure` use the Responses API (the AI SDK's default for
 * them); `openai-chat` and `azure-chat` use Chat Completions. `replay` plays back a recorded run.
 */
export const PROVIDERS = [
  "openai",
  "openai-chat",
  "anthropic",
  "google",
  "azure",
  "azure-chat",
  "openrouter",
  "openai-compatible",
  "replay",
] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** A parsed model id such as `anthropic:claude-sonnet-4-5`. */
export interface ModelId {
  provider: ProviderName;
  /** The provider's own name for the model, an Azure deployment, or a recording's path for `replay`. */
  name: string;
  /** `provider:name`, the form used in settings, the facts table and recordings. */
  id: string;
}

const EXAMPLE_IDS = "anthropic:claude-sonnet-4-5, openai:gpt-5 or openai-compatible:qwen2.5-coder";

function isProvider(value: string): value is ProviderName {
  return (PROVIDERS as readonly string[]).includes(value);
}

/** Parses `provider:name`; a name without a provider gets `bareProvider`. */
export function parseModelId(text: string, bareProvider: ProviderName = "openai"): ModelId {
  const trimmed = text.trim();
  const separator = trimmed.indexOf(":");
  const provider = separator === -1 ? bareProvider : trimmed.slice(0, separator);
  const name = separator === -1 ? trimmed : trimmed.slice(separator + 1).trim();
  if (!isProvider(provider)) {
    throw new ModelError(
      "invalid-model-id",
      `The model id "${trimmed}" names the unknown provider "${provider}".`,
      `Use one of ${PROVIDERS.join(", ")}, as in ${EXAMPLE_IDS}.`,
    );
  }
  if (!name) {
    throw new ModelError("invalid-model-id", `The model id "${trimmed}" has no model name after the provider.`, `Write it as ${EXAMPLE_IDS}.`);
  }
  return { provider, name, id: `${provider}:${name}` };
}

const DATE_SUFFIX = /-(\d{8}|\d{4}-\d{2}-\d{2})$/;
const SAME_MODELS_AS: Partial<Record<ProviderName, ProviderName>> = { "openai-chat": "openai", "azure-chat": "azure" };

/**
 * Lists the keys under which the facts table may contain a model, most specific first. They are the
 * id itself and the id without a snapshot date (`claude-sonnet-4-5-20250929` is `claude-sonnet-4-5`).
 * For `openai-chat` and `azure-chat` they include the same names under `openai` and `azure`.
 */
export function factsKeysFor(model: ModelId): string[] {
  const names = [model.name, model.name.replace(DATE_SUFFIX, "")];
  const providers = [model.provider, SAME_MODELS_AS[model.provider]].filter((provider) => provider !== undefined);
  const keys = providers.flatMap((provider) => names.map((name) => `${provider}:${name}`));
  return [...new Set(keys)];
}

/**
 * Tells whether an operator's allow-list admits a model id. A pattern is an exact id or ends in `*`
 * to admit every id that starts with the text before it (`anthropic:*`).
 */
export function isModelAllowed(modelId: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => (pattern.endsWith("*") ? modelId.startsWith(pattern.slice(0, -1)) : modelId === pattern));
}
