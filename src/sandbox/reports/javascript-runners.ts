import { linesBefore, NO_END, parseCounts, splitBlocks, summarizeMessage } from "./output-text.js";
import type { FailedTest, TestReport } from "./test-report.js";

/** A code frame line such as `>  9 |     expect(x).toBe(6);`, where Jest's and Vitest's messages end. */
const CODE_FRAME = /^\s*>?\s*\d+\s*\|/;

/**
 * Parses Jest's default reporter: the `Tests:` summary line and one `● suite › test` block per failure.
 */
export function parseJestOutput(output: string): TestReport | undefined {
  const summary = /^Tests:\s+(.*\d+ total)\s*$/m.exec(output);
  if (!summary) return undefined;
  const failures = splitBlocks(output, /^ {2}● (.+)$/, /^(Test Suites:|Tests:)/).map(({ title, body }) => ({
    name: title.trim(),
    message: summarizeMessage(linesBefore(body, (line) => CODE_FRAME.test(line))),
  }));
  return reportFromCounts("jest", summary[1] as string, failures);
}

/** Parses Vitest's default reporter: the `Tests` summary line and one ` FAIL  file > suite > test` block per failure. */
export function parseVitestOutput(output: string): TestReport | undefined {
  const summary = /^\s+Tests\s{2,}(.+?)\s*(?:\(\d+\))?\s*$/m.exec(output);
  if (!summary || !/ FAIL |Test Files/.test(output)) return undefined;
  const failures = splitBlocks(output, /^ FAIL {2}(.+)$/, /^\s+Test Files\s/).map(({ title, body }) => ({
    name: title.trim(),
    message: summarizeMessage(linesBefore(body, (line) => /^\s*❯ /.test(line) || line.startsWith("⎯") || CODE_FRAME.test(line))),
  }));
  return reportFromCounts("vitest", summary[1] as string, failures);
}

/** Builds a report from a summary such as "2 failed, 1 skipped, 1 todo, 3 passed"; todo tests count as skipped. */
function reportFromCounts(source: "jest" | "vitest", summary: string, failures: FailedTest[]): TestReport {
  const counts = parseCounts(summary);
  return {
    source,
    passed: counts.get("passed") ?? 0,
    failed: counts.get("failed") ?? 0,
    skipped: (counts.get("skipped") ?? 0) + (counts.get("todo") ?? 0),
    failures,
  };
}

/**
 * Parses Mocha's spec reporter: the `N passing`, `N failing` and `N pending` lines, and the numbered
 * failure blocks whose titles span several lines, the last ending with a colon.
 */
export function parseMochaOutput(output: string): TestReport | undefined {
  const passing = /^\s+(\d+) passing\b/m.exec(output);
  if (!passing) return undefined;
  const failing = /^\s+(\d+) failing\b/m.exec(output);
  const pending = /^\s+(\d+) pending\b/m.exec(output);
  const failures = splitBlocks(output, /^ {2}\d+\) (.+)$/, NO_END).map(({ title, body }) => mochaFailure(title, body));
  return {
    source: "mocha",
    passed: Number(passing[1]),
    failed: failing ? Number(failing[1]) : 0,
    skipped: pending ? Number(pending[1]) : 0,
    failures,
  };
}

function mochaFailure(firstTitleLine: string, body: string[]): FailedTest {
  const titles = [firstTitleLine.trim()];
  let index = 0;
  while (!(titles.at(-1) as string).endsWith(":") && index < body.length) {
    const line = (body[index] as string).trim();
    index++;
    if (line) titles.push(line);
  }
  const name = titles.join(" > ").replace(/:$/, "");
  return { name, message: summarizeMessage(body.slice(index).join("\n")) };
}

/**
 * Parses the spec reporter of Node's test runner: the `ℹ tests`, `ℹ pass`, `ℹ fail` and `ℹ skipped`
 * lines and the `✖ failing tests:` section. Names there carry no suite, so `describe` titles are lost.
 */
export function parseNodeSpecOutput(output: string): TestReport | undefined {
  const count = (label: string) => {
    const match = new RegExp(`^ℹ ${label} (\\d+)\\s*$`, "m").exec(output);
    return match ? Number(match[1]) : undefined;
  };
  const tests = count("tests");
  if (tests === undefined) return undefined;
  const section = output.split(/^✖ failing tests:\s*$/m)[1] ?? "";
  const failures = splitBlocks(section, /^✖ (.+?) \([\d.]+m?s\)(?: #.*)?$/, NO_END).map(({ title, body }) => ({
    name: title.trim(),
    message: summarizeMessage(linesBefore(body, (line) => /^test at /.test(line))),
  }));
  return {
    source: "node-test",
    passed: count("pass") ?? 0,
    failed: (count("fail") ?? 0) + (count("cancelled") ?? 0),
    skipped: (count("skipped") ?? 0) + (count("todo") ?? 0),
    failures,
  };
}
