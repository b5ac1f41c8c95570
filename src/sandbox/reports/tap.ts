import { Parser } from "tap-parser";
import { summarizeMessage } from "./output-text.js";
import type { TestReport } from "./test-report.js";

type TapEvent = [string, unknown];

interface TapAssert {
  ok: boolean;
  name: string;
  fullname?: string;
  skip: boolean | string;
  todo: boolean | string;
  diag: Record<string, unknown> | null;
}

/** True when the output looks like TAP: a version line, or a plan and at least one test point. */
export function looksLikeTap(output: string): boolean {
  if (/^TAP version \d+\s*$/m.test(output)) return true;
  return /^1\.\.\d+\s*$/m.test(output) && /^(not )?ok \d+\b/m.test(output);
}

/**
 * Parses TAP 13 or 14, as written by Node's test runner (the default reporter without a terminal on
 * Node 20), Vitest's tap reporter and Mocha's tap reporter. Only leaf test points count: a point whose
 * subtest comes just before it is the summary of that subtest.
 */
export function parseTap(output: string): TestReport | undefined {
  if (!looksLikeTap(output)) return undefined;
  const report: TestReport = { source: "tap", passed: 0, failed: 0, skipped: 0, failures: [], passedTests: [] };
  collectAsserts(Parser.parse(output) as TapEvent[], report);
  const total = (report.passed ?? 0) + (report.failed ?? 0) + (report.skipped ?? 0);
  return total > 0 ? report : undefined;
}

function collectAsserts(events: TapEvent[], report: TestReport): void {
  for (let index = 0; index < events.length; index++) {
    const [type, data] = events[index] as TapEvent;
    if (type === "child") {
      collectAsserts(data as TapEvent[], report);
      continue;
    }
    if (type !== "assert") continue;
    if (events[index - 1]?.[0] === "child") continue;
    const point = data as TapAssert;
    if (point.skip || point.todo) {
      report.skipped = (report.skipped ?? 0) + 1;
    } else if (point.ok) {
      report.passed = (report.passed ?? 0) + 1;
      report.passedTests?.push(point.fullname || point.name || "(unnamed test)");
    } else {
      report.failed = (report.failed ?? 0) + 1;
      report.failures.push({ name: point.fullname || point.name || "(unnamed test)", message: diagnosticMessage(point, extraLinesAfter(events, index)) });
    }
  }
}

/** Lines that are not TAP and follow a test point; Mocha's tap reporter prints its messages that way. */
function extraLinesAfter(events: TapEvent[], index: number): string {
  const lines: string[] = [];
  for (let next = index + 1; next < events.length && events[next]?.[0] === "extra"; next++) lines.push(String(events[next]?.[1]));
  return lines.join("");
}

/** Reads the message from the YAML diagnostics: Node writes `error` and `name`, Vitest `error.message`, others `message`. */
function diagnosticMessage(point: TapAssert, extra: string): string {
  const diag = point.diag ?? {};
  const error = diag.error;
  if (error && typeof error === "object") {
    const { name, message } = error as { name?: unknown; message?: unknown };
    return summarizeMessage(name ? `${String(name)}: ${String(message ?? "")}` : String(message ?? ""));
  }
  if (typeof error === "string") return summarizeMessage(typeof diag.name === "string" ? `${diag.name}: ${error}` : error);
  if (typeof diag.message === "string") return summarizeMessage(diag.message);
  return summarizeMessage(extra);
}
