import { mkdir, writeFile } from "node:fs/promises";
import type { FinishedCandidate } from "../agent/run-agent.js";
import path from "node:path";
import type { LocalIssue } from "./issue-source.js";
import type { LocalRunResult } from "./local-pipeline.js";
import type { JournalEvent } from "./run-journal.js";
import { countOf } from "../text/plural.js";

const PATCH_FILE = "patch.diff";
const REPORT_FILE = "report.md";
const RECORD_FILE = "run.json";

export interface RunOutputFiles {
  patch: string;
  report: string;
  record: string;
}

/** Writes the winning patch, a markdown report and the JSON record of every step to `folder`. */
export async function writeRunOutputs(folder: string, issue: LocalIssue, result: LocalRunResult, events: JournalEvent[]): Promise<RunOutputFiles> {
  await mkdir(folder, { recursive: true });
  const files = { patch: path.join(folder, PATCH_FILE), report: path.join(folder, REPORT_FILE), record: path.join(folder, RECORD_FILE) };
  await writeFile(files.patch, result.patch);
  await writeFile(files.report, renderRunReport(issue, result));
  await writeFile(files.record, `${JSON.stringify(runRecord(issue, result, events), null, 2)}\n`);
  return files;
}

/** Returns whether the winning candidate's full test suite passed after its last change. */
export function winnerPasses(result: LocalRunResult): boolean {
  return Boolean(result.winner?.finalTest?.passed && !result.winner.untestedChanges);
}

function runRecord(issue: LocalIssue, result: LocalRunResult, events: JournalEvent[]) {
  return {
    runId: result.runId,
    issue: { source: issue.source, number: issue.number, title: issue.title },
    baseCommit: result.baseCommit,
    model: events.find((event) => event.type === "model-call")?.modelId,
    stopReason: result.stopReason,
    testsPass: winnerPasses(result),
    winner: result.winner?.id,
    selectionReason: result.work.agent.selection.reason,
    spend: result.spend,
    limits: result.limits,
    durationMs: result.durationMs,
    baseline: { passed: result.work.baseline.passed, failing: result.work.baseline.report.failures.map((failure) => failure.name) },
    candidates: result.work.agent.candidates.map((candidate) => ({
      id: candidate.id,
      approach: candidate.approach,
      stopReason: candidate.stopReason,
      testsPass: Boolean(candidate.finalTest?.passed) && !candidate.untestedChanges,
      summary: candidate.summary,
      lastProblem: candidate.lastProblem,
      spend: candidate.spend,
      steps: candidate.steps,
    })),
    events,
  };
}

/** Renders the run as markdown: outcome, spend, candidates, and the patch. */
function renderRunReport(issue: LocalIssue, result: LocalRunResult): string {
  const { agent, baseline } = result.work;
  const lines = [
    `# ${issue.title}`,
    "",
    `- Outcome: ${outcomeText(result)}`,
    `- Stop reason: \`${result.stopReason}\``,
    `- Base commit: \`${result.baseCommit}\``,
    `- Tests on the base commit: ${baseline.passed ? "passing" : `failing (${countOf(baseline.report.failures.length, "named failure")})`}`,
    `- Spend: $${result.spend.usd.toFixed(4)} of $${result.limits.usd.toFixed(2)}, ${countOf(result.spend.modelCalls, "model call")}, ${countOf(result.spend.testRuns, "test run")}, ` +
      `${result.spend.inputTokens} input and ${result.spend.outputTokens} output tokens, ${(result.durationMs / 1000).toFixed(1)}s`,
    `- Selection: ${agent.selection.reason}`,
    "",
    "| candidate | approach | steps | tests | stop reason | USD |",
    "| --- | --- | --- | --- | --- | --- |",
    ...agent.candidates.map((candidate) => {
      const chosen = candidate.id === result.winner?.id ? " (chosen)" : "";
      const tests = describeFinalTest(candidate.finalTest);
      return `| ${candidate.id}${chosen} | ${candidate.approach} | ${candidate.steps.length} | ${tests} | \`${candidate.stopReason}\` | ${candidate.spend.usd.toFixed(4)} |`;
    }),
    "",
  ];
  if (result.winner?.summary) lines.push("## Summary", "", result.winner.summary, "");
  lines.push("## Patch", "", result.patch ? ["```diff", result.patch.trimEnd(), "```"].join("\n") : "No candidate changed any file.", "");
  return lines.join("\n");
}

function outcomeText(result: LocalRunResult): string {
  if (!result.winner) return "no change";
  return winnerPasses(result) ? `candidate ${result.winner.id} changed the code and the tests pass` : `candidate ${result.winner.id} changed the code, but the tests do not pass`;
}

function describeFinalTest(finalTest: FinishedCandidate["finalTest"]): string {
  if (!finalTest) return "not run";
  if (finalTest.passed) return "passing";
  return `failing (${countOf(finalTest.report.failures.length, "test")})`;
}
