import { summarizeMessage } from "./output-text.js";
import type { FailedTest, TestReport } from "./test-report.js";

const RESULT_LINE = /^(\s*)--- (PASS|FAIL|SKIP): (\S+) \([\d.]+s\)/;
const RUN_LINE = /^=== (?:RUN|CONT|PAUSE|NAME)\s+(\S+)/;
const PACKAGE_LINE = /^(ok|FAIL|---)\s+\S+/;

/**
 * Parses `go test` output, plain or with `-v`. Log lines are matched to the test named last, which is
 * the test that printed them in both modes: `-v` prints them after `=== RUN`, plain mode after
 * `--- FAIL`. A test whose subtest failed is left out, because the subtest names the failure. Packages
 * that did not build become failures named after the package, with the compiler's errors.
 */
export function parseGoTestOutput(output: string): TestReport | undefined {
  if (!/^(--- (FAIL|PASS|SKIP): |=== RUN |ok {2}\t|FAIL\t)/m.test(output)) return undefined;
  const results = new Map<string, "PASS" | "FAIL" | "SKIP">();
  const logs = new Map<string, string[]>();
  let current: string | undefined;

  for (const line of output.split("\n")) {
    const result = RESULT_LINE.exec(line);
    const run = RUN_LINE.exec(line);
    if (result) {
      current = result[3] as string;
      results.set(current, result[2] as "PASS" | "FAIL" | "SKIP");
    } else if (run) {
      current = run[1] as string;
    } else if (current && (/^\s+\S/.test(line) || line.startsWith("panic: ")) && !PACKAGE_LINE.test(line)) {
      logs.set(current, [...(logs.get(current) ?? []), line]);
    } else if (PACKAGE_LINE.test(line)) {
      current = undefined;
    }
  }

  const failing = [...results].filter(([, status]) => status === "FAIL").map(([name]) => name);
  const leaves = failing.filter((name) => !failing.some((other) => other.startsWith(`${name}/`)));
  const failures: FailedTest[] = [
    ...leaves.map((name) => ({ name, message: summarizeMessage((logs.get(name) ?? []).join("\n")) })),
    ...buildFailures(output),
  ];
  const count = (status: string) => [...results.values()].filter((value) => value === status).length;
  const verbose = /^=== RUN /m.test(output);
  return {
    source: "go-test",
    passed: verbose ? count("PASS") : undefined,
    failed: failures.length,
    skipped: verbose ? count("SKIP") : undefined,
    failures,
  };
}

/** Reads `FAIL pkg [build failed]` packages and the compiler errors printed under `# pkg`. */
function buildFailures(output: string): FailedTest[] {
  const failures: FailedTest[] = [];
  for (const match of output.matchAll(/^FAIL\s+(\S+)\s+\[(build failed|setup failed)\]/gm)) {
    const packagePath = match[1] as string;
    const section = new RegExp(`^# ${escapeRegExp(packagePath)}(?: \\[.*\\])?\\n((?:(?!# |FAIL|ok ).*\\n?)*)`, "m").exec(output);
    failures.push({ name: packagePath, message: summarizeMessage(section?.[1] ?? match[2] ?? "") });
  }
  return failures;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
