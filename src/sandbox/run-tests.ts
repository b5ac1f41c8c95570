import { ReportFiles } from "./report-files.js";
import { parseTestReport } from "./reports/parse-report.js";
import type { TestReport, TestRunnerName } from "./reports/test-report.js";
import type { Sandbox, SandboxLimits, SandboxResult } from "./sandbox.js";

export interface TestResult {
  passed: boolean;
  timedOut: boolean;
  exitCode: number | null;
  /** The end of the output, where runners print failures and summaries. */
  outputTail: string;
  durationMs: number;
  /** Counts and failing tests read from the runner's JUnit files or output; `exit-code` when neither was readable. */
  report: TestReport;
}

const TAIL_CHARACTERS = 4_000;

export interface TestRunOptions {
  worktree: string;
  environment: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
  /** The runner the command starts, from the test plan; its output parser is tried first. */
  runner?: TestRunnerName;
  /** JUnit XML files the command writes, from the test plan: absolute paths, or globs relative to the worktree. */
  junitReports?: string[];
  limits?: SandboxLimits;
}

/** Runs the test command in the sandbox, without network, and reduces the result to what the model needs. */
export async function runTests(sandbox: Sandbox, command: string[], options: TestRunOptions): Promise<TestResult> {
  const reportFiles = options.junitReports?.length ? await ReportFiles.prepare(options.worktree, options.junitReports) : undefined;
  const result = await sandbox.run(command, {
    cwd: options.worktree,
    env: options.environment,
    timeoutMs: options.timeoutMs,
    network: false,
    limits: options.limits,
    signal: options.signal,
  });
  const junitDocuments = reportFiles ? await reportFiles.read() : [];
  const report = parseTestReport({ output: result.output, junitDocuments, runner: options.runner });
  return toTestResult(result, options.timeoutMs, report);
}

/** Reduces a sandbox result to a test result; without a report, the output is parsed for one. */
export function toTestResult(result: SandboxResult, timeoutMs: number, report?: TestReport): TestResult {
  const tail = result.output.length > TAIL_CHARACTERS ? result.output.slice(-TAIL_CHARACTERS) : result.output;
  const timeoutNote = result.timedOut ? `\n[the test command timed out after ${Math.round(timeoutMs / 1000)} s and was killed]` : "";
  return {
    passed: result.exitCode === 0 && !result.timedOut,
    timedOut: result.timedOut,
    exitCode: result.exitCode,
    outputTail: tail + timeoutNote,
    durationMs: result.durationMs,
    report: report ?? parseTestReport({ output: result.output }),
  };
}
