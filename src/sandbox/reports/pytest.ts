import { NO_END, parseCounts, splitBlocks, summarizeMessage } from "./output-text.js";
import type { FailedTest, TestReport } from "./test-report.js";

/** pytest's closing line, with or without the `=` rule: `2 failed, 1 passed, 1 skipped in 0.12s`. */
const SUMMARY = /^=*\s*((?:\d+ [a-z]+,? ?)+) in [\d.]+s\b.*$/gm;

/**
 * Parses pytest's terminal output: counts from the closing line, failures from the short test summary
 * (`FAILED path::test - message`), else from the `____ test ____` sections and their `E` lines.
 */
export function parsePytestOutput(output: string): TestReport | undefined {
  const summaries = [...output.matchAll(SUMMARY)];
  const summary = summaries.at(-1);
  if (!summary || !/\b(passed|failed|skipped|errors?|xfailed|xpassed|deselected)\b/.test(summary[1] as string)) return undefined;
  const counts = parseCounts(summary[1] as string);
  const shortSummary = shortSummaryFailures(output);
  const passedTests = shortSummaryPassed(output);
  return {
    source: "pytest",
    passed: (counts.get("passed") ?? 0) + (counts.get("xpassed") ?? 0),
    failed: (counts.get("failed") ?? 0) + (counts.get("error") ?? 0) + (counts.get("errors") ?? 0),
    skipped: (counts.get("skipped") ?? 0) + (counts.get("xfailed") ?? 0),
    failures: shortSummary.length > 0 ? shortSummary : sectionFailures(output),
    // Without `-rA` pytest names no passing test, unless none passed.
    ...(passedTests.length > 0 || (counts.get("passed") ?? 0) + (counts.get("xpassed") ?? 0) === 0 ? { passedTests } : {}),
  };
}

/** Reads the `PASSED path::test` lines that `pytest -rA` adds to the short test summary. */
function shortSummaryPassed(output: string): string[] {
  const section = output.split(/^=+ short test summary info =+$/m)[1] ?? "";
  return [...section.matchAll(/^PASSED (\S+)\s*$/gm)].map((match) => match[1] as string);
}

function shortSummaryFailures(output: string): FailedTest[] {
  const section = output.split(/^=+ short test summary info =+$/m)[1];
  if (!section) return [];
  const failures: FailedTest[] = [];
  let current: { name: string; lines: string[] } | undefined;
  const flush = () => {
    if (current) failures.push({ name: current.name, message: summarizeMessage(current.lines.join("\n")) });
    current = undefined;
  };
  for (const line of section.split("\n")) {
    const entry = /^(?:FAILED|ERROR) (\S+)(?: - (.*))?$/.exec(line);
    if (entry) {
      flush();
      current = { name: entry[1] as string, lines: entry[2] ? [entry[2]] : [] };
    } else if (/^=+ /.test(line)) {
      break;
    } else if (current && line.trim()) {
      current.lines.push(line);
    }
  }
  flush();
  return failures;
}

function sectionFailures(output: string): FailedTest[] {
  const section = output.split(/^=+ (?:FAILURES|ERRORS) =+$/m).slice(1).join("\n");
  return splitBlocks(section, /^_{3,} (.+?) _{3,}$/, NO_END).map(({ title, body }) => ({
    name: title,
    message: summarizeMessage(
      body
        .filter((line) => line.startsWith("E "))
        .map((line) => line.slice(1))
        .join("\n"),
    ),
  }));
}
