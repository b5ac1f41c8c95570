import { summarizeMessage } from "./output-text.js";
import type { FailedTest, TestReport } from "./test-report.js";

/**
 * Parses Maven Surefire's console summary: the last `Tests run: N, Failures: N, Errors: N, Skipped: N`
 * line and the entries under `[ERROR] Failures:` and `[ERROR] Errors:`. Surefire marks an error entry
 * with `»`, which a JVM without a UTF-8 locale prints as `?`. The JUnit files that Surefire
 * writes carry more and are read first; this covers runs whose reports are missing.
 */
export function parseMavenOutput(output: string): TestReport | undefined {
  const totals = [...output.matchAll(/^\[(?:ERROR|WARNING|INFO)\] Tests run: (\d+), Failures: (\d+), Errors: (\d+), Skipped: (\d+)\s*$/gm)].at(-1);
  if (!totals) return undefined;
  const [run, failures, errors, skipped] = totals.slice(1).map(Number) as [number, number, number, number];
  return {
    source: "maven",
    passed: run - failures - errors - skipped,
    failed: failures + errors,
    skipped,
    failures: listedFailures(output),
  };
}

function listedFailures(output: string): FailedTest[] {
  const failures: FailedTest[] = [];
  let inList = false;
  for (const line of output.split("\n")) {
    if (/^\[ERROR\] (Failures|Errors): ?$/.test(line)) {
      inList = true;
      continue;
    }
    const entry = /^\[ERROR\] {3}(\S+?)(?::\d+)? (.*)$/.exec(line);
    if (inList && entry) failures.push({ name: entry[1] as string, message: summarizeMessage((entry[2] as string).replace(/^[»?] /, "")) });
    else if (inList && !/^\[ERROR\] {4,}/.test(line)) inList = false;
  }
  return failures;
}
