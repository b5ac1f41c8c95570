import type { StopReason } from "../agent/loop.js";
import type { TestResult } from "../sandbox/run-tests.js";

export interface PullRequestSummary {
  issueNumber: number;
  changedFiles: string[];
  test: TestResult | undefined;
  stopReason: StopReason;
  modelCalls: number;
  inputTokens: number;
  outputTokens: number;
  modelId: string;
}

/** Renders the pull request body: what changed, whether the tests pass, what it cost, and the closing keyword. */
export function renderPullRequestBody(summary: PullRequestSummary): string {
  const testLine = !summary.test
    ? "The tests were not run."
    : summary.test.passed
      ? "✅ The tests pass."
      : summary.test.timedOut
        ? "❌ The tests timed out. This pull request is a draft."
        : `❌ The tests still fail (exit code ${summary.test.exitCode}). This pull request is a draft.`;
  const lines = [
    `Magic PR made this change for issue #${summary.issueNumber}.`,
    "",
    "### Changed files",
    ...summary.changedFiles.map((file) => `- \`${file}\``),
    "",
    "### Tests",
    testLine,
  ];
  if (summary.test && !summary.test.passed) {
    lines.push("", "<details><summary>End of the test output</summary>", "", "```", summary.test.outputTail.trim(), "```", "</details>");
  }
  lines.push(
    "",
    "### Spend",
    `- Model: \`${summary.modelId}\``,
    `- Model calls: ${summary.modelCalls}`,
    `- Tokens: ${summary.inputTokens.toLocaleString("en-US")} input, ${summary.outputTokens.toLocaleString("en-US")} output`,
    `- Stop reason: \`${summary.stopReason}\``,
    "",
    `Fixes #${summary.issueNumber}`,
  );
  return lines.join("\n");
}
