import type { TestReport } from "../sandbox/reports/test-report.js";
import { compareTestReports } from "../sandbox/reports/test-report.js";

import { type Approach, APPROACHES } from "../config/repo-config.js";

export type { Approach } from "../config/repo-config.js";

/** Assigns the approaches in turn, so that two candidates try two different ways to the fix. */
export function approachFor(candidateIndex: number, approaches: readonly Approach[] = APPROACHES): Approach {
  return approaches[candidateIndex % approaches.length] as Approach;
}

/** Returns the first message of a candidate's own conversation, which follows the shared prefix. */
export function approachInstruction(approach: Approach, candidateIndex: number): string {
  const variant = candidateIndex >= 2 ? " Other candidates try the obvious fix, so consider other causes first." : "";
  const name = `You are candidate ${candidateIndex + 1}.`;
  if (approach === "direct") {
    return `${name} Fix the issue. Read the code you need, edit it, and run the tests until they pass. Call finish when done.${variant}`;
  }
  return (
    `${name} Work in two phases. ` +
    "First, reproduce the issue: add or extend a test that fails because of the issue, " +
    "changing test files only, and run it with run_tests. The app checks that it fails on the unchanged code. " +
    `Then fix the code until that test and the rest of the suite pass. Call finish when done.${variant}`
  );
}

export const FIX_PHASE_INSTRUCTION =
  "The reproduction is confirmed: your new test fails on the unchanged code. Now fix the code so that it passes, without weakening the test.";

/** Paths that hold tests by the common conventions of JavaScript, Python, Go, Rust, Java and Ruby. */
export function isTestPath(relativePath: string): boolean {
  const normalised = relativePath.replace(/\\/g, "/").toLowerCase();
  if (/(^|\/)(test|tests|spec|specs|__tests__|testing|testdata)\//.test(normalised)) return true;
  const name = normalised.slice(normalised.lastIndexOf("/") + 1);
  return /[._-](test|spec)s?\.[a-z0-9]+$/.test(name) || /^test_.*\.py$/.test(name) || /_test\.(go|py|rb)$/.test(name);
}

export type ReproductionCheck =
  | { kind: "confirmed"; tests: string[] }
  | { kind: "not-failing"; message: string };

/**
 * Checks a test run made while only test files were changed: the reproduction holds when some test
 * fails that passed on the base commit. Without test names, a suite that passed before and fails now counts.
 */
export function checkReproduction(baseline: { passed: boolean; report: TestReport }, current: { passed: boolean; report: TestReport }): ReproductionCheck {
  const comparison = compareTestReports(baseline.report, current.report);
  if (comparison && comparison.newlyFailing.length > 0) return { kind: "confirmed", tests: comparison.newlyFailing };
  if (!comparison && baseline.passed && !current.passed) return { kind: "confirmed", tests: [] };
  return {
    kind: "not-failing",
    message:
      "No test fails that passed on the unchanged code, so the issue is not reproduced yet. " +
      "Write a test that fails because of the issue (it must fail now and pass after the fix), then run it.",
  };
}
