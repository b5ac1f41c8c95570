import { describe, expect, test } from "vitest";
import type { CandidateResult } from "../../src/agent/candidate.js";
import { Progress } from "../../src/local/progress.js";
import { candidateLine } from "../../src/run/work-on-issue.js";
import { parseTestReport } from "../../src/sandbox/reports/parse-report.js";

function stream(isTTY: boolean) {
  const writes: string[] = [];
  return { writes, output: { isTTY, columns: 200, write: (text: string) => void writes.push(text) } };
}

const CANDIDATES = [{ id: "1", approach: "direct", steps: 2, tests: "failing (1 test)" }];

describe("progress display", () => {
  test("terminal redraws one line", () => {
    const { writes, output } = stream(true);
    const progress = new Progress(output);

    progress.onStatus({ phase: "baseline" });
    progress.onEvent({ type: "command", at: "", place: "candidate 1", command: ["npm", "test"], durationMs: 1200, exitCode: 1, timedOut: false });
    progress.onStatus({ phase: "attempt", candidates: CANDIDATES, spend: { usd: 0.0123, usdLimit: 2 } });
    progress.finish();

    expect(writes.every((text) => text.startsWith("\r\x1b[2K") || text === "\n")).toBe(true);
    expect(writes.at(-2)).toContain("run attempt | candidate 1 (direct) step 2: failing (1 test) | 0 model calls | 1 command | $0.0123 of $2.00");
    expect(writes.at(-1)).toBe("\n");
  });

  test("pipe gets plain lines", () => {
    const { writes, output } = stream(false);
    const progress = new Progress(output);

    progress.onStatus({ phase: "baseline" });
    progress.onEvent({ type: "command", at: "", place: "candidate 1", command: ["npm", "test"], durationMs: 1200, exitCode: 1, timedOut: false });
    progress.onStatus({ phase: "attempt", candidates: CANDIDATES });
    progress.onStatus({ phase: "attempt", candidates: CANDIDATES });
    progress.finish();

    expect(writes).toEqual(["run: phase baseline\n", "run: command in candidate 1: exit 1 after 1.2s\n", "run: phase attempt\n", "run: candidate 1 (direct) step 2: failing (1 test)\n"]);
  });

  test("candidate line counts failing tests", () => {
    const output = "TAP version 13\nnot ok 1 - adds\n  ---\n  error: 'wrong'\n  ...\n1..1\n";
    const finalTest = { passed: false, exitCode: 1, timedOut: false, outputTail: output, durationMs: 10, report: parseTestReport({ output }) };
    const base = { id: "1", approach: "direct", stopReason: "step-limit", steps: [], untestedChanges: false } as unknown as CandidateResult;

    expect(candidateLine(base).tests).toBe("tests not run yet");
    expect(candidateLine({ ...base, finalTest } as CandidateResult).tests).toBe("failing (1 test)");
  });
});
