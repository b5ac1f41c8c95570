import type { TokenUsage } from "./usage.js";

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
