import { appendFile, mkdir } from "node:fs/promises";
import path from "node:path";
import type { LanguageModelV3CallOptions, LanguageModelV3GenerateResult, LanguageModelV3Middleware } from "@ai-sdk/provider";
import { APICallError } from "ai";
import { z } from "zod";
import { ModelFacts } from "./model-facts.js";

/*
 * A recording is a JSON Lines file: one header line, then one line per model call in the order the
 * calls were made, retries and fallbacks included. Requests are stored as the AI SDK's
 * provider-neutral call options, so a recording replays the same way for text and tool calls from
 * any provider.
 */

export const RECORDING_VERSION = 1;

export const RecordingHeader = z.object({
  type: z.literal("header"),
  version: z.literal(RECORDING_VERSION),
  createdAt: z.string(),
  /** The primary model and its fallbacks, in the order the client tries them. */
  modelIds: z.array(z.string()).min(1),
  /** Facts of each model as the recorded run priced it, so a replay costs the same. */
  facts: z.record(z.string(), ModelFacts),
});
export type RecordingHeader = z.infer<typeof RecordingHeader>;

/** A failed call as far as the replay needs it to take the same path through retries and fallbacks. */
export const RecordedError = z.object({
  name: z.string(),
  message: z.string(),
  statusCode: z.number().optional(),
  responseHeaders: z.record(z.string(), z.string()).optional(),
  responseBody: z.string().optional(),
  isRetryable: z.boolean().optional(),
});
export type RecordedError = z.infer<typeof RecordedError>;

export const RecordedCall = z.object({
  type: z.literal("call"),
  modelId: z.string(),
  request: z.unknown(),
  /** The provider-neutral result: content, finish reason, usage, metadata and warnings. */
  result: z.record(z.string(), z.unknown()).optional(),
  error: RecordedError.optional(),
});
export type RecordedCall = z.infer<typeof RecordedCall>;

/**
 * Returns the call options as plain JSON. The abort signal and extra headers are left out because
 * they differ between runs and are not part of the request's content. Byte arrays become base64.
 */
export function normalizeCallOptions(options: LanguageModelV3CallOptions): unknown {
  const { abortSignal: _abortSignal, headers: _headers, ...content } = options;
  return JSON.parse(JSON.stringify(content, (_key, value: unknown) => (value instanceof Uint8Array ? { base64: Buffer.from(value).toString("base64") } : value)));
}

function serializeResult(result: LanguageModelV3GenerateResult): Record<string, unknown> {
  // Raw request and response bodies and headers are left out: they repeat the content at length.
  const response = result.response ? { id: result.response.id, modelId: result.response.modelId, timestamp: result.response.timestamp?.toISOString() } : undefined;
  return JSON.parse(JSON.stringify({ content: result.content, finishReason: result.finishReason, usage: result.usage, providerMetadata: result.providerMetadata, warnings: result.warnings, response }));
}

function serializeError(error: unknown): RecordedError {
  if (APICallError.isInstance(error)) {
    return { name: error.name, message: error.message, statusCode: error.statusCode, responseHeaders: error.responseHeaders, responseBody: error.responseBody, isRetryable: error.isRetryable };
  }
  const { name, message } = error instanceof Error ? error : { name: "Error", message: String(error) };
  return { name, message };
}

/** Appends the calls of one run to its recording file, writing the header before the first call. */
export class Recorder {
  private started = false;
  private pending: Promise<void> = Promise.resolve();

  constructor(
    readonly filePath: string,
    private readonly header: Omit<RecordingHeader, "type" | "version" | "createdAt">,
  ) {}

  /** Queues one call; writes happen one after another in call order. */
  record(call: Omit<RecordedCall, "type">): Promise<void> {
    this.pending = this.pending.then(() => this.write(call));
    return this.pending;
  }

  private async write(call: Omit<RecordedCall, "type">): Promise<void> {
    const lines: unknown[] = [];
    if (!this.started) {
      await mkdir(path.dirname(this.filePath), { recursive: true });
      lines.push({ type: "header", version: RECORDING_VERSION, createdAt: new Date().toISOString(), ...this.header });
      this.started = true;
    }
    lines.push({ type: "call", ...call });
    await appendFile(this.filePath, lines.map((line) => `${JSON.stringify(line)}\n`).join(""));
  }
}

/** Middleware that records every request of one model and its reply or error. */
export function recordingMiddleware(recorder: Recorder, modelId: string): LanguageModelV3Middleware {
  return {
    specificationVersion: "v3",
    wrapGenerate: async ({ doGenerate, params }) => {
      const request = normalizeCallOptions(params);
      try {
        const result = await doGenerate();
        await recorder.record({ modelId, request, result: serializeResult(result) });
        return result;
      } catch (error) {
        await recorder.record({ modelId, request, error: serializeError(error) });
        throw error;
      }
    },
  };
}
