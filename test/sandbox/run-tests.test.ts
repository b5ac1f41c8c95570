import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { buildSandboxEnvironment } from "../../src/sandbox/environment.js";
import { runTests } from "../../src/sandbox/run-tests.js";
import { planTests } from "../../src/sandbox/test-command.js";
import { describeTestRun } from "../../src/sandbox/test-feedback.js";
import { BUGGY_PROJECT, writeFiles } from "../helpers/git-repository.js";
import { availableSandboxes, createRunFolders, type RunFolders } from "./sandbox-kinds.js";

const sandboxes = await availableSandboxes();

const CALCULATOR_TEST = `import assert from "node:assert/strict";
import { test } from "node:test";

test("adds", () => assert.equal(1 + 1, 2));
test("multiplies", () => assert.equal(2 * 3, 7));
test.skip("rounds", () => {});
`;

const OUTSIDE_REPORT = `<?xml version="1.0"?><testsuite><testcase classname="host" name="secret from the host"/></testsuite>`;

describe.each(sandboxes.map((sandbox) => [sandbox.kind, sandbox] as const))("runTests in %s sandbox", (_kind, sandbox) => {
  let folders: RunFolders;
  let worktree: string;
  let home: string;
  let environment: Record<string, string>;

  beforeEach(() => {
    folders = createRunFolders("magic-run-tests-");
    ({ worktree, home } = folders);
    writeFileSync(path.join(worktree, "calculator.test.mjs"), CALCULATOR_TEST);
    environment = buildSandboxEnvironment({ PATH: process.env.PATH }, home);
  });

  afterEach(() => folders.remove());

  test("TAP output parsed", async () => {
    const result = await runTests(sandbox, ["node", "--test", "--test-reporter=tap", "calculator.test.mjs"], { worktree, environment, timeoutMs: 30_000 });

    expect(result.passed).toBe(false);
    expect(result.report).toMatchObject({ source: "tap", passed: 1, failed: 1, skipped: 1 });
    expect(result.report.failures[0]?.name).toBe("multiplies");
    expect(result.report.failures[0]?.message).toContain("6 !== 7");
  });

  test("JUnit file in the run's home read", async () => {
    const report = path.join(home, ".magic-reports", "node.xml");
    const command = ["node", "--test", "--test-reporter=junit", `--test-reporter-destination=${report}`, "calculator.test.mjs"];

    const result = await runTests(sandbox, command, { worktree, environment, timeoutMs: 30_000, junitReports: [report] });

    expect(result.report).toMatchObject({ source: "junit", passed: 1, failed: 1, skipped: 1 });
    expect(result.report.failures[0]?.message).toContain("6 !== 7");
  });

  test("JUnit files found by glob in the worktree", async () => {
    const reports = path.join(worktree, "module", "target", "surefire-reports");
    mkdirSync(reports, { recursive: true });
    const stale = path.join(reports, "TEST-stale.xml");
    writeFileSync(stale, OUTSIDE_REPORT.replace("secret from the host", "stale test"));
    utimesSync(stale, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
    const command = ["node", "--test", "--test-reporter=junit", "--test-reporter-destination=module/target/surefire-reports/TEST-node.xml", "calculator.test.mjs"];

    const result = await runTests(sandbox, command, { worktree, environment, timeoutMs: 30_000, junitReports: ["**/target/surefire-reports/TEST-*.xml"] });

    expect(result.report).toMatchObject({ source: "junit", passed: 1, failed: 1, skipped: 1 });
  });

  test("symbolic links to host files not followed", async () => {
    const hostFile = path.join(folders.root, "host-report.xml");
    writeFileSync(hostFile, OUTSIDE_REPORT);
    const script = `mkdir -p target/surefire-reports && ln -s ${hostFile} target/surefire-reports/TEST-link.xml && echo 'plain output'`;

    const result = await runTests(sandbox, ["sh", "-c", script], { worktree, environment, timeoutMs: 30_000, junitReports: ["**/target/surefire-reports/TEST-*.xml"] });

    expect(result.passed).toBe(true);
    expect(result.report.source).toBe("exit-code");
  });

  test("report folder swapped for a link ignored", async () => {
    const reportFolder = path.join(home, ".magic-reports");
    const hostFolder = path.join(folders.root, "host-folder");
    mkdirSync(hostFolder);
    writeFileSync(path.join(hostFolder, "pytest-junit.xml"), OUTSIDE_REPORT);
    const script = `rm -rf "${reportFolder}" && ln -s ${hostFolder} "${reportFolder}"`;

    const result = await runTests(sandbox, ["sh", "-c", script], { worktree, environment, timeoutMs: 30_000, junitReports: [path.join(reportFolder, "pytest-junit.xml")] });

    expect(result.report.source).toBe("exit-code");
  });

  test("unknown output keeps the exit code and tail", async () => {
    const result = await runTests(sandbox, ["sh", "-c", "echo 'custom check went wrong'; exit 2"], { worktree, environment, timeoutMs: 30_000 });

    expect(result.exitCode).toBe(2);
    expect(result.report.source).toBe("exit-code");
    expect(result.outputTail).toContain("custom check went wrong");
  });

  test("timeout noted in the tail", async () => {
    const result = await runTests(sandbox, ["sleep", "30"], { worktree, environment, timeoutMs: 500 });

    expect(result.timedOut).toBe(true);
    expect(result.passed).toBe(false);
    expect(result.outputTail).toContain("timed out after 1 s");
  });

  test("detected plan, failing baseline, then a fix", async () => {
    const project = path.join(folders.root, "project");
    writeFiles(project, BUGGY_PROJECT);
    const plan = planTests(project, {}, { reportDirectory: path.join(home, ".magic-reports") });
    const options = { worktree: project, environment, timeoutMs: 60_000, runner: plan?.runner, junitReports: plan?.junitReports };

    const baseline = await runTests(sandbox, plan?.test ?? [], options);
    writeFiles(project, { "src/math.js": "export function add(a, b) {\n  return a + b;\n}\n" });
    const fixed = await runTests(sandbox, plan?.test ?? [], options);

    expect(plan?.test).toEqual(["npm", "test"]);
    expect(baseline.passed).toBe(false);
    expect(baseline.report.failures).toEqual([{ name: "add sums two numbers", message: expect.stringContaining("-1 !== 5") }]);
    expect(fixed.passed).toBe(true);
    expect(describeTestRun(fixed, baseline)).toContain("No longer failing: add sums two numbers.");
  });
});
