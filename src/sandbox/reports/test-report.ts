/** Test runners whose output or report files the app can read. */
export type TestRunnerName =
  | "jest"
  | "vitest"
  | "mocha"
  | "node-test"
  | "pytest"
  | "go-test"
  | "cargo-test"
  | "maven"
  | "gradle"
  | "make";

/** Origin of a report's numbers; `exit-code` means that the output was in no known format. */
export type ReportSource = "junit" | "tap" | Exclude<TestRunnerName, "make"> | "exit-code";

export interface FailedTest {
  /** The test's name as its runner reports it, with suites joined by " > ", such as `calculator > adds`. */
  name: string;
  /** The first lines of the assertion message or error, without stack frames; empty when the runner printed none. */
  message: string;
}

/** A test run's results as the runner reported them. */
export interface TestReport {
  source: ReportSource;
  /** Counts; undefined where the format does not state them, such as passing tests in plain `go test` output. */
  passed?: number;
  failed?: number;
  skipped?: number;
  failures: FailedTest[];
  /** Names of the passing tests, in the same form as failure names; present only for formats that list them (JUnit, TAP, `pytest -rA`). */
  passedTests?: string[];
}

export function exitCodeReport(): TestReport {
  return { source: "exit-code", failures: [] };
}

/** True when a report carries anything beyond the exit code. */
export function hasFindings(report: TestReport): boolean {
  return report.failures.length > 0 || report.passed !== undefined || report.failed !== undefined || report.skipped !== undefined;
}

/** Differences between a baseline run and a later run of the same tests. */
export interface TestComparison {
  /** Tests that fail now but did not fail in the baseline. */
  newlyFailing: string[];
  /** Tests that failed in the baseline and no longer fail. */
  fixed: string[];
  stillFailing: string[];
}

/**
 * Compares the failing tests of two runs by name. Returns undefined when either report has no test
 * names, or when the later run named none of its failures (a build error, for example), because then
 * a missing name does not mean a fixed test.
 */
export function compareTestReports(baseline: TestReport, current: TestReport): TestComparison | undefined {
  if (baseline.source === "exit-code" || current.source === "exit-code") return undefined;
  if ((current.failed ?? 0) > 0 && current.failures.length === 0) return undefined;
  const before = new Set(baseline.failures.map((failure) => failure.name));
  const now = new Set(current.failures.map((failure) => failure.name));
  return {
    newlyFailing: [...now].filter((name) => !before.has(name)),
    fixed: [...before].filter((name) => !now.has(name)),
    stillFailing: [...now].filter((name) => before.has(name)),
  };
}

/** Adds up reports of one run, such as one JUnit file per test class. */
export function mergeReports(source: ReportSource, reports: TestReport[]): TestReport {
  const sum = (pick: (report: TestReport) => number | undefined) => {
    const values = reports.map(pick).filter((value): value is number => value !== undefined);
    return values.length > 0 ? values.reduce((total, value) => total + value, 0) : undefined;
  };
  return {
    source,
    passed: sum((report) => report.passed),
    failed: sum((report) => report.failed),
    skipped: sum((report) => report.skipped),
    failures: reports.flatMap((report) => report.failures),
    passedTests: reports.every((report) => report.passedTests) ? reports.flatMap((report) => report.passedTests ?? []) : undefined,
  };
}
