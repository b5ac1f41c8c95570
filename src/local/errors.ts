import { RunError } from "../run/errors.js";

/** Stable codes of the failures of `magic run` and `magic bench`. */
export type LocalRunErrorCode = "invalid-option" | "issue-unavailable" | "repository-unavailable" | "invalid-tasks" | "no-tasks" | "branch-failed";

/** A failure of a local command, with a message that states what to do next. `invalid-option` and `invalid-tasks` exit with 2, the others with 1. */
export class LocalRunError extends Error {
  constructor(
    readonly code: LocalRunErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "LocalRunError";
  }
}

/** States a failure for a local user: a run error's hint without the app's advice to re-apply a label. */
export function describeLocalFailure(error: unknown): string {
  if (error instanceof RunError) {
    const hint = error.hint.replace(/,? then re-apply the label\.$/, ".");
    return error.code === "no-test-command" ? `${error.message} ${hint} The --test-command option sets it too.` : `${error.message} ${hint}`;
  }
  return error instanceof Error ? error.message : String(error);
}
