import { parseCargoTestOutput } from "./cargo-test.js";
import { parseGoTestOutput } from "./go-test.js";
import { parseGradleOutput } from "./gradle.js";
import { parseJestOutput, parseMochaOutput, parseNodeSpecOutput, parseVitestOutput } from "./javascript-runners.js";
import { parseJUnitDocuments } from "./junit.js";
import { parseMavenOutput } from "./maven.js";
import { stripAnsi } from "./output-text.js";
import { parsePytestOutput } from "./pytest.js";
import { parseTap } from "./tap.js";
import { exitCodeReport, hasFindings, type TestReport, type TestRunnerName } from "./test-report.js";

type OutputParser = (output: string) => TestReport | undefined;

/** Parsers of runner summaries, tried in this order unless a runner is known; more specific formats come first. */
const SUMMARY_PARSERS: Array<[TestRunnerName, OutputParser]> = [
  ["vitest", parseVitestOutput],
  ["jest", parseJestOutput],
  ["mocha", parseMochaOutput],
  ["node-test", parseNodeSpecOutput],
  ["pytest", parsePytestOutput],
  ["cargo-test", parseCargoTestOutput],
  ["go-test", parseGoTestOutput],
  ["maven", parseMavenOutput],
  ["gradle", parseGradleOutput],
];

export interface ReportInputs {
  /** Output of the test command, possibly cut in the middle by the sandbox's output cap. */
  output: string;
  /** Contents of the JUnit XML files the run wrote. */
  junitDocuments?: string[];
  /** The runner the command starts, when detection found it; its parser is tried first. */
  runner?: TestRunnerName;
}

/**
 * Reads a test run's results from JUnit XML when the run wrote any, else from TAP in its output, else
 * from the summary lines of a known runner. Output in no known format gives an `exit-code` report, and
 * the caller falls back to the exit code and the end of the output.
 */
export function parseTestReport(inputs: ReportInputs): TestReport {
  const junit = inputs.junitDocuments?.length ? parseJUnitDocuments(inputs.junitDocuments) : undefined;
  if (junit && hasTests(junit)) return junit;

  const output = stripAnsi(inputs.output);
  const tap = parseTap(output);
  if (tap) return tap;

  const preferred = SUMMARY_PARSERS.filter(([runner]) => runner === inputs.runner);
  const others = SUMMARY_PARSERS.filter(([runner]) => runner !== inputs.runner);
  for (const [, parse] of [...preferred, ...others]) {
    const report = parse(output);
    if (report && hasFindings(report)) return report;
  }
  return exitCodeReport();
}

function hasTests(report: TestReport): boolean {
  return (report.passed ?? 0) + (report.failed ?? 0) + (report.skipped ?? 0) > 0;
}
