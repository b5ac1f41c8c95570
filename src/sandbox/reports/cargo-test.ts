import { summarizeMessage } from "./output-text.js";
import type { FailedTest, TestReport } from "./test-report.js";

/**
 * Parses `cargo test` (libtest) output: the `test result:` line of every test binary, summed, and the
 * `---- name stdout ----` sections with each failing test's panic message.
 */
export function parseCargoTestOutput(output: string): TestReport | undefined {
  const results = [...output.matchAll(/^test result: \w+\. (\d+) passed; (\d+) failed; (\d+) ignored/gm)];
  const lines = [...output.matchAll(/^test (\S+) \.\.\. (ok|FAILED|ignored)/gm)];
  if (results.length === 0 && lines.length === 0) return undefined;

  const failedNames = lines.filter((line) => line[2] === "FAILED").map((line) => line[1] as string);
  const failures: FailedTest[] = failedNames.map((name) => ({ name, message: summarizeMessage(panicMessage(output, name)) }));
  const sum = (group: number) => results.reduce((total, result) => total + Number(result[group]), 0);
  return {
    source: "cargo-test",
    passed: results.length > 0 ? sum(1) : lines.filter((line) => line[2] === "ok").length,
    failed: results.length > 0 ? sum(2) : failedNames.length,
    skipped: results.length > 0 ? sum(3) : lines.filter((line) => line[2] === "ignored").length,
    failures,
  };
}

/** Returns the captured output of a failed test, from its `panicked at` line to the backtrace note. */
function panicMessage(output: string, name: string): string {
  const start = output.indexOf(`---- ${name} stdout ----`);
  if (start === -1) return "";
  const rest = output.slice(start).split("\n").slice(1);
  const end = rest.findIndex((line) => line.startsWith("---- ") || line === "failures:" || /^(note: |stack backtrace:)/.test(line));
  return (end === -1 ? rest : rest.slice(0, end)).join("\n");
}
