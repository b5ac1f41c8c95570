import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { toTestResult } from "../../src/sandbox/run-tests.js";
import type { SandboxResult } from "../../src/sandbox/sandbox.js";
import { describeTestRun } from "../../src/sandbox/test-feedback.js";

const OUTPUT = path.join(import.meta.dirname, "../fixtures/test-reports/output");

function sandboxResult(output: string, exitCode: number, timedOut = false): SandboxResult {
  return { exitCode, signal: null, timedOut, truncated: false, output, durationMs: 10 };
}

describe("describeTestRun", () => {
  const vitestOutput = readFileSync(path.join(OUTPUT, "vitest.txt"), "utf8");

  test("failing tests named with their messages", () => {
    const text = describeTestRun(toTestResult(sandboxResult(vitestOutput, 1), 60_000));

    expect(text.startsWith("The tests fail: 2 failed, 1 passed, 1 skipped (exit code 1).")).toBe(true);
    expect(text).toContain("- calculator.test.js > calculator > multiplies two numbers\n    AssertionError: expected 7 to be 6 // Object.is equality");
    expect(text).toContain("- calculator.test.js > calculator > divides by zero\n    RangeError: division by zero");
    expect(text).toContain("End of the test output:");
  });

  test("changes since the baseline", () => {
    const baseline = toTestResult(sandboxResult(vitestOutput, 1), 60_000);
    const laterOutput = vitestOutput.replace(/ FAIL {2}calculator\.test\.js > calculator > divides by zero[\s\S]*?⎯\[2\/2\]⎯/, "").replace("2 failed | 1 passed", "1 failed | 2 passed");

    const text = describeTestRun(toTestResult(sandboxResult(laterOutput, 1), 60_000), baseline);

    expect(text).toContain("The tests fail: 1 failed, 2 passed, 1 skipped");
    expect(text).toContain("No longer failing: calculator.test.js > calculator > divides by zero.");
    expect(text).not.toContain("Newly failing");
  });

  test("passing run", () => {
    const output = "ok 1 - adds\nok 2 - multiplies\n1..2\n";

    expect(describeTestRun(toTestResult(sandboxResult(output, 0), 60_000)).startsWith("The tests pass (2 passed).")).toBe(true);
  });

  test("unknown format shows the whole tail", () => {
    const output = `${"noise line\n".repeat(300)}custom check went wrong\n`;

    const text = describeTestRun(toTestResult(sandboxResult(output, 2), 60_000));

    expect(text.startsWith("The tests fail (exit code 2).")).toBe(true);
    expect(text).toContain("Test output:\n```\n");
    expect(text.length).toBeGreaterThan(3_000);
    expect(text).toContain("custom check went wrong");
  });

  test("timeout", () => {
    const text = describeTestRun(toTestResult(sandboxResult("", null as unknown as number, true), 120_000));

    expect(text).toContain("The tests timed out and were killed.");
    expect(text).toContain("[the test command timed out after 120 s and was killed]");
  });

  test("long failure lists cut", () => {
    const points = Array.from({ length: 30 }, (_, index) => `not ok ${index + 1} - case ${index + 1}`).join("\n");

    const text = describeTestRun(toTestResult(sandboxResult(`${points}\n1..30\n`, 1), 60_000));
    const list = text.split("End of the test output")[0] as string;

    expect(list).toContain("\n- case 20\n");
    expect(list).not.toContain("\n- case 21\n");
    expect(list).toContain("- and 10 more");
  });
});
