import { readFileSync } from "node:fs";
import type { LanguageModelV3, LanguageModelV3CallOptions, LanguageModelV3GenerateResult } from "@ai-sdk/provider";
import { APICallError } from "ai";
import { ModelError } from "./errors.js";
import type { ModelFacts } from "./model-facts.js";
import { normalizeCallOptions, RecordedCall, type RecordedError, RecordingHeader } from "./recording.js";

const REPLAY_HINT =
  "A replay needs the same repository, issue, settings and test output as the recorded run; record the run again after changing any of them.";

/**
 * Plays a recording back in order. Each model of the recorded fallback list gets a view that takes
 * the next recorded call, checks that the model and the request are the ones recorded, and returns
 * the recorded result or throws the recorded error.
 */
export class ReplaySession {
  private position = 0;

  private constructor(
    readonly filePath: string,
    readonly header: RecordingHeader,
    private readonly calls: RecordedCall[],
  ) {}

  /** Reads a recording; a missing file or a line that is not a recording entry is a {@link ModelError}. */
  static load(filePath: string): ReplaySession {
    let text: string;
    try {
      text = readFileSync(filePath, "utf8");
    } catch (error) {
      throw new ModelError("invalid-recording", `Cannot read the recording ${filePath}: ${(error as Error).message}.`, "Check the path after replay: in the model id.", { cause: error });
    }
    const lines = text.split("\n").filter((line) => line.trim() !== "");
    const header = RecordingHeader.safeParse(parseLine(filePath, lines[0] ?? "", 1));
    if (!header.success) {
      throw new ModelError("invalid-recording", `${filePath} is not a recording: its first line is not a version ${1} header.`, "Record a run with MAGIC_RECORD=folder and replay the file it writes.");
    }
    const calls = lines.slice(1).map((line, index) => {
      const call = RecordedCall.safeParse(parseLine(filePath, line, index + 2));
      if (!call.success) throw new ModelError("invalid-recording", `Line ${index + 2} of ${filePath} is not a recorded call.`, "Record the run again.");
      return call.data;
    });
    return new ReplaySession(filePath, header.data, calls);
  }

  get modelIds(): string[] {
    return this.header.modelIds;
  }

  factsOf(modelId: string): ModelFacts {
    const facts = this.header.facts[modelId];
    if (!facts) throw new ModelError("invalid-recording", `The recording ${this.filePath} has no facts for ${modelId}.`, "Record the run again.");
    return facts;
  }

  /** Calls not yet played back. */
  get remaining(): number {
    return this.calls.length - this.position;
  }

  modelFor(modelId: string): LanguageModelV3 {
    return {
      specificationVersion: "v3",
      provider: "replay",
      modelId,
      supportedUrls: {},
      doGenerate: async (options) => this.play(modelId, options),
      doStream: async () => {
        throw new ModelError("invalid-request", "Replayed models support only non-streaming calls.", "Call the model through ModelClient.complete.");
      },
    };
  }

  private play(modelId: string, options: LanguageModelV3CallOptions): LanguageModelV3GenerateResult {
    const number = this.position + 1;
    const call = this.calls[this.position];
    if (!call) {
      throw new ModelError("replay-mismatch", `The run made model call ${number}, but the recording ${this.filePath} has only ${this.calls.length}.`, REPLAY_HINT);
    }
    if (call.modelId !== modelId) {
      throw new ModelError("replay-mismatch", `Model call ${number} went to ${modelId}, but the recording sent it to ${call.modelId}.`, REPLAY_HINT);
    }
    const difference = firstDifference(call.request, normalizeCallOptions(options));
    if (difference) throw new ModelError("replay-mismatch", `Model call ${number} differs from the recording at ${difference}.`, REPLAY_HINT);
    this.position += 1;
    if (call.error) throw reviveError(call.error);
    return reviveResult(call.result ?? {});
  }
}

function parseLine(filePath: string, line: string, lineNumber: number): unknown {
  try {
    return JSON.parse(line);
  } catch {
    throw new ModelError("invalid-recording", `Line ${lineNumber} of ${filePath} is not JSON.`, "Record the run again.");
  }
}

function reviveResult(result: Record<string, unknown>): LanguageModelV3GenerateResult {
  const revived = { warnings: [], ...result } as unknown as LanguageModelV3GenerateResult & { response?: { timestamp?: unknown } };
  const timestamp = revived.response?.timestamp;
  if (revived.response && typeof timestamp === "string") revived.response = { ...revived.response, timestamp: new Date(timestamp) };
  return revived;
}

function reviveError(recorded: RecordedError): Error {
  if (recorded.name === "AI_APICallError") {
    return new APICallError({
      message: recorded.message,
      url: "replay",
      requestBodyValues: undefined,
      statusCode: recorded.statusCode,
      responseHeaders: recorded.responseHeaders,
      responseBody: recorded.responseBody,
      isRetryable: recorded.isRetryable,
    });
  }
  const error = new Error(recorded.message);
  error.name = recorded.name;
  return error;
}

/**
 * Finds the first place where two JSON values differ and describes it as a path with both values,
 * shortened to stay readable, or returns undefined when they are equal.
 */
export function firstDifference(recorded: unknown, actual: unknown, at = "request"): string | undefined {
  if (Object.is(recorded, actual)) return undefined;
  if (typeof recorded === "string" && typeof actual === "string") return describeTextDifference(recorded, actual, at);
  const bothObjects = typeof recorded === "object" && typeof actual === "object" && recorded !== null && actual !== null;
  if (!bothObjects || Array.isArray(recorded) !== Array.isArray(actual)) {
    return `${at}: recorded ${preview(recorded)}, got ${preview(actual)}`;
  }
  const keys = [...new Set([...Object.keys(recorded), ...Object.keys(actual)])];
  for (const key of keys) {
    const child = Array.isArray(recorded) ? `${at}[${key}]` : `${at}.${key}`;
    const difference = firstDifference((recorded as Record<string, unknown>)[key], (actual as Record<string, unknown>)[key], child);
    if (difference) return difference;
  }
  return undefined;
}

function describeTextDifference(recorded: string, actual: string, at: string): string {
  let index = 0;
  while (index < recorded.length && recorded[index] === actual[index]) index += 1;
  const start = Math.max(0, index - 30);
  return `${at}, character ${index}: recorded ${preview(recorded.slice(start, index + 60))}, got ${preview(actual.slice(start, index + 60))}`;
}

function preview(value: unknown): string {
  const text = value === undefined ? "nothing" : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
