import { readFileSync } from "node:fs";
import { z } from "zod";
import { ModelError } from "./errors.js";
import { factsKeysFor, parseModelId } from "./model-id.js";
import { SHIPPED_MODEL_FACTS } from "./model-table.js";

const usdPerMillion = z.number({ error: "expected a price in USD per million tokens" }).min(0, { error: "expected a price of 0 or more" });
const tokenCount = z.int({ error: "expected a whole number of tokens" }).positive({ error: "expected a number of tokens above 0" });

/** Prices in USD per million tokens. A missing cache price means the plain input price. */
export const Prices = z.strictObject({
  input: usdPerMillion,
  output: usdPerMillion,
  cachedInput: usdPerMillion.optional(),
  cacheWrite: usdPerMillion.optional(),
});
export type Prices = z.infer<typeof Prices>;

/**
 * Prompt caching of a provider. `explicit` needs cache breakpoints in the request (Anthropic),
 * `automatic` caches a repeated prefix on its own (OpenAI, Gemini 2.5), and `none` does not cache.
 */
export const PromptCaching = z.enum(["explicit", "automatic", "none"]);
export type PromptCaching = z.infer<typeof PromptCaching>;

/** Facts the app needs about a model to budget, lay out and price its calls. */
export const ModelFacts = z.strictObject({
  contextWindow: tokenCount,
  /** Largest completion the provider accepts; requests ask for at most this many tokens. */
  maxOutputTokens: tokenCount.optional(),
  supportsTools: z.boolean().default(true),
  promptCaching: PromptCaching.default("none"),
  prices: Prices,
  /** Prices for the whole call once its prompt has more than `aboveInputTokens` tokens. */
  longContext: z.strictObject({ aboveInputTokens: tokenCount, prices: Prices }).optional(),
  /** Source of the numbers and the date they were read. */
  source: z.string().optional(),
});
export type ModelFacts = z.infer<typeof ModelFacts>;

/** One entry of an operator's facts file: any subset of {@link ModelFacts}, merged over what is shipped. */
export const ModelFactsOverride = z.strictObject({
  ...ModelFacts.shape,
  contextWindow: tokenCount.optional(),
  supportsTools: z.boolean().optional(),
  promptCaching: PromptCaching.optional(),
  prices: Prices.partial().optional(),
});
export type ModelFactsOverride = z.infer<typeof ModelFactsOverride>;

/** Facts by model id (`provider:name`); the form of the shipped table and of the operator's file. */
export const ModelFactsTable = z.record(z.string().min(1), ModelFactsOverride);
export type ModelFactsTable = z.infer<typeof ModelFactsTable>;

const FACTS_FILE_VARIABLE = "MAGIC_MODEL_FACTS_FILE";

function factsHint(modelId: string): string {
  const example = JSON.stringify({ [modelId]: { contextWindow: 128000, maxOutputTokens: 16384, prices: { input: 2.5, output: 10 } } });
  return `Add an entry to the JSON file named by ${FACTS_FILE_VARIABLE}, for example ${example}, with prices in USD per million tokens (0 for a model you host yourself).`;
}

/**
 * Returns the facts of a model from a table, merging the entries for its less specific keys (the id
 * without a snapshot date, the same model under its other API) under the more specific ones.
 * Throws a {@link ModelError} naming the setting to add when the model is unknown or incomplete, so
 * no call is ever priced at a silent zero.
 */
export function resolveModelFacts(modelId: string, table: ModelFactsTable = SHIPPED_MODEL_FACTS): ModelFacts {
  const model = parseModelId(modelId);
  const entries = factsKeysFor(model)
    .reverse()
    .map((key) => table[key])
    .filter((entry) => entry !== undefined);
  if (entries.length === 0) {
    throw new ModelError(
      "unknown-model",
      `No model facts are known for "${model.id}": its context window and prices are needed to budget and price each call.`,
      factsHint(model.id),
    );
  }
  const parsed = ModelFacts.safeParse(entries.reduce<ModelFactsOverride>(mergeFacts, {}));
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")} ${issue.input === undefined ? "is missing" : issue.message}`);
    throw new ModelError("unknown-model", `The model facts of "${model.id}" are incomplete: ${problems.join("; ")}.`, factsHint(model.id));
  }
  return parsed.data;
}

/** Merges one facts entry over another; `prices` merges field by field, other keys are replaced whole. */
export function mergeFacts(base: ModelFactsOverride, over: ModelFactsOverride): ModelFactsOverride {
  const merged: ModelFactsOverride = { ...base, ...over };
  if (base.prices || over.prices) merged.prices = { ...base.prices, ...over.prices };
  return merged;
}

/** Lays an operator's table over the shipped one, entry by entry. */
export function mergeFactsTables(shipped: ModelFactsTable, overrides: ModelFactsTable): ModelFactsTable {
  const merged: ModelFactsTable = { ...shipped };
  for (const [modelId, entry] of Object.entries(overrides)) merged[modelId] = mergeFacts(shipped[modelId] ?? {}, entry);
  return merged;
}

export type FactsFileResult = { ok: true; table: ModelFactsTable } | { ok: false; problems: string[] };

/** Reads and validates an operator's facts file, listing every problem with the key it concerns. */
export function readModelFactsFile(filePath: string): FactsFileResult {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(filePath, "utf8"));
  } catch (error) {
    return { ok: false, problems: [`${FACTS_FILE_VARIABLE}: cannot read ${filePath} as JSON (${(error as Error).message})`] };
  }
  const parsed = ModelFactsTable.safeParse(raw);
  if (parsed.success) return { ok: true, table: parsed.data };
  const problems = parsed.error.issues.map((issue) => {
    const key = issue.path.map(String).join(".") || "(top level)";
    return `${FACTS_FILE_VARIABLE} ${filePath}: ${key}: ${issue.message}`;
  });
  return { ok: false, problems };
}
