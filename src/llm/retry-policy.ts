import { APICallError } from "ai";
import type { CallFailureKind } from "./errors.js";

/** How often and how long to retry one model before moving to the next on the fallback list. */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Delay before the first retry; each later retry doubles it. */
  baseDelayMs: number;
  /** Maximum delay between two attempts. A `retry-after` above it ends the retries of that model. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 4, baseDelayMs: 1_000, maxDelayMs: 60_000 };

/** Decision about one failed attempt. */
export type FailureClass =
  | { kind: "retryable"; reason: CallFailureKind; status?: number; retryAfterMs?: number }
  | { kind: "fatal"; reason: CallFailureKind; status?: number }
  | { kind: "malformed"; detail: string }
  | { kind: "aborted" }
  | { kind: "unexpected" };

const NETWORK_ERROR_CODES = new Set(["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);
const MALFORMED_REPLY_ERRORS = new Set(["AI_JSONParseError", "AI_TypeValidationError", "AI_InvalidResponseDataError", "AI_EmptyResponseBodyError", "AI_NoContentGeneratedError"]);

/**
 * Sorts a failed attempt: 429, 408, 5xx, dropped connections and the per-call timeout (an abort
 * whose reason is a `TimeoutError`) are retried; a reply that arrived but could not be read is
 * malformed; other 4xx responses are final. The caller must check its own abort signal first, because
 * its abort may also carry a `TimeoutError`.
 */
export function classifyFailure(error: unknown, now: number = Date.now()): FailureClass {
  if (APICallError.isInstance(error)) return classifyApiCallError(error, now);
  const name = (error as { name?: unknown })?.name;
  if (name === "TimeoutError") return { kind: "retryable", reason: "timeout" };
  if (name === "AbortError") return { kind: "aborted" };
  if (typeof name === "string" && MALFORMED_REPLY_ERRORS.has(name)) return { kind: "malformed", detail: (error as Error).message };
  if (hasNetworkErrorCode(error)) return { kind: "retryable", reason: "connection" };
  return { kind: "unexpected" };
}

function classifyApiCallError(error: APICallError, now: number): FailureClass {
  const status = error.statusCode;
  if (status === undefined) {
    return error.isRetryable || hasNetworkErrorCode(error) ? { kind: "retryable", reason: "connection" } : { kind: "fatal", reason: "connection" };
  }
  if (status >= 200 && status < 300) return { kind: "malformed", detail: error.message };
  const retryAfterMs = parseRetryAfter(error.responseHeaders, now);
  if (status === 429) return { kind: "retryable", reason: "rate-limited", status, retryAfterMs };
  if (status === 408) return { kind: "retryable", reason: "timeout", status, retryAfterMs };
  if (status >= 500) return { kind: "retryable", reason: "server-error", status, retryAfterMs };
  return { kind: "fatal", reason: "rejected", status };
}

function hasNetworkErrorCode(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let current = error; current instanceof Error && !seen.has(current); current = current.cause) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_ERROR_CODES.has(code)) return true;
  }
  return false;
}

/**
 * Reads the wait the provider requests: OpenAI's `retry-after-ms`, else `retry-after` as
 * seconds or as an HTTP date. Returns undefined when neither header is usable.
 */
export function parseRetryAfter(headers: Record<string, string> | undefined, now: number = Date.now()): number | undefined {
  if (!headers) return undefined;
  const lower = Object.fromEntries(Object.entries(headers).map(([key, value]) => [key.toLowerCase(), value.trim()]));
  const milliseconds = Number(lower["retry-after-ms"]);
  if (lower["retry-after-ms"] && Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const value = lower["retry-after"];
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1_000 : undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Returns the delay before retry number `retry` (0 for the first retry), or undefined when the
 * provider requests a longer wait than the policy allows. The delay is exponential with "equal
 * jitter" (half fixed, half random) so that parallel runs spread out, and never shorter than
 * `retry-after`.
 */
export function backoffDelayMs(retry: number, policy: RetryPolicy, retryAfterMs: number | undefined, random: () => number = Math.random): number | undefined {
  if (retryAfterMs !== undefined && retryAfterMs > policy.maxDelayMs) return undefined;
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  const jittered = exponential / 2 + random() * (exponential / 2);
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}
