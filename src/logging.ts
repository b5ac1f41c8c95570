import { pino, type DestinationStream, type Logger } from "pino";

const SECRET_PATHS = ["token", "*.token", "privateKey", "*.privateKey", "apiKey", "*.apiKey", "headers.authorization", "*.headers.authorization"];
/**
 * Fields of the AI SDK's `APICallError`, also as the cause of another error. The request body is the
 * whole prompt, with the repository's code and the issue, so it never reaches a log line.
 */
const MODEL_ERROR_PATHS = ["err.requestBodyValues", "err.cause.requestBodyValues", "err.lastError.requestBodyValues", "err.responseBody", "err.cause.responseBody", "err.lastError.responseBody"];
const MAX_RESPONSE_BODY_CHARS = 500;

/** Creates the process logger; fields that could hold a secret are redacted wherever they appear. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = { level, redact: { paths: [...SECRET_PATHS, ...MODEL_ERROR_PATHS], censor: censorField } };
  return destination ? pino(options, destination) : pino(options);
}

function censorField(value: unknown, path: string[]): unknown {
  const field = path.at(-1);
  if (value === undefined) return undefined;
  if (field === "requestBodyValues") return "[request body omitted]";
  // A provider's error reply explains the failure, so its start is kept.
  if (field === "responseBody" && typeof value === "string") return value.length > MAX_RESPONSE_BODY_CHARS ? `${value.slice(0, MAX_RESPONSE_BODY_CHARS)}…` : value;
  return "***";
}
