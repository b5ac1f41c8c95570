/** Stable codes of HashHop failures, so callers can branch without matching message text. */
export type HashHopErrorCode =
  | "invalid-option"
  | "target-too-small"
  | "over-rate-limit"
  | "invalid-profile"
  | "write-failed"
  | "model-failed";

/** A HashHop failure whose message states what was wrong and what to change. */
export class HashHopError extends Error {
  constructor(
    readonly code: HashHopErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "HashHopError";
  }
}
