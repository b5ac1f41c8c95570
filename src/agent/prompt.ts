import type { TestResult } from "../sandbox/run-tests.js";
import { describeTestRun } from "../sandbox/test-feedback.js";

export interface TaskDescription {
  issueNumber: number;
  title: string;
  /** Issue body; empty when the issue has none. */
  body: string;
  /** Earlier work and the comment or review this run answers, placed after the issue. */
  followUp?: string;
}

export const SYSTEM_PROMPT = `You are Magic PR, an engineer who resolves GitHub issues by changing a repository.
You work through tools: read_file, list_folder and search_code to read the code; edit_file and write_file
to change it; run_tests to run the test suite or some test files; finish when the change is complete.

Rules:
- edit_file replaces lines that must match the file and only one place in it; include enough lines to make them unique.
- Paths are relative to the repository root. Files under .git and protected paths cannot be changed.
- Keep the change small and focused on the issue. Do not weaken or delete tests to make them pass.
- Run the tests after your changes. When they pass and the issue is resolved, call finish with a summary.

If you cannot call tools, write edits in your reply instead, each after a line with the file path:
path/to/file.ext
<<<<<<< SEARCH
the exact lines to replace
=======
the new lines
>>>>>>> REPLACE
Blocks <<<<<<< WRITE ... >>>>>>> WRITE (whole file), CREATE, DELETE, RENAME and unified diffs are accepted too.
The app applies such edits together, runs the tests and shows you the result. Reply DONE when finished.`;

/**
 * Builds the stable prefix every request of a run starts with: the issue, the repository context and
 * the tests on the base commit. It is the same bytes for every step and candidate, so providers can
 * cache it.
 */
export function buildPrefix(task: TaskDescription, repositoryContext: string, baseline: TestResult | undefined): string {
  const parts = [
    `# Issue #${task.issueNumber}: ${task.title}`,
    task.body.trim() ? task.body.trim() : "(The issue has no description; work from the title.)",
    ...(task.followUp?.trim() ? [task.followUp.trim()] : []),
    `# Repository\n${repositoryContext}`,
  ];
  if (baseline) parts.push(`# Tests on the base commit, before any change\n${describeTestRun(baseline)}`);
  return parts.join("\n\n");
}

export function describeApplyErrors(errors: string[]): string {
  return `None of your edits were applied, because:\n${errors.map((error) => `- ${error}`).join("\n")}\nSend corrected edits.`;
}

export const NO_ACTION_FEEDBACK =
  "Your reply contained no tool call and no edit. Use the tools to read and change the code, run the tests, and call finish when done.";

/** Tells the model that its last reply could not be used, so that it replies again. */
export function describeReplyProblem(problem: string): string {
  return `Your previous reply could not be used: ${problem} Reply again, with tool calls or edits.`;
}
