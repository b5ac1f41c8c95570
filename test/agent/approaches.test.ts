import { describe, expect, test } from "vitest";
import { approachFor, checkReproduction, isTestPath } from "../../src/agent/approaches.js";
import type { TestReport } from "../../src/sandbox/reports/test-report.js";

function report(failing: string[], source: TestReport["source"] = "node-test"): TestReport {
  return { source, failed: failing.length, failures: failing.map((name) => ({ name, message: "" })) };
}

describe("approaches", () => {
  test("approaches alternate by default", () => {
    expect([0, 1, 2, 3].map((index) => approachFor(index))).toEqual(["direct", "reproduce-first", "direct", "reproduce-first"]);
    expect([0, 1].map((index) => approachFor(index, ["direct"]))).toEqual(["direct", "direct"]);
  });

  test.each([
    ["test/math.test.js", true],
    ["src/__tests__/parser.ts", true],
    ["tests/test_parser.py", true],
    ["pkg/parser_test.go", true],
    ["spec/models/user_spec.rb", true],
    ["src/math.spec.ts", true],
    ["src/math.js", false],
    ["src/testing_utils.py", false],
    ["README.md", false],
  ])("test path %s is %s", (file, expected) => {
    expect(isTestPath(file)).toBe(expected);
  });

  test("new failing test confirms reproduction", () => {
    const check = checkReproduction({ passed: false, report: report(["old"]) }, { passed: false, report: report(["old", "issue 12"]) });

    expect(check).toEqual({ kind: "confirmed", tests: ["issue 12"] });
  });

  test("no new failure is not a reproduction", () => {
    const check = checkReproduction({ passed: false, report: report(["old"]) }, { passed: false, report: report(["old"]) });

    expect(check.kind).toBe("not-failing");
  });

  test("exit code confirms without names", () => {
    const check = checkReproduction({ passed: true, report: report([], "exit-code") }, { passed: false, report: report([], "exit-code") });

    expect(check).toEqual({ kind: "confirmed", tests: [] });
  });
});
