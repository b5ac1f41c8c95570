import type { TestResult } from "../sandbox/run-tests.js";

/** One candidate's row in the pull request body. */
export interface CandidateReport {
  id: string;
  approach: string;
  steps: number;
  testsAfter: TestResult | undefined;
  inputTokens: number;
  cachedInputTokens: number;
  outputTokens: number;
  usd: number;
  durationMs: number;
  stopReason: string;
  winner: boolean;
}

export interface PullRequestSummary {
  issueNumber: number;
  changedFiles: string[];
  /** The winner's final test run. */
  test: TestResult | undefined;
  baseline: TestResult | undefined;
  stopReason: string;
  modelId: string;
  candidates: CandidateReport[];
  /** Selection's reason for choosing the winner. */
  selectionReason: string;
  /** The model's own summary of its change, when it gave one. */
  modelSummary?: string;
  totals: { modelCalls: number; testRuns: number; usd: number; usdLimit: number };
  /** Sentences about the budget, such as a ceiling that lowered it. */
  budgetNotes: string[];
}

/** Describes a test run in a few words: `passing`, `3 failing`, `timed out`. */
export function describeTests(test: TestResult | undefined): string {
  if (!test) return "not run";
  if (test.timedOut) return "timed out";
  if (test.passed) return "passing";
  const failing = test.report.failures.length;
  return failing > 0 ? `${failing} failing` : `failing (exit code ${test.exitCode})`;
}

/** Renders the pull request body: the change, its tests, every candidate's spend, and the closing keyword. */
export function renderPullRequestBody(summary: PullRequestSummary): string {
  const lines = [`Magic PR made this change for issue #${summary.issueNumber}.`];
  if (summary.modelSummary) lines.push("", summary.modelSummary.trim());
  lines.push("", "### Changed files", ...summary.changedFiles.map((file) => `- \`${file}\``));
  lines.push("", "### Tests", testLine(summary.test), `Before the change: ${describeTests(summary.baseline)}.`);
  if (summary.test && !summary.test.passed) {
    lines.push("", "<details><summary>End of the test output</summary>", "", "```", summary.test.outputTail.trim(), "```", "</details>");
  }
  lines.push("", "### Candidates", "", summary.selectionReason, "", ...candidateTable(summary));
  const { totals } = summary;
  lines.push(
    "",
    "### Spend",
    `- Model: \`${summary.modelId}\``,
    `- Model calls: ${totals.modelCalls}; test runs: ${totals.testRuns}`,
    `- Cost: $${totals.usd.toFixed(4)} of a $${totals.usdLimit.toFixed(2)} budget`,
    `- Stop reason: \`${summary.stopReason}\``,
    ...summary.budgetNotes.map((note) => `- ${note}`),
    "",
    `Fixes #${summary.issueNumber}`,
  );
  return lines.join("\n");
}

function testLine(test: TestResult | undefined): string {
  if (!test) return "The tests were not run after the change. This pull request is a draft.";
  if (test.passed) return "✅ The tests pass.";
  if (test.timedOut) return "❌ The tests timed out. This pull request is a draft.";
  return `❌ The tests still fail (${describeTests(test)}). This pull request is a draft.`;
}

function candidateTable(summary: PullRequestSummary): string[] {
  const rows = ["| candidate | approach | steps | tests after | tokens in / cached / out | cost | time | stop reason |", "| --- | --- | --- | --- | --- | --- | --- | --- |"];
  for (const candidate of summary.candidates) {
    const tokens = [candidate.inputTokens, candidate.cachedInputTokens, candidate.outputTokens].map((count) => count.toLocaleString("en-US")).join(" / ");
    rows.push(
      `| ${candidate.id}${candidate.winner ? " (chosen)" : ""} | ${candidate.approach} | ${candidate.steps} | ${describeTests(candidate.testsAfter)} | ${tokens} | $${candidate.usd.toFixed(4)} | ${Math.round(candidate.durationMs / 1000)} s | \`${candidate.stopReason}\` |`,
    );
  }
  return rows;
}
