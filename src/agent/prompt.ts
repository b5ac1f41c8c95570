import type { SelectedContext } from "../context/select-files.js";
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

Other blocks, each after a line with the file path:
- <<<<<<< WRITE, the whole new content, >>>>>>> WRITE: replaces the whole file (or creates it).
- <<<<<<< CREATE, the content, >>>>>>> CREATE: creates a file that does not exist yet.
- <<<<<<< DELETE: deletes the file.
- <<<<<<< RENAME, the new path on one line, >>>>>>> RENAME: moves the file.
Unified diffs (--- a/path, +++ b/path, @@ hunks) are accepted too; hunks are placed by their lines, not their line numbers.

Rules:
- The SEARCH part must match the file and only one place in it; include enough lines to make it unique.
- A line "..." in both SEARCH and REPLACE stands for unchanged lines that you skip.
- To create a file, leave the SEARCH part empty or use a CREATE block.
- Paths are relative to the repository root. Files under .git and protected paths cannot be changed.
- All edits of one reply are applied together or not at all.
- After your edits the app runs the tests and shows you the result.
- When the work is done and nothing is left to change, reply with the single word DONE.`;

/** Builds the first user message: the issue, the repository files and the tests before any change. */
export function buildTaskPrompt(task: TaskDescription, context: SelectedContext, baseline: TestResult | undefined): string {
  const parts = [
    `# Issue #${task.issueNumber}: ${task.title}`,
    task.body.trim() ? task.body.trim() : "(The issue has no description; work from the title.)",
    "# Repository files",
    ...context.files.map((file) => `## ${file.path}\n\`\`\`\n${file.content}\n\`\`\``),
  ];
  if (context.omitted.length > 0) {
    parts.push(`# Other files (not shown)\n${context.omitted.join("\n")}`);
  }
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
  "Your reply contained no search/replace block or other edit. Reply with edits in a format from the instructions, or DONE when finished.";

/** Tells the model that its last reply could not be used, so that it replies again. */
export function describeReplyProblem(problem: string): string {
  return `Your previous reply could not be used: ${problem} Reply again with edits in a format from the instructions, or DONE when finished.`;
}
