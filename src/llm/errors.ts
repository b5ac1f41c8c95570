import { APICallError } from "ai";
import type { TokenUsage } from "./usage.js";

/** Characters of a provider's error message kept in a failure message, which stays one short line. */
const MAX_PROVIDER_MESSAGE_CHARS = 300;

/** Stable codes of the model-layer failures that an operator or a maintainer can act on. */
export type ModelErrorCode =
  | "invalid-model-id"
  | "unknown-model"
  | "model-not-allowed"
  | "missing-provider-setting"
  | "model-lacks-tools"
  | "invalid-request"
  | "invalid-recording"
  | "replay-mismatch"
  | "model-call-failed";

/** A model-layer failure with a hint for the operator or maintainer who can fix it. */
export class ModelError extends Error {
  constructor(
    readonly code: ModelErrorCode,
    message: string,
    readonly hint: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ModelError";
  }
}

/** Cause of a model call that failed after its retries, as far as the HTTP exchange shows. */
export type CallFailureKind = "rate-limited" | "server-error" | "connection" | "timeout" | "rejected";

/**
 * Every model on the fallback list failed. Carries what the failed attempts cost, so the budget can
 * charge them like successful calls.
 */
export class ModelCallError extends ModelError {
  constructor(
    message: string,
    readonly kind: CallFailureKind,
    readonly usage: TokenUsage,
    readonly costUsd: number,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(
      "model-call-failed",
      message,
      "The operator should check the model settings and the provider's status; re-apply the label to try again.",
      options,
    );
    this.name = "ModelCallError";
  }
}

/**
 * Returns the provider's own error message from a rejected call, such as "max_tokens is too large",
 * on one line and cut to a few hundred characters. The AI SDK reads it from the provider's error
 * reply, so it contains no part of the request.
 */
export function providerErrorMessage(error: unknown): string | undefined {
  if (!APICallError.isInstance(error)) return undefined;
  const text = error.message.replace(/\s+/g, " ").trim();
  if (!text) return undefined;
  return text.length > MAX_PROVIDER_MESSAGE_CHARS ? `${text.slice(0, MAX_PROVIDER_MESSAGE_CHARS - 1)}…` : text;
}
