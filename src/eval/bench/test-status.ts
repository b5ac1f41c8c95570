import type { TestResult } from "../../sandbox/run-tests.js";

/** Whether one named test passed in a run, and how that was decided. */
export interface NamedTestOutcome {
  name: string;
  passed: boolean;
}

/**
 * Decides whether each named test passed in a run. Names match exactly as the runner reports them
 * (suites joined by " > "). A test passes when the report lists it as passing. For runners whose
 * output names only failures, it passes when the run named every failure and it is not among them.
 * When the run's output gave no test names at all, every test passes or fails with the whole run.
 */
export function namedTestOutcomes(result: TestResult, names: string[]): NamedTestOutcome[] {
  const report = result.report;
  if (report.passedTests) {
    const passing = new Set(report.passedTests);
    const failing = new Set(report.failures.map((failure) => failure.name));
    return names.map((name) => ({ name, passed: passing.has(name) && !failing.has(name) }));
  }
  if (report.source === "exit-code") return names.map((name) => ({ name, passed: result.passed }));
  const failing = new Set(report.failures.map((failure) => failure.name));
  const everyFailureNamed = report.failures.length >= (report.failed ?? 0);
  return names.map((name) => ({ name, passed: everyFailureNamed && !result.timedOut && !failing.has(name) }));
}

/** Names of the tests that passed in a run, when the report lists them. */
export function passingTestNames(result: TestResult): string[] | undefined {
  if (!result.report.passedTests) return undefined;
  const failing = new Set(result.report.failures.map((failure) => failure.name));
  return [...new Set(result.report.passedTests)].filter((name) => !failing.has(name));
}
