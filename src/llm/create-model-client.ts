import path from "node:path";
import type { LanguageModelV3 } from "@ai-sdk/provider";
import { wrapLanguageModel } from "ai";
import type { Logger } from "pino";
import { ModelError } from "./errors.js";
import { AiSdkModelClient, type ModelCandidate, type ModelClient, type ModelClientOptions } from "./model-client.js";
import { resolveModelFacts } from "./model-facts.js";
import { isModelAllowed, parseModelId } from "./model-id.js";
import type { ModelSettings } from "./model-settings.js";
import { createLanguageModel } from "./providers.js";
import { Recorder, recordingMiddleware } from "./recording.js";
import { ReplaySession } from "./replay.js";

/** The run a client serves, and seams for tests. */
export interface ModelClientContext {
  /** Names the recording file of the run when MAGIC_RECORD is set. */
  runId?: string;
  log?: Logger;
  sleep?: ModelClientOptions["sleep"];
  random?: ModelClientOptions["random"];
}

/**
 * Builds the client of a run: the requested model (the operator's default when none is given)
 * followed by the operator's fallbacks, each with its facts, recorded when `recordDir` is set.
 * A `replay:<file>` model plays a recording back with the models and facts stored in it.
 * Throws a {@link ModelError} when the requested model is not allowed or its facts are unknown.
 */
export function createModelClient(settings: ModelSettings, modelId?: string, context: ModelClientContext = {}): ModelClient {
  const operatorDefault = parseModelId(settings.modelId);
  // A replay plays back whatever models the recorded run used, so the repository's choice is moot.
  if (operatorDefault.provider === "replay") return new AiSdkModelClient(replayCandidates(operatorDefault.name), clientOptions(settings, context));
  const primary = modelId === undefined ? operatorDefault.id : allowedModelId(modelId, settings);
  return new AiSdkModelClient(liveCandidates(primary, settings, context.runId), clientOptions(settings, context));
}

function clientOptions(settings: ModelSettings, context: ModelClientContext): ModelClientOptions {
  return { timeoutMs: settings.timeoutMs, retry: settings.retry, log: context.log, sleep: context.sleep, random: context.random };
}

function allowedModelId(requested: string, settings: ModelSettings): string {
  const id = parseModelId(requested).id;
  const operatorModels = [settings.modelId, ...settings.fallbackModelIds].map((model) => parseModelId(model).id);
  if (operatorModels.includes(id) || isModelAllowed(id, settings.allowedModelIds)) return id;
  const choices = [...new Set([...operatorModels, ...settings.allowedModelIds])].join(", ");
  throw new ModelError(
    "model-not-allowed",
    `The repository requests the model ${id}, which the operator of this app does not allow.`,
    `Set \`model\` in \`.github/magic.yml\` to one of ${choices}, or remove it to use ${operatorModels[0]}; the operator can allow more models with MAGIC_ALLOWED_MODELS.`,
  );
}

function liveCandidates(primary: string, settings: ModelSettings, runId: string | undefined): ModelCandidate[] {
  const ids = [...new Set([primary, ...settings.fallbackModelIds.map((model) => parseModelId(model).id)])];
  const candidates = ids.map((id) => ({ modelId: id, model: createLanguageModel(parseModelId(id), settings.providers), facts: resolveModelFacts(id, settings.factsTable) }));
  if (!settings.recordDir) return candidates;

  const fileName = `${runId ?? new Date().toISOString().replace(/[:.]/g, "-")}.jsonl`;
  const facts = Object.fromEntries(candidates.map((candidate) => [candidate.modelId, candidate.facts]));
  const recorder = new Recorder(path.join(settings.recordDir, fileName), { modelIds: ids, facts });
  return candidates.map((candidate) => ({ ...candidate, model: record(candidate.model, recorder, candidate.modelId) }));
}

function record(model: LanguageModelV3, recorder: Recorder, modelId: string): LanguageModelV3 {
  return wrapLanguageModel({ model, middleware: recordingMiddleware(recorder, modelId) });
}

function replayCandidates(filePath: string): ModelCandidate[] {
  const session = ReplaySession.load(filePath);
  return session.modelIds.map((id) => ({ modelId: id, model: session.modelFor(id), facts: session.factsOf(id) }));
}

/** Creates the model client of one run, for the model the repository chose if it chose one. */
export type ModelClientFactory = (options: { modelId?: string; runId: string; log: Logger }) => ModelClient;
