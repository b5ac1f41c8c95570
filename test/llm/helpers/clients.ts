import type { ModelClientContext } from "../../../src/llm/create-model-client.js";
import { createModelClient } from "../../../src/llm/create-model-client.js";
import type { ModelClient } from "../../../src/llm/model-client.js";
import { mergeFactsTables, type ModelFactsTable } from "../../../src/llm/model-facts.js";
import type { ModelSettings } from "../../../src/llm/model-settings.js";
import { SHIPPED_MODEL_FACTS } from "../../../src/llm/model-table.js";
import type { ProviderSettings } from "../../../src/llm/providers.js";

/** Facts for the test-only models; prices differ from the shipped ones so that a mix-up shows. */
export const TEST_FACTS: ModelFactsTable = mergeFactsTables(SHIPPED_MODEL_FACTS, {
  "azure:gpt-5-deployment": { contextWindow: 400_000, promptCaching: "automatic", prices: { input: 2, cachedInput: 0.5, output: 8 } },
  "openrouter:openai/gpt-5": { contextWindow: 400_000, promptCaching: "automatic", prices: { input: 1.25, output: 10 } },
  "openai-compatible:qwen2.5-coder": { contextWindow: 32_768, prices: { input: 0.2, output: 0.6 } },
});

export interface TestClient {
  client: ModelClient;
  /** Delays the client waited between attempts, in milliseconds. */
  delays: number[];
}

export interface TestClientOptions {
  modelId: string;
  providers: ProviderSettings;
  fallbackModelIds?: string[];
  maxRetries?: number;
  timeoutMs?: number;
  recordDir?: string;
  context?: ModelClientContext;
}

export function testModelSettings(options: TestClientOptions): ModelSettings {
  return {
    modelId: options.modelId,
    fallbackModelIds: options.fallbackModelIds ?? [],
    allowedModelIds: [],
    providers: options.providers,
    factsTable: TEST_FACTS,
    timeoutMs: options.timeoutMs ?? 5_000,
    retry: { maxRetries: options.maxRetries ?? 2, baseDelayMs: 1_000, maxDelayMs: 30_000 },
    recordDir: options.recordDir,
  };
}

/** Builds a client whose retry waits are recorded and skipped, with jitter fixed at its middle. */
export function testClient(options: TestClientOptions): TestClient {
  const delays: number[] = [];
  const client = createModelClient(testModelSettings(options), undefined, {
    sleep: async (delayMs) => void delays.push(delayMs),
    random: () => 0.5,
    ...options.context,
  });
  return { client, delays };
}
