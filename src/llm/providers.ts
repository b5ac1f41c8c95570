import { createAnthropic } from "@ai-sdk/anthropic";
import { createAzure } from "@ai-sdk/azure";
import { createGoogleGenerativeAI } from "@ai-sdk/google";
import { createOpenAI } from "@ai-sdk/openai";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import type { LanguageModelV3 } from "@ai-sdk/provider";
import { createOpenRouter } from "@openrouter/ai-sdk-provider";
import { ModelError } from "./errors.js";
import type { ModelId, ProviderName } from "./model-id.js";

/** An API key and an optional base URL that replaces the provider's public endpoint. */
export interface ProviderEndpoint {
  apiKey?: string;
  baseUrl?: string;
}

/** Keys and base URLs of every provider, as the operator set them. */
export interface ProviderSettings {
  openai?: ProviderEndpoint;
  anthropic?: ProviderEndpoint;
  google?: ProviderEndpoint;
  /** Azure OpenAI needs the resource name unless the base URL is given. */
  azure?: ProviderEndpoint & { resourceName?: string; apiVersion?: string };
  openrouter?: ProviderEndpoint;
  /** One OpenAI-compatible server such as Ollama, vLLM, llama.cpp's server or LM Studio. */
  openaiCompatible?: ProviderEndpoint;
}

/**
 * Returns why a provider cannot be called with these settings, naming the environment variable to
 * set, or undefined when nothing is missing.
 */
export function providerSettingProblem(model: ModelId, providers: ProviderSettings): string | undefined {
  const needs = `the model ${model.id} needs it`;
  switch (model.provider) {
    case "openai":
    case "openai-chat":
      return providers.openai?.apiKey ? undefined : `OPENAI_API_KEY is missing: ${needs}`;
    case "anthropic":
      return providers.anthropic?.apiKey ? undefined : `ANTHROPIC_API_KEY is missing: ${needs}`;
    case "google":
      return providers.google?.apiKey ? undefined : `GOOGLE_GENERATIVE_AI_API_KEY is missing: ${needs}`;
    case "azure":
    case "azure-chat":
      if (!providers.azure?.apiKey) return `AZURE_API_KEY is missing: ${needs}`;
      return providers.azure.resourceName || providers.azure.baseUrl ? undefined : `AZURE_RESOURCE_NAME or AZURE_BASE_URL is missing: ${needs}`;
    case "openrouter":
      return providers.openrouter?.apiKey ? undefined : `OPENROUTER_API_KEY is missing: ${needs}`;
    case "openai-compatible":
      return providers.openaiCompatible?.baseUrl ? undefined : `MAGIC_MODEL_BASE_URL is missing: ${needs}`;
    case "replay":
      return undefined;
  }
}

/** Builds the AI SDK language model for a model id; `replay` models are built by the client instead. */
export function createLanguageModel(model: ModelId, providers: ProviderSettings): LanguageModelV3 {
  const problem = providerSettingProblem(model, providers);
  if (problem) throw new ModelError("missing-provider-setting", `${problem}.`, "The operator should add the setting and restart the app.");
  return buildModel(model.provider, model.name, providers);
}

function buildModel(provider: ProviderName, name: string, providers: ProviderSettings): LanguageModelV3 {
  switch (provider) {
    case "openai":
      return createOpenAI({ apiKey: providers.openai?.apiKey, baseURL: providers.openai?.baseUrl }).responses(name);
    case "openai-chat":
      return createOpenAI({ apiKey: providers.openai?.apiKey, baseURL: providers.openai?.baseUrl }).chat(name);
    case "anthropic":
      return createAnthropic({ apiKey: providers.anthropic?.apiKey, baseURL: providers.anthropic?.baseUrl }).languageModel(name);
    case "google":
      return createGoogleGenerativeAI({ apiKey: providers.google?.apiKey, baseURL: providers.google?.baseUrl }).languageModel(name);
    case "azure":
      return createAzureProvider(providers).responses(name);
    case "azure-chat":
      return createAzureProvider(providers).chat(name);
    case "openrouter":
      return createOpenRouter({ apiKey: providers.openrouter?.apiKey, baseURL: providers.openrouter?.baseUrl, compatibility: "strict" }).languageModel(name);
    case "openai-compatible":
      return createOpenAICompatible({
        name: "openai-compatible",
        baseURL: providers.openaiCompatible?.baseUrl as string,
        apiKey: providers.openaiCompatible?.apiKey,
        includeUsage: true,
      }).languageModel(name);
    case "replay":
      throw new Error("replay models are built from a recording, not from provider settings");
  }
}

function createAzureProvider(providers: ProviderSettings) {
  const azure = providers.azure;
  return createAzure({ apiKey: azure?.apiKey, resourceName: azure?.resourceName, baseURL: azure?.baseUrl, apiVersion: azure?.apiVersion });
}
