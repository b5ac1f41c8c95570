import type { ModelFactsTable } from "./model-facts.js";
import type { ProviderSettings } from "./providers.js";
import type { RetryPolicy } from "./retry-policy.js";

/** Model settings of the operator, built from the environment by the app settings. */
export interface ModelSettings {
  /** The default model, `provider:name`. */
  modelId: string;
  /** Models tried in order when the default one fails after its retries. */
  fallbackModelIds: string[];
  /**
   * Models a repository may choose in `.github/magic.yml`, besides the default and the fallbacks.
   * A pattern ending in `*` admits every id that starts with the text before it.
   */
  allowedModelIds: string[];
  providers: ProviderSettings;
  /** The shipped facts with the operator's file merged over them. */
  factsTable: ModelFactsTable;
  /** Time one model call may take before it is aborted and counted as a failed attempt. */
  timeoutMs: number;
  retry: RetryPolicy;
  /** Folder that receives one recording per run, when set. */
  recordDir?: string;
}
