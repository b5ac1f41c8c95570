import { z } from "zod";
import { ModelError } from "../llm/errors.js";
import { mergeFactsTables, type ModelFactsTable, readModelFactsFile, resolveModelFacts } from "../llm/model-facts.js";
import { type ModelId, parseModelId, PROVIDERS, type ProviderName } from "../llm/model-id.js";
import type { ModelSettings } from "../llm/model-settings.js";
import { type ProviderSettings, providerSettingProblem } from "../llm/providers.js";
import { ReplaySession } from "../llm/replay.js";
import { DEFAULT_RETRY_POLICY } from "../llm/retry-policy.js";
import { SHIPPED_MODEL_FACTS } from "../llm/model-table.js";

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === "" ? undefined : value))
  .optional();

const optionalUrl = (variable: string, example: string) =>
  optionalText.pipe(z.url({ error: `${variable} must be a URL such as ${example}` }).optional());

/** The environment variables that configure models, keys and base URLs. */
export const ModelEnvironment = z.object({
  MAGIC_MODEL: z
    .string({ error: "MAGIC_MODEL is missing: set it to a model id such as anthropic:claude-sonnet-4-5 or openai-compatible:qwen2.5-coder" })
    .trim()
    .min(1, { error: "MAGIC_MODEL is empty: set it to a model id such as anthropic:claude-sonnet-4-5" }),
  MAGIC_FALLBACK_MODELS: optionalText,
  MAGIC_ALLOWED_MODELS: optionalText,
  MAGIC_MODEL_FACTS_FILE: optionalText,
  MAGIC_MODEL_TIMEOUT_SECONDS: z.coerce
    .number({ error: "MAGIC_MODEL_TIMEOUT_SECONDS must be a number of seconds" })
    .positive({ error: "MAGIC_MODEL_TIMEOUT_SECONDS must be above 0" })
    .default(300),
  MAGIC_MODEL_MAX_RETRIES: z.coerce
    .number({ error: "MAGIC_MODEL_MAX_RETRIES must be a whole number from 0 to 10" })
    .int({ error: "MAGIC_MODEL_MAX_RETRIES must be a whole number from 0 to 10" })
    .min(0, { error: "MAGIC_MODEL_MAX_RETRIES must be a whole number from 0 to 10" })
    .max(10, { error: "MAGIC_MODEL_MAX_RETRIES must be a whole number from 0 to 10" })
    .default(DEFAULT_RETRY_POLICY.maxRetries),
  MAGIC_RECORD: optionalText,
  MAGIC_MODEL_BASE_URL: optionalUrl("MAGIC_MODEL_BASE_URL", "http://localhost:11434/v1"),
  MAGIC_MODEL_API_KEY: optionalText,
  OPENAI_API_KEY: optionalText,
  OPENAI_BASE_URL: optionalUrl("OPENAI_BASE_URL", "https://api.openai.com/v1"),
  ANTHROPIC_API_KEY: optionalText,
  ANTHROPIC_BASE_URL: optionalUrl("ANTHROPIC_BASE_URL", "https://api.anthropic.com/v1"),
  GOOGLE_GENERATIVE_AI_API_KEY: optionalText,
  GOOGLE_GENERATIVE_AI_BASE_URL: optionalUrl("GOOGLE_GENERATIVE_AI_BASE_URL", "https://generativelanguage.googleapis.com/v1beta"),
  AZURE_API_KEY: optionalText,
  AZURE_RESOURCE_NAME: optionalText,
  AZURE_BASE_URL: optionalUrl("AZURE_BASE_URL", "https://my-resource.openai.azure.com/openai"),
  AZURE_API_VERSION: optionalText,
  OPENROUTER_API_KEY: optionalText,
  OPENROUTER_BASE_URL: optionalUrl("OPENROUTER_BASE_URL", "https://openrouter.ai/api/v1"),
});
export type ModelEnvironment = z.infer<typeof ModelEnvironment>;

export type ModelSettingsResult = { ok: true; settings: ModelSettings } | { ok: false; problems: string[] };

function providersFrom(values: ModelEnvironment): ProviderSettings {
  return {
    openai: { apiKey: values.OPENAI_API_KEY, baseUrl: values.OPENAI_BASE_URL },
    anthropic: { apiKey: values.ANTHROPIC_API_KEY, baseUrl: values.ANTHROPIC_BASE_URL },
    google: { apiKey: values.GOOGLE_GENERATIVE_AI_API_KEY, baseUrl: values.GOOGLE_GENERATIVE_AI_BASE_URL },
    azure: { apiKey: values.AZURE_API_KEY, baseUrl: values.AZURE_BASE_URL, resourceName: values.AZURE_RESOURCE_NAME, apiVersion: values.AZURE_API_VERSION },
    openrouter: { apiKey: values.OPENROUTER_API_KEY, baseUrl: values.OPENROUTER_BASE_URL },
    openaiCompatible: { apiKey: values.MAGIC_MODEL_API_KEY, baseUrl: values.MAGIC_MODEL_BASE_URL },
  };
}

function splitList(text: string | undefined): string[] {
  return (text ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

function describe(error: unknown): string {
  return error instanceof ModelError ? `${error.message} ${error.hint}` : (error as Error).message;
}

/**
 * Builds the model settings from validated variables and lists every problem: an invalid model id,
 * a missing key, a model without facts, an unreadable facts file or recording.
 */
export function buildModelSettings(values: ModelEnvironment): ModelSettingsResult {
  const problems: string[] = [];
  const bareProvider = values.MAGIC_MODEL_BASE_URL ? "openai-compatible" : "openai";
  const parse = (variable: string, text: string): ModelId | undefined => {
    try {
      return parseModelId(text, bareProvider);
    } catch (error) {
      problems.push(`${variable}: ${describe(error)}`);
      return undefined;
    }
  };

  let factsTable: ModelFactsTable = SHIPPED_MODEL_FACTS;
  if (values.MAGIC_MODEL_FACTS_FILE) {
    const file = readModelFactsFile(values.MAGIC_MODEL_FACTS_FILE);
    if (file.ok) factsTable = mergeFactsTables(SHIPPED_MODEL_FACTS, file.table);
    else problems.push(...file.problems);
  }

  const providers = providersFrom(values);
  const model = parse("MAGIC_MODEL", values.MAGIC_MODEL);
  const fallbacks = splitList(values.MAGIC_FALLBACK_MODELS).map((text) => parse("MAGIC_FALLBACK_MODELS", text));
  const allowed = splitList(values.MAGIC_ALLOWED_MODELS);
  const patterns = allowed.filter((pattern) => pattern.endsWith("*"));
  const exactAllowed = allowed.filter((pattern) => !pattern.endsWith("*")).map((text) => parse("MAGIC_ALLOWED_MODELS", text));
  const callable: Array<[string, ModelId | undefined]> = [
    ["MAGIC_MODEL", model],
    ...fallbacks.map((fallback): [string, ModelId | undefined] => ["MAGIC_FALLBACK_MODELS", fallback]),
    ...exactAllowed.map((allowedId): [string, ModelId | undefined] => ["MAGIC_ALLOWED_MODELS", allowedId]),
  ];
  for (const [variable, candidate] of callable) {
    if (candidate) problems.push(...usabilityProblems(variable, candidate, providers, factsTable));
  }
  problems.push(...allowedProviderProblems(patterns, providers));
  if (problems.length > 0 || !model) return { ok: false, problems };

  return {
    ok: true,
    settings: {
      modelId: model.id,
      fallbackModelIds: fallbacks.filter((fallback) => fallback !== undefined).map((fallback) => fallback.id),
      // Exact ids are stored in their full form, so that `gpt-5` admits a request for `openai:gpt-5`.
      allowedModelIds: [...exactAllowed.flatMap((allowedId) => (allowedId ? [allowedId.id] : [])), ...patterns],
      providers,
      factsTable,
      timeoutMs: values.MAGIC_MODEL_TIMEOUT_SECONDS * 1000,
      retry: { ...DEFAULT_RETRY_POLICY, maxRetries: values.MAGIC_MODEL_MAX_RETRIES },
      recordDir: values.MAGIC_RECORD,
    },
  };
}

/**
 * Checks that the provider of each `provider:*` pattern is configured. The facts of the models such
 * a pattern admits are checked when a repository chooses one.
 */
function allowedProviderProblems(patterns: string[], providers: ProviderSettings): string[] {
  return patterns.flatMap((pattern) => {
    const separator = pattern.indexOf(":");
    if (separator === -1) return [];
    const provider = pattern.slice(0, separator);
    if (!(PROVIDERS as readonly string[]).includes(provider)) return [`MAGIC_ALLOWED_MODELS: the pattern "${pattern}" names the unknown provider "${provider}"`];
    const problem = providerSettingProblem({ provider: provider as ProviderName, name: "*", id: pattern }, providers);
    return problem ? [problem] : [];
  });
}

/** Checks that a model can be called: its provider is configured and its facts are known. */
function usabilityProblems(variable: string, model: ModelId, providers: ProviderSettings, factsTable: ModelFactsTable): string[] {
  if (model.provider === "replay") {
    try {
      ReplaySession.load(model.name);
      return [];
    } catch (error) {
      return [`${variable}: ${describe(error)}`];
    }
  }
  const problems: string[] = [];
  const missing = providerSettingProblem(model, providers);
  if (missing) problems.push(missing);
  try {
    resolveModelFacts(model.id, factsTable);
  } catch (error) {
    problems.push(`${variable}: ${describe(error)}`);
  }
  return problems;
}
