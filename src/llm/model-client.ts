import { createAnthropic } from "@ai-sdk/anthropic";
import { createOpenAI } from "@ai-sdk/openai";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { generateText, type LanguageModel, type ModelMessage } from "ai";
import type { ModelSettings } from "../config/settings.js";

export interface TokenUsage {
  inputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
  outputTokens: number;
}

export interface ModelRequest {
  system: string;
  messages: ModelMessage[];
  maxOutputTokens: number;
  abortSignal?: AbortSignal;
}

export interface ModelReply {
  text: string;
  usage: TokenUsage;
}

/** The one door to a language model; tests swap in a loopback server behind the same client. */
export interface ModelClient {
  readonly modelId: string;
  complete(request: ModelRequest): Promise<ModelReply>;
}

export function emptyUsage(): TokenUsage {
  return { inputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 0 };
}

export function addUsage(total: TokenUsage, more: TokenUsage): TokenUsage {
  return {
    inputTokens: total.inputTokens + more.inputTokens,
    cachedInputTokens: total.cachedInputTokens + more.cachedInputTokens,
    cacheWriteTokens: total.cacheWriteTokens + more.cacheWriteTokens,
    outputTokens: total.outputTokens + more.outputTokens,
  };
}

/** Builds the AI SDK model for the configured provider. */
export function createLanguageModel(settings: ModelSettings): LanguageModel {
  switch (settings.provider) {
    case "openai":
      return createOpenAI({ apiKey: settings.apiKey, baseURL: settings.baseUrl }).chat(settings.modelName);
    case "anthropic":
      return createAnthropic({ apiKey: settings.apiKey, baseURL: settings.baseUrl })(settings.modelName);
    case "openai-compatible":
      return createOpenAICompatible({
        name: "openai-compatible",
        baseURL: settings.baseUrl as string,
        apiKey: settings.apiKey,
        includeUsage: true,
      })(settings.modelName);
  }
}

/** A {@link ModelClient} over any AI SDK language model. */
export class AiSdkModelClient implements ModelClient {
  readonly modelId: string;

  constructor(
    private readonly model: LanguageModel,
    modelId: string,
  ) {
    this.modelId = modelId;
  }

  async complete(request: ModelRequest): Promise<ModelReply> {
    const result = await generateText({
      model: this.model,
      system: request.system,
      messages: request.messages,
      maxOutputTokens: request.maxOutputTokens,
      abortSignal: request.abortSignal,
      maxRetries: 2,
    });
    const usage = result.usage;
    return {
      text: result.text,
      usage: {
        inputTokens: usage.inputTokens ?? 0,
        cachedInputTokens: usage.inputTokenDetails?.cacheReadTokens ?? 0,
        cacheWriteTokens: usage.inputTokenDetails?.cacheWriteTokens ?? 0,
        outputTokens: usage.outputTokens ?? 0,
      },
    };
  }
}

export function createModelClient(settings: ModelSettings): ModelClient {
  return new AiSdkModelClient(createLanguageModel(settings), `${settings.provider}:${settings.modelName}`);
}
