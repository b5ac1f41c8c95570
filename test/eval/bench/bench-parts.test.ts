import { describe, expect, test } from "vitest";
import { renderMarkdownReport, summarizeResults, summaryLine } from "../../../src/eval/bench/bench-report.js";
import { GoldModelClient } from "../../../src/eval/bench/gold-model.js";
import { patchPaths } from "../../../src/eval/bench/patch-paths.js";
import type { TaskResult } from "../../../src/eval/bench/run-task.js";
import { namedTestOutcomes } from "../../../src/eval/bench/test-status.js";
import type { TestResult } from "../../../src/sandbox/run-tests.js";
import { parseTestReport } from "../../../src/sandbox/reports/parse-report.js";
import type { TestReport } from "../../../src/sandbox/reports/test-report.js";

function taskResult(id: string, solved: boolean, usd: number, seconds: number): TaskResult {
  return { id, solved, usd, durationMs: seconds * 1000, steps: 1, modelCalls: 1, stopReason: "tests-pass", failToPass: [], passToPass: [], patch: "", finishedAt: "" };
}

function testResult(report: TestReport, passed = false): TestResult {
  return { passed, timedOut: false, exitCode: passed ? 0 : 1, outputTail: "", durationMs: 1, report };
}

describe("bench summary line", () => {
  test("counts, percent, dollars and median", () => {
    const results = [taskResult("a", true, 0.5, 10), taskResult("b", false, 0.25, 30), taskResult("c", true, 0.125, 20)];

    expect(summaryLine(summarizeResults(results))).toBe("bench: tasks=3 solved=2 (66.7%) usd=0.8750 median-time=20.0s");
  });

  test("even count takes middle mean", () => {
    const results = [taskResult("a", false, 0, 1), taskResult("b", false, 0, 4)];

    expect(summaryLine(summarizeResults(results))).toBe("bench: tasks=2 solved=0 (0%) usd=0.0000 median-time=2.5s");
  });

  test("no tasks", () => {
    expect(summaryLine(summarizeResults([]))).toBe("bench: tasks=0 solved=0 (0%) usd=0.0000 median-time=0.0s");
  });
});

describe("bench markdown report", () => {
  test("cancelled report marked partial", () => {
    const report = renderMarkdownReport([], "gold", 2);

    expect(report).toContain("Partial report: the bench was cancelled, and 2 tasks did not run.");
  });

  test("finished report not marked", () => {
    expect(renderMarkdownReport([], "gold")).not.toContain("Partial");
  });
});

describe("named test outcomes", () => {
  test("listed names decide", () => {
    const report: TestReport = { source: "tap", passed: 1, failed: 1, failures: [{ name: "b", message: "" }], passedTests: ["a"] };

    expect(namedTestOutcomes(testResult(report), ["a", "b", "missing"])).toEqual([
      { name: "a", passed: true },
      { name: "b", passed: false },
      { name: "missing", passed: false },
    ]);
  });

  test("failure-only report with every failure named", () => {
    const report: TestReport = { source: "jest", passed: 5, failed: 1, failures: [{ name: "b", message: "" }] };

    expect(namedTestOutcomes(testResult(report), ["a", "b"])).toEqual([
      { name: "a", passed: true },
      { name: "b", passed: false },
    ]);
  });

  test("failure-only report with unnamed failures", () => {
    const report: TestReport = { source: "jest", passed: 5, failed: 2, failures: [{ name: "b", message: "" }] };

    expect(namedTestOutcomes(testResult(report), ["a"])).toEqual([{ name: "a", passed: false }]);
  });

  test("exit code decides without names", () => {
    const report: TestReport = { source: "exit-code", failures: [] };

    expect(namedTestOutcomes(testResult(report, true), ["a"])).toEqual([{ name: "a", passed: true }]);
    expect(namedTestOutcomes(testResult(report, false), ["a"])).toEqual([{ name: "a", passed: false }]);
  });
});

describe("passing test names in reports", () => {
  test("TAP lists passing points", () => {
    const output = "TAP version 13\n# Subtest: adds\nok 1 - adds\n# Subtest: subtracts\nnot ok 2 - subtracts\n  ---\n  error: 'wrong'\n  ...\n1..2\n";

    const report = parseTestReport({ output });

    expect(report.passedTests).toEqual(["adds"]);
    expect(report.failures.map((failure) => failure.name)).toEqual(["subtracts"]);
  });

  test("JUnit lists passing cases", () => {
    const xml = '<testsuites><testsuite name="s"><testcase classname="calc" name="adds"/><testcase classname="calc" name="fails"><failure message="no"/></testcase></testsuite></testsuites>';

    expect(parseTestReport({ output: "", junitDocuments: [xml] }).passedTests).toEqual(["calc > adds"]);
  });

  test("pytest -rA lists PASSED lines", () => {
    const output = [
      "============================= test session starts ==============================",
      "=========================== short test summary info ============================",
      "PASSED tests/test_calc.py::test_adds",
      "FAILED tests/test_calc.py::test_fails - assert 1 == 2",
      "========================= 1 failed, 1 passed in 0.01s ==========================",
    ].join("\n");

    const report = parseTestReport({ output, runner: "pytest" });

    expect(report.passedTests).toEqual(["tests/test_calc.py::test_adds"]);
    expect(report.failures.map((failure) => failure.name)).toEqual(["tests/test_calc.py::test_fails"]);
  });

  test("pytest without -rA names none", () => {
    const output = "=========================== short test summary info ============================\nFAILED t.py::test_x - boom\n========================= 1 failed, 3 passed in 0.01s ==========================";

    expect(parseTestReport({ output, runner: "pytest" }).passedTests).toBeUndefined();
  });
});

describe("patch paths", () => {
  test("both sides of git diffs", () => {
    const patch = [
      "diff --git a/test/old.test.js b/test/new.test.js",
      "similarity index 90%",
      "diff --git a/test/added.test.js b/test/added.test.js",
      "new file mode 100644",
      "--- /dev/null",
      "+++ b/test/added.test.js",
      "@@ -0,0 +1 @@",
      "+--- a/not/a/header",
    ].join("\n");

    expect(patchPaths(patch)).toEqual(["test/old.test.js", "test/new.test.js", "test/added.test.js"]);
  });
});

describe("gold model", () => {
  test("patch first, then finish", async () => {
    const model = new GoldModelClient("--- a/x.js\n+++ b/x.js\n@@ -1 +1 @@\n-a\n+b\n");
    const request = { system: "", maxOutputTokens: 100, messages: [{ role: "user" as const, content: "You are candidate 1." }] };

    const first = await model.complete(request);
    const second = await model.complete({ ...request, messages: [...request.messages, ...first.responseMessages] });

    expect(first.text).toContain("```diff\n--- a/x.js");
    expect(first.toolCalls).toEqual([]);
    expect(second.toolCalls.map((call) => call.toolName)).toEqual(["finish"]);
    expect(first.costUsd + second.costUsd).toBe(0);
  });
});
