import type { PackedContext } from "../context/pack-context.js";
import type { TestResult } from "../sandbox/run-tests.js";

export interface TaskDescription {
  issueNumber: number;
  title: string;
  /** Issue body; empty when the issue has none. */
  body: string;
}

export const SYSTEM_PROMPT = `You are Magic PR, an engineer who fixes GitHub issues by editing a repository.
Reply with edits in search/replace blocks, one block per change:

path/to/file.ext
<<<<<<< SEARCH
the exact lines to replace, copied from the file
=======
the new lines
>>>>>>> REPLACE

Rules:
- The SEARCH part must match the file exactly and only once; include enough lines to make it unique.
- To create a file, leave the SEARCH part empty.
- Paths are relative to the repository root.
- After your edits the app runs the tests and shows you the result.
- When the work is done and nothing is left to change, reply with the single word DONE.`;

/** Builds the first user message: the issue, the packed repository context and the tests before any change. */
export function buildTaskPrompt(task: TaskDescription, context: PackedContext, baseline: TestResult | undefined): string {
  const parts = [
    `# Issue #${task.issueNumber}: ${task.title}`,
    task.body.trim() ? task.body.trim() : "(The issue has no description; work from the title.)",
    "# Repository files",
    context.text.trim() ? context.text.trimEnd() : "(No repository file fits in the context budget.)",
  ];
  if (baseline) {
    parts.push(`# Tests before any change\n${describeTestResult(baseline)}`);
  }
  parts.push("Make the changes that resolve the issue.");
  return parts.join("\n\n");
}

export function describeTestResult(result: TestResult): string {
  const verdict = result.passed ? "The tests pass." : result.timedOut ? "The tests timed out." : `The tests fail (exit code ${result.exitCode}).`;
  return `${verdict}\n\`\`\`\n${result.outputTail.trim()}\n\`\`\``;
}

export function describeApplyErrors(errors: string[]): string {
  return `None of your edits were applied, because:\n${errors.map((error) => `- ${error}`).join("\n")}\nSend corrected blocks.`;
}

export const NO_EDIT_FEEDBACK =
  "Your reply contained no search/replace block. Reply with edits in the block format from the instructions, or DONE when finished.";
