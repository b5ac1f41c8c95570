import { NO_END, splitBlocks, summarizeMessage } from "./output-text.js";
import type { TestReport } from "./test-report.js";

/**
 * Parses Gradle's console output of the `test` task: `Class > method FAILED` with the exception below
 * it, and the `N tests completed, N failed, N skipped` line. Gradle prints neither when every test
 * passes, and its JUnit files, read first, carry the assertion messages that the console leaves out.
 */
export function parseGradleOutput(output: string): TestReport | undefined {
  const totals = /^(\d+) tests? completed(?:, (\d+) failed)?(?:, (\d+) skipped)?\s*$/m.exec(output);
  if (!totals) return undefined;
  const [completed, failed, skipped] = [totals[1], totals[2], totals[3]].map((value) => Number(value ?? 0)) as [number, number, number];
  const failures = splitBlocks(output, /^(\S.* > \S.*) FAILED$/, NO_END).map(({ title, body }) => ({
    name: title,
    message: summarizeMessage(body.filter((line) => /^\s+\S/.test(line)).join("\n")),
  }));
  return { source: "gradle", passed: completed - failed - skipped, failed, skipped, failures };
}
