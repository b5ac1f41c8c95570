import { buildModelSettings, ModelEnvironment } from "../config/model-settings.js";
import type { Environment } from "../config/settings.js";
import type { ModelSettings } from "../llm/model-settings.js";

/**
 * Builds the model settings of a command from a model id and the same environment variables the app
 * reads (provider keys and base URLs, MAGIC_MODEL_FACTS_FILE, MAGIC_RECORD), without the GitHub App
 * settings a command does not need. Returns every problem when the model cannot be used.
 */
export function commandModelSettings(modelId: string, env: Environment): { ok: true; settings: ModelSettings } | { ok: false; problems: string[] } {
  const parsed = ModelEnvironment.safeParse({ ...env, MAGIC_MODEL: modelId, MAGIC_FALLBACK_MODELS: undefined, MAGIC_ALLOWED_MODELS: undefined });
  if (!parsed.success) return { ok: false, problems: parsed.error.issues.map((issue) => issue.message) };
  return buildModelSettings(parsed.data);
}
