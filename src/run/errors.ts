import { ModelError } from "../llm/errors.js";

/** Stable codes of the failures a user can act on. */
export type RunErrorCode =
  | "no-test-command"
  | "budget-exhausted"
  | "setup-failed"
  | "workspace-failed"
  | "model-failed"
  | "publish-failed"
  | "internal";

/** A failed run with what the user should do next. */
export class RunError extends Error {
  constructor(
    readonly code: RunErrorCode,
    message: string,
    readonly hint: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "RunError";
  }
}

/** Turns any failure into the sentences shown on the issue; the one place that decides what users read. */
export function describeFailure(error: unknown): { code: RunErrorCode; text: string } {
  if (error instanceof RunError) return { code: error.code, text: `${error.message} ${error.hint}`.trim() };
  const code = (error as { code?: unknown })?.code;
  if (code === "workspace-failed") {
    return { code: "workspace-failed", text: `${(error as Error).message} Check that the app is installed on this repository, then re-apply the label.` };
  }
  if (error instanceof ModelError) return { code: "model-failed", text: `${error.message} ${error.hint}` };
  if (isModelError(error)) {
    return {
      code: "model-failed",
      text: "The model API request failed. The operator should check the model settings and the provider's status; re-apply the label to try again.",
    };
  }
  return { code: "internal", text: "The run failed with an internal error. The operator can find the details in the app's log under this run's id." };
}

function isModelError(error: unknown): boolean {
  const name = (error as { name?: unknown })?.name;
  return typeof name === "string" && name.startsWith("AI_");
}
