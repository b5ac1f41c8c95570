import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { parseJUnitXml } from "../../src/sandbox/reports/junit.js";
import { parseTestReport } from "../../src/sandbox/reports/parse-report.js";
import { looksLikeTap } from "../../src/sandbox/reports/tap.js";
import { compareTestReports, type TestReport } from "../../src/sandbox/reports/test-report.js";

const OUTPUT = path.join(import.meta.dirname, "../fixtures/test-reports/output");

function fixture(name: string): string {
  return readFileSync(path.join(OUTPUT, name), "utf8");
}

function names(report: TestReport): string[] {
  return report.failures.map((failure) => failure.name);
}

function messageOf(report: TestReport, namePart: string): string | undefined {
  return report.failures.find((failure) => failure.name.includes(namePart))?.message;
}

// Every fixture project has the same four tests: one passes, one fails an assertion (7 instead of 6),
// one throws a division-by-zero error, and one is skipped.
describe("reports from real runner output", () => {
  test.each([
    ["jest.txt", "jest", ["calculator › multiplies two numbers", "calculator › divides by zero"], "Expected: 6\nReceived: 7"],
    ["vitest.txt", "vitest", ["calculator.test.js > calculator > multiplies two numbers", "calculator.test.js > calculator > divides by zero"], "AssertionError: expected 7 to be 6"],
    ["mocha.txt", "mocha", ["calculator > multiplies two numbers", "calculator > divides by zero"], "7 !== 6"],
    ["node-test-spec.txt", "node-test", ["multiplies two numbers", "divides by zero"], "7 !== 6"],
    [
      "pytest.txt",
      "pytest",
      ["tests/test_calculator.py::TestCalculator::test_multiplies_two_numbers", "tests/test_calculator.py::TestCalculator::test_divides_by_zero"],
      "assert 7 == 6",
    ],
    ["cargo-test.txt", "cargo-test", ["tests::divides_by_zero", "tests::multiplies_two_numbers"], "left: 7\nright: 6"],
    ["maven.txt", "maven", ["CalculatorTest.multipliesTwoNumbers", "CalculatorTest.dividesByZero"], "expected: <6> but was: <7>"],
    ["go-test-verbose.txt", "go-test", ["TestMultiply", "TestDivide/by_zero"], "Multiply(2, 3) = 7, want 6"],
    ["gradle.txt", "gradle", ["calc.CalculatorTest > multipliesTwoNumbers", "calc.CalculatorTest > dividesByZero"], "java.lang.AssertionError at CalculatorTest.java:16"],
  ])("%s", (file, source, failing, assertion) => {
    const report = parseTestReport({ output: fixture(file) });

    expect(report.source).toBe(source);
    expect(report.passed).toBe(1);
    expect(report.failed).toBe(2);
    expect(report.skipped).toBe(1);
    expect(names(report)).toEqual(failing);
    expect(messageOf(report, failing.find((name) => /multipl/i.test(name)) as string)).toContain(assertion);
  });

  test("plain go test has no pass count", () => {
    const report = parseTestReport({ output: fixture("go-test.txt") });

    expect(report.source).toBe("go-test");
    expect(report.passed).toBeUndefined();
    expect(report.failed).toBe(2);
    expect(names(report)).toEqual(["TestMultiply", "TestDivide/by_zero"]);
    expect(messageOf(report, "by_zero")).toBe("calculator_test.go:20: Divide(1, 0) failed: division by zero");
  });

  test("error messages kept beside assertion messages", () => {
    expect(messageOf(parseTestReport({ output: fixture("jest.txt") }), "divides")).toBe("RangeError: division by zero");
    expect(messageOf(parseTestReport({ output: fixture("pytest.txt") }), "divides")).toBe("ZeroDivisionError: division by zero");
    expect(messageOf(parseTestReport({ output: fixture("cargo-test.txt") }), "divides")).toContain("attempt to divide by zero");
    expect(messageOf(parseTestReport({ output: fixture("maven.txt") }), "divides")).toBe("Arithmetic / by zero");
  });

  test("stack frames and code frames left out", () => {
    for (const file of ["jest.txt", "vitest.txt", "mocha.txt", "node-test-spec.txt"]) {
      const messages = parseTestReport({ output: fixture(file) }).failures.map((failure) => failure.message).join("\n");

      expect(messages).not.toMatch(/^\s*at /m);
      expect(messages).not.toMatch(/\d+\s*\|/);
    }
  });
});

describe("TAP", () => {
  test.each([
    ["node-test.tap", "calculator > multiplies two numbers", "AssertionError: Expected values to be strictly equal:\n7 !== 6"],
    ["vitest.tap", "calculator.test.js > calculator > multiplies two numbers", "AssertionError: expected 7 to be 6 // Object.is equality"],
    ["mocha.tap", "calculator multiplies two numbers", "Expected values to be strictly equal:\n7 !== 6"],
  ])("%s", (file, failingName, message) => {
    const report = parseTestReport({ output: fixture(file) });

    expect(report.source).toBe("tap");
    expect(report).toMatchObject({ passed: 1, failed: 2, skipped: 1 });
    expect(report.failures[0]?.name).toBe(failingName);
    expect(report.failures[0]?.message.startsWith(message)).toBe(true);
  });

  test("TAP takes precedence over runner summaries", () => {
    expect(looksLikeTap(fixture("node-test.tap"))).toBe(true);
    expect(looksLikeTap(fixture("jest.txt"))).toBe(false);
  });
});

describe("JUnit XML", () => {
  test.each([
    ["jest-junit.xml", "calculator multiplies two numbers", "Expected: 6\nReceived: 7"],
    ["vitest-junit.xml", "calculator.test.js > calculator > multiplies two numbers", "AssertionError: expected 7 to be 6"],
    ["mocha-xunit.xml", "calculator > multiplies two numbers", "7 !== 6"],
    ["node-test-junit.xml", "test > multiplies two numbers", "7 !== 6"],
    ["pytest-junit.xml", "tests.test_calculator.TestCalculator > test_multiplies_two_numbers", "assert 7 == 6\n+  where 7 = multiply(2, 3)"],
    ["maven-surefire.xml", "calc.CalculatorTest > multipliesTwoNumbers", "org.opentest4j.AssertionFailedError: 2 * 3 ==> expected: <6> but was: <7>"],
    ["gradle-junit.xml", "calc.CalculatorTest > multipliesTwoNumbers", "java.lang.AssertionError: 2 * 3 expected:<6> but was:<7>"],
  ])("%s", (file, failingName, message) => {
    const report = parseTestReport({ output: "", junitDocuments: [fixture(file)] });

    expect(report.source).toBe("junit");
    expect(report).toMatchObject({ passed: 1, failed: 2, skipped: 1 });
    expect(names(report)).toContain(failingName);
    expect(messageOf(report, failingName)).toContain(message);
  });

  test("documents of one run added up", () => {
    const report = parseTestReport({ output: "", junitDocuments: [fixture("maven-surefire.xml"), fixture("pytest-junit.xml")] });

    expect(report).toMatchObject({ source: "junit", passed: 2, failed: 4, skipped: 2 });
  });

  test("JUnit preferred over the output", () => {
    const report = parseTestReport({ output: fixture("maven.txt"), junitDocuments: [fixture("maven-surefire.xml")] });

    expect(report.source).toBe("junit");
  });

  test("JUnit and console of one Gradle run name tests alike", () => {
    const fromJUnit = parseTestReport({ output: "", junitDocuments: [fixture("gradle-junit.xml")] });
    const fromConsole = parseTestReport({ output: fixture("gradle.txt") });

    expect(names(fromConsole).sort()).toEqual(names(fromJUnit).sort());
  });

  test("XML cut short falls back to the output", () => {
    const report = parseTestReport({ output: fixture("maven.txt"), junitDocuments: ["<testsuite><testcase name='x'>"] });

    expect(report.source).toBe("maven");
  });

  test("entity expansion not performed", () => {
    const bomb = `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><testsuite><testcase name="t"><failure>&c;</failure></testcase></testsuite>`;

    const report = parseJUnitXml(bomb);

    expect(report?.failed).toBe(1);
    expect(report?.failures[0]?.message.length).toBeLessThan(20);
  });

  test("not JUnit", () => {
    expect(parseJUnitXml("<html><body>hi</body></html>")).toBeUndefined();
  });
});

describe("fallback and hard cases", () => {
  test("unknown output gives an exit-code report", () => {
    const report = parseTestReport({ output: fixture("make-test.txt") });

    expect(report).toEqual({ source: "exit-code", failures: [] });
  });

  test("empty output", () => {
    expect(parseTestReport({ output: "" }).source).toBe("exit-code");
  });

  test("colour codes stripped", () => {
    const coloured = fixture("vitest.txt").replaceAll("FAIL", "\u001b[41m\u001b[1m FAIL \u001b[22m\u001b[49m").replaceAll("Tests", "\u001b[2mTests\u001b[22m");

    const report = parseTestReport({ output: coloured.replaceAll("  FAIL  ", " FAIL ") });

    expect(report.source).toBe("vitest");
    expect(report.failed).toBe(2);
  });

  test("output cut in the middle still parsed", () => {
    const output = fixture("cargo-test.txt");
    const cut = `${output.slice(0, 200)}\n[... 5000000 bytes of output omitted ...]\n${output.slice(-600)}`;

    const report = parseTestReport({ output: cut });

    expect(report.source).toBe("cargo-test");
    expect(report.failed).toBe(2);
  });

  test("runner hint tried first", () => {
    const output = `${fixture("mocha.txt")}\n${fixture("pytest.txt")}`;

    expect(parseTestReport({ output }).source).toBe("mocha");
    expect(parseTestReport({ output, runner: "pytest" }).source).toBe("pytest");
  });

  test("go build failure named after its package", () => {
    const output = "# example.com/calc\n./calc.go:5:2: undefined: missing\nFAIL\texample.com/calc [build failed]\nFAIL\n";

    const report = parseTestReport({ output });

    expect(report.source).toBe("go-test");
    expect(report.failures).toEqual([{ name: "example.com/calc", message: "./calc.go:5:2: undefined: missing" }]);
  });

  test("long messages shortened", () => {
    const lines = Array.from({ length: 50 }, (_, index) => `  ${"x".repeat(40)} line ${index}`).join("\n");
    const output = `not ok 1 - huge\n  ---\n  message: |-\n${lines.replace(/^/gm, "    ")}\n  ...\n1..1\n`;

    const report = parseTestReport({ output });

    expect(report.failures[0]?.message.split("\n").length).toBeLessThanOrEqual(8);
    expect(report.failures[0]?.message.length).toBeLessThanOrEqual(600);
  });
});

describe("compareTestReports", () => {
  const report = (failing: string[], failed = failing.length): TestReport => ({
    source: "vitest",
    passed: 3,
    failed,
    skipped: 0,
    failures: failing.map((name) => ({ name, message: "" })),
  });

  test("newly failing, fixed and still failing", () => {
    const comparison = compareTestReports(report(["a", "b"]), report(["b", "c"]));

    expect(comparison).toEqual({ newlyFailing: ["c"], fixed: ["a"], stillFailing: ["b"] });
  });

  test("nothing to compare without names", () => {
    expect(compareTestReports({ source: "exit-code", failures: [] }, report(["a"]))).toBeUndefined();
    expect(compareTestReports(report(["a"]), report([], 3))).toBeUndefined();
  });

  test("baseline and later run from real output", () => {
    const baseline = parseTestReport({ output: fixture("vitest.txt") });
    const later = parseTestReport({ output: fixture("vitest.txt").replace(/ FAIL {2}calculator\.test\.js > calculator > divides by zero[\s\S]*?⎯\[2\/2\]⎯/, "") });

    expect(compareTestReports(baseline, later)?.fixed).toEqual(["calculator.test.js > calculator > divides by zero"]);
  });
});
