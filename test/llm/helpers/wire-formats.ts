import type { ProviderSettings } from "../../../src/llm/providers.js";
import type { TokenUsage } from "../../../src/llm/usage.js";

/**
 * Reply bodies in each provider's documented wire format, and readers for what the client sent.
 * Sources: OpenAI's Chat Completions and Responses API references, Anthropic's Messages API
 * reference (usage with cache_creation_input_tokens and cache_read_input_tokens), and Google's
 * generateContent reference (usageMetadata with cachedContentTokenCount).
 */
export interface WireFormat {
  name: string;
  modelId: string;
  providers: ProviderSettings;
  /** Origin and path pattern of the endpoint the provider posts to. */
  origin: string;
  path: RegExp;
  text(text: string, usage: TokenUsage): unknown;
  toolCall(call: { id: string; name: string; input: Record<string, unknown> }, usage: TokenUsage): unknown;
  empty(usage: TokenUsage): unknown;
  error(status: number, message: string): unknown;
  /** The text of the tool result that a request body sends back for a call, if any. */
  toolResultIn(body: any, callId: string): string | undefined;
  /** The system prompt as the request body carries it. */
  systemIn(body: any): unknown;
  /** The first user turn, where the prefix goes. */
  firstUserTurnIn(body: any): unknown;
}

const chatUsage = (usage: TokenUsage) => ({
  prompt_tokens: usage.inputTokens,
  completion_tokens: usage.outputTokens,
  total_tokens: usage.inputTokens + usage.outputTokens,
  prompt_tokens_details: { cached_tokens: usage.cachedInputTokens, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
});

function chatCompletion(model: string, message: Record<string, unknown>, finishReason: string, usage: TokenUsage) {
  return {
    id: "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
    object: "chat.completion",
    created: 1_741_569_952,
    model,
    choices: [{ index: 0, message: { role: "assistant", refusal: null, annotations: [], ...message }, logprobs: null, finish_reason: finishReason }],
    usage: chatUsage(usage),
    service_tier: "default",
  };
}

function chatFormat(name: string, modelId: string, model: string, providers: ProviderSettings, origin: string, path: RegExp): WireFormat {
  return {
    name,
    modelId,
    providers,
    origin,
    path,
    text: (text, usage) => chatCompletion(model, { content: text }, "stop", usage),
    toolCall: (call, usage) =>
      chatCompletion(model, { content: null, tool_calls: [{ id: call.id, type: "function", function: { name: call.name, arguments: JSON.stringify(call.input) } }] }, "tool_calls", usage),
    empty: (usage) => chatCompletion(model, { content: "" }, "stop", usage),
    error: (status, message) => ({ error: { message, type: status === 429 ? "rate_limit_exceeded" : "server_error", param: null, code: null } }),
    toolResultIn: (body, callId) => body.messages?.find((message: any) => message.role === "tool" && message.tool_call_id === callId)?.content,
    systemIn: (body) => body.messages?.[0],
    firstUserTurnIn: (body) => body.messages?.[1],
  };
}

export const OPENAI_CHAT = chatFormat("OpenAI chat completions", "openai-chat:gpt-5", "gpt-5-2025-08-07", { openai: { apiKey: "sk-test" } }, "https://api.openai.com", /^\/v1\/chat\/completions$/);

export const OPENROUTER = chatFormat("OpenRouter", "openrouter:openai/gpt-5", "openai/gpt-5", { openrouter: { apiKey: "sk-or-test" } }, "https://openrouter.ai", /^\/api\/v1\/chat\/completions$/);

/** Describes an OpenAI-compatible server such as Ollama at a loopback base URL that the test starts. */
export function openAiCompatible(baseUrl: string): WireFormat {
  const origin = new URL(baseUrl).origin;
  return chatFormat("OpenAI-compatible server", "openai-compatible:qwen2.5-coder", "qwen2.5-coder", { openaiCompatible: { baseUrl } }, origin, /\/chat\/completions$/);
}

function responsesBody(model: string, output: unknown[], usage: TokenUsage) {
  return {
    id: "resp_67ccd2bed1ec8190b14f964abc0542670bb6a6b452d3795b",
    object: "response",
    created_at: 1_741_476_542,
    status: "completed",
    error: null,
    incomplete_details: null,
    model,
    output,
    usage: {
      input_tokens: usage.inputTokens,
      input_tokens_details: { cached_tokens: usage.cachedInputTokens },
      output_tokens: usage.outputTokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: usage.inputTokens + usage.outputTokens,
    },
  };
}

function responsesFormat(name: string, modelId: string, model: string, providers: ProviderSettings, origin: string, path: RegExp): WireFormat {
  return {
    name,
    modelId,
    providers,
    origin,
    path,
    text: (text, usage) =>
      responsesBody(model, [{ type: "message", id: "msg_67ccd2bf17f0819081ff3bb2cf6508e6", status: "completed", role: "assistant", content: [{ type: "output_text", text, annotations: [] }] }], usage),
    toolCall: (call, usage) =>
      responsesBody(model, [{ type: "function_call", id: "fc_67ca09c6bedc8190a7abfec07b1a1332", call_id: call.id, name: call.name, arguments: JSON.stringify(call.input), status: "completed" }], usage),
    empty: (usage) => responsesBody(model, [], usage),
    error: (status, message) => ({ error: { message, type: status === 429 ? "rate_limit_exceeded" : "server_error", param: null, code: null } }),
    toolResultIn: (body, callId) => body.input?.find((item: any) => item.type === "function_call_output" && item.call_id === callId)?.output,
    systemIn: (body) => body.input?.[0],
    firstUserTurnIn: (body) => body.input?.[1],
  };
}

export const OPENAI_RESPONSES = responsesFormat("OpenAI responses", "openai:gpt-5", "gpt-5-2025-08-07", { openai: { apiKey: "sk-test" } }, "https://api.openai.com", /^\/v1\/responses$/);

export const AZURE = responsesFormat(
  "Azure OpenAI responses",
  "azure:gpt-5-deployment",
  "gpt-5-2025-08-07",
  { azure: { apiKey: "azure-test-key", resourceName: "magic-test" } },
  "https://magic-test.openai.azure.com",
  /^\/openai\/v1\/responses(\?.*)?$/,
);

function anthropicBody(content: unknown[], stopReason: string, usage: TokenUsage) {
  return {
    id: "msg_013Zva2CMHLNnXjNJJKqJ2EF",
    type: "message",
    role: "assistant",
    model: "claude-sonnet-4-5-20250929",
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    usage: {
      input_tokens: usage.inputTokens - usage.cachedInputTokens - usage.cacheWriteTokens,
      cache_creation_input_tokens: usage.cacheWriteTokens,
      cache_read_input_tokens: usage.cachedInputTokens,
      output_tokens: usage.outputTokens,
    },
  };
}

export const ANTHROPIC: WireFormat = {
  name: "Anthropic messages",
  modelId: "anthropic:claude-sonnet-4-5",
  providers: { anthropic: { apiKey: "sk-ant-test" } },
  origin: "https://api.anthropic.com",
  path: /^\/v1\/messages$/,
  text: (text, usage) => anthropicBody([{ type: "text", text }], "end_turn", usage),
  toolCall: (call, usage) => anthropicBody([{ type: "tool_use", id: call.id, name: call.name, input: call.input }], "tool_use", usage),
  empty: (usage) => anthropicBody([], "end_turn", usage),
  error: (status, message) => ({ type: "error", error: { type: status === 429 ? "rate_limit_error" : "api_error", message } }),
  toolResultIn: (body, callId) => {
    for (const message of body.messages ?? []) {
      for (const block of Array.isArray(message.content) ? message.content : []) {
        if (block.type === "tool_result" && block.tool_use_id === callId) {
          return typeof block.content === "string" ? block.content : block.content?.map((part: any) => part.text).join("");
        }
      }
    }
    return undefined;
  },
  systemIn: (body) => body.system,
  firstUserTurnIn: (body) => body.messages?.[0]?.content?.[0],
};

function googleBody(parts: unknown[] | undefined, usage: TokenUsage) {
  return {
    candidates: [{ ...(parts ? { content: { parts, role: "model" } } : {}), finishReason: "STOP", index: 0 }],
    usageMetadata: {
      promptTokenCount: usage.inputTokens,
      candidatesTokenCount: usage.outputTokens,
      totalTokenCount: usage.inputTokens + usage.outputTokens,
      cachedContentTokenCount: usage.cachedInputTokens,
    },
    modelVersion: "gemini-2.5-pro",
    responseId: "mOvNaKbHLMbN7M8PpOCVyQk",
  };
}

export const GOOGLE: WireFormat = {
  name: "Google generateContent",
  modelId: "google:gemini-2.5-pro",
  providers: { google: { apiKey: "google-test-key" } },
  origin: "https://generativelanguage.googleapis.com",
  path: /^\/v1beta\/models\/gemini-2\.5-pro:generateContent$/,
  text: (text, usage) => googleBody([{ text }], usage),
  // Gemini has no call ids; the AI SDK makes one up, so the reader below matches by tool name.
  toolCall: (call, usage) => googleBody([{ functionCall: { name: call.name, args: call.input } }], usage),
  empty: (usage) => googleBody(undefined, usage),
  error: (status, message) => ({ error: { code: status, message, status: status === 429 ? "RESOURCE_EXHAUSTED" : "INTERNAL" } }),
  toolResultIn: (body) => {
    for (const content of body.contents ?? []) {
      for (const part of content.parts ?? []) {
        if (part.functionResponse) return JSON.stringify(part.functionResponse.response);
      }
    }
    return undefined;
  },
  systemIn: (body) => body.systemInstruction,
  firstUserTurnIn: (body) => body.contents?.[0],
};
