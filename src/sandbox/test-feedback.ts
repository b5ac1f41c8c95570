import { compareTestReports, type TestReport } from "./reports/test-report.js";
import { maskTimings } from "./reports/mask-timings.js";
import type { TestResult } from "./run-tests.js";

/** Failing tests listed by name; the rest are counted, because a broken build can fail thousands. */
const LISTED_FAILURES = 20;
/** Output shown when the report names the failures; the names and messages carry the detail. */
const SHORT_TAIL_CHARACTERS = 1_500;

/**
 * Describes a test run for the model: the verdict with counts, each failing test with its assertion
 * message, what changed since the baseline run, and the end of the output. The output comes last and
 * short when the report names the failures, and in full when the output was in no known format.
 * Runner timings are masked, so that the same tests give the same description in every run.
 */
export function describeTestRun(result: TestResult, baseline?: TestResult): string {
  const report = result.report;
  const parts = [verdict(result)];

  if (report.failures.length > 0) parts.push(listFailures(report));

  const comparison = baseline && !result.timedOut ? compareTestReports(baseline.report, report) : undefined;
  if (comparison) {
    const changes: string[] = [];
    if (comparison.newlyFailing.length > 0) changes.push(`Newly failing since before your change: ${comparison.newlyFailing.join(", ")}.`);
    if (comparison.fixed.length > 0) changes.push(`No longer failing: ${comparison.fixed.join(", ")}.`);
    if (changes.length > 0) parts.push(changes.join("\n"));
  }

  const named = report.failures.length > 0;
  // NOTE: when the output passes the sandbox's output cap, the kept tail starts at a character count
  // that still depends on the raw timings, so such a run may not replay byte for byte.
  const output = maskTimings(result.outputTail);
  const tail = named ? output.slice(-SHORT_TAIL_CHARACTERS) : output;
  parts.push(`${named ? "End of the test output" : "Test output"}:\n\`\`\`\n${tail.trim()}\n\`\`\``);
  return parts.join("\n\n");
}

function verdict(result: TestResult): string {
  const counts = describeCounts(result.report);
  if (result.timedOut) return `The tests timed out and were killed${counts ? ` (${counts} before the timeout)` : ""}.`;
  if (result.passed) return `The tests pass${counts ? ` (${counts})` : ""}.`;
  const reason = `exit code ${result.exitCode}`;
  return counts ? `The tests fail: ${counts} (${reason}).` : `The tests fail (${reason}).`;
}

function describeCounts(report: TestReport): string {
  const counts: Array<[number | undefined, string]> = [
    [report.failed, "failed"],
    [report.passed, "passed"],
    [report.skipped, "skipped"],
  ];
  return counts
    .filter(([count]) => count !== undefined && count > 0)
    .map(([count, label]) => `${count} ${label}`)
    .join(", ");
}

function listFailures(report: TestReport): string {
  const lines = ["Failing tests:"];
  for (const failure of report.failures.slice(0, LISTED_FAILURES)) {
    lines.push(`- ${failure.name}`);
    if (failure.message) lines.push(...maskTimings(failure.message).split("\n").map((line) => `    ${line}`));
  }
  const unlisted = report.failures.length - LISTED_FAILURES;
  if (unlisted > 0) lines.push(`- and ${unlisted} more`);
  return lines.join("\n");
}
