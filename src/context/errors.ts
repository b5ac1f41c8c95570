/** Stable codes of the context engine's failures. */
export type ContextErrorCode = "not-a-repository" | "listing-failed" | "worker-failed" | "revision-read-failed";

/** A failure of the context engine, with a stable code and the underlying cause. */
export class ContextError extends Error {
  constructor(
    readonly code: ContextErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ContextError";
  }
}
