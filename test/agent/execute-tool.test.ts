import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { Budget } from "../../src/agent/budget.js";
import { executeTool, type ToolContext } from "../../src/agent/tools/execute-tool.js";
import { ProcessSandbox } from "../../src/sandbox/process-sandbox.js";
import type { TestResult } from "../../src/sandbox/run-tests.js";

const BASELINE: TestResult = { passed: true, timedOut: false, exitCode: 0, outputTail: "", durationMs: 1, report: { source: "exit-code", failures: [] } };

function context(overrides: Partial<ToolContext> = {}, testRuns = 5): ToolContext {
  const directory = mkdtempSync(path.join(tmpdir(), "magic-tool-"));
  mkdirSync(path.join(directory, "src"));
  mkdirSync(path.join(directory, "test"));
  writeFileSync(path.join(directory, "src/math.js"), "export const add = (a, b) => a - b;\n");
  writeFileSync(path.join(directory, "test/check.sh"), "grep -q 'a + b' src/math.js\n");
  const budget = new Budget({ usd: 1, inputTokens: 1e6, outputTokens: 1e5, durationMs: 60_000, testRuns, modelCalls: 10 });
  return {
    workspace: { id: "1", directory, plan: { test: ["sh", "test/check.sh"], source: "config" }, environment: { PATH: process.env.PATH ?? "" }, diff: async () => "" },
    tests: { sandbox: new ProcessSandbox(), budget, timeoutMs: 10_000 },
    protectedPaths: [".github/workflows/**"],
    baseline: BASELINE,
    testFilesOnly: false,
    ...overrides,
  };
}

describe("executeTool", () => {
  test("invalid arguments named", async () => {
    const outcome = await executeTool("read_file", { start_line: 0 }, context());

    expect(outcome.output).toContain("Invalid arguments for read_file");
    expect(outcome.output).toContain("path");
    expect(outcome.output).toContain("start_line");
  });

  test("unknown tool listed", async () => {
    const outcome = await executeTool("rm_rf", {}, context());

    expect(outcome.output).toContain("Unknown tool rm_rf");
  });

  test("edit then tests pass", async () => {
    const tools = context();

    const edited = await executeTool("edit_file", { path: "src/math.js", search: "a - b", replace: "a + b" }, tools);
    const tested = await executeTool("run_tests", {}, tools);

    expect(edited.changedFiles).toEqual(["src/math.js"]);
    expect(readFileSync(path.join(tools.workspace.directory, "src/math.js"), "utf8")).toContain("a + b");
    expect(tested.test?.result.passed).toBe(true);
    expect(tested.test?.fullSuite).toBe(true);
    expect(tools.tests.budget.spent.testRuns).toBe(1);
  });

  test("reproduce phase keeps to test files", async () => {
    const outcome = await executeTool("write_file", { path: "src/math.js", content: "changed\n" }, context({ testFilesOnly: true }));

    expect(outcome.output).toContain("change test files only");
    expect(outcome.changedFiles).toBeUndefined();
  });

  test("spent test budget refuses", async () => {
    const tools = context({}, 1);
    await executeTool("run_tests", {}, tools);

    const outcome = await executeTool("run_tests", {}, tools);

    expect(outcome.refusal).toBe("budget:test-runs");
    expect(outcome.output).toContain("budget is spent");
  });

  test("config command runs whole suite", async () => {
    const outcome = await executeTool("run_tests", { paths: ["test/check.sh"] }, context());

    expect(outcome.output).toContain("cannot run single files");
    expect(outcome.test?.fullSuite).toBe(true);
  });

  test("test path outside rejected", async () => {
    const outcome = await executeTool("run_tests", { paths: ["../elsewhere.test.js"] }, context());

    expect(outcome.output).toContain("Invalid test path");
    expect(outcome.test).toBeUndefined();
  });

  test("finish carries the summary", async () => {
    const outcome = await executeTool("finish", { summary: "Fixed add." }, context());

    expect(outcome.finished).toBe("Fixed add.");
  });
});

describe("edit_file", () => {
  test("unique part of a line replaced", async () => {
    const tools = context();

    const outcome = await executeTool("edit_file", { path: "src/math.js", search: "a - b", replace: "a + b" }, tools);

    expect(outcome.changedFiles).toEqual(["src/math.js"]);
    expect(readFileSync(path.join(tools.workspace.directory, "src/math.js"), "utf8")).toBe("export const add = (a, b) => a + b;\n");
  });

  test("repeated part of a line rejected", async () => {
    const tools = context();

    const outcome = await executeTool("edit_file", { path: "src/math.js", search: "a", replace: "x" }, tools);

    expect(outcome.output).toContain("The edit was not applied");
    expect(readFileSync(path.join(tools.workspace.directory, "src/math.js"), "utf8")).toContain("a - b");
  });
});
