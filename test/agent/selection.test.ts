import { describe, expect, test } from "vitest";
import { countChangedLines, normaliseDiff, selectCandidate, type CandidateSummary } from "../../src/agent/selection.js";

function diffOf(...lines: string[]): string {
  return ["diff --git a/a.js b/a.js", "--- a/a.js", "+++ b/a.js", "@@ -1 +1 @@", ...lines].join("\n");
}

function candidate(id: string, overrides: Partial<CandidateSummary>): CandidateSummary {
  return { id, approach: "direct", diff: diffOf("-a", "+b"), testsPassed: true, failingTests: [], ...overrides };
}

describe("selectCandidate", () => {
  test("new failures lose first", () => {
    const breaking = candidate("1", { testsPassed: false, failingTests: ["old bug", "unrelated"], diff: diffOf("-a", "+b") });
    const clean = candidate("2", { testsPassed: false, failingTests: ["old bug"], diff: diffOf("-a", "+c", "+d", "+e") });

    const selection = selectCandidate([breaking, clean], { testsPassed: false, failingTests: ["old bug"] });

    expect(selection.winner?.candidate.id).toBe("2");
    expect(selection.ranking[1]?.newFailures).toEqual(["unrelated"]);
    expect(selection.reason).toContain("breaks no test that passed before");
  });

  test("reproduction test passing wins next", () => {
    const direct = candidate("1", { reproductionPassed: undefined, diff: diffOf("-a", "+b") });
    const reproduced = candidate("2", { approach: "reproduce-first", reproductionPassed: true, diff: diffOf("-a", "+b", "+c") });

    const selection = selectCandidate([direct, reproduced], { testsPassed: true, failingTests: [] });

    expect(selection.winner?.candidate.id).toBe("2");
    expect(selection.reason).toContain("reproduction test");
  });

  test("fewer failing tests win", () => {
    const worse = candidate("1", { testsPassed: false, failingTests: ["a", "b"] });
    const better = candidate("2", { testsPassed: false, failingTests: ["a"], diff: diffOf("-x", "+y", "+z") });

    const selection = selectCandidate([worse, better], { testsPassed: false, failingTests: ["a", "b", "c"] });

    expect(selection.winner?.candidate.id).toBe("2");
    expect(selection.winner?.fixedTests.sort()).toEqual(["b", "c"]);
  });

  test("smaller diff breaks ties", () => {
    const large = candidate("1", { diff: diffOf("-a", "+b", "+c", "+d") });
    const small = candidate("2", { diff: diffOf("-a", "+q") });

    const selection = selectCandidate([large, small], { testsPassed: true, failingTests: [] });

    expect(selection.winner?.candidate.id).toBe("2");
    expect(selection.reason).toContain("smaller diff");
  });

  test("equal diffs counted once", () => {
    const first = candidate("1", { diff: diffOf("-a", "+if (x) {  return 1; }") });
    const second = candidate("2", { diff: diffOf("-a", "+if (x) { return 1; }") });

    const selection = selectCandidate([first, second], { testsPassed: true, failingTests: [] });

    expect(selection.ranking).toHaveLength(1);
    expect(selection.ranking[0]?.duplicates).toEqual(["2"]);
  });

  test("equal diffs keep the tested one", () => {
    const untested = candidate("1", { testsPassed: false, failingTests: ["a"] });
    const tested = candidate("2", { testsPassed: true, failingTests: [] });

    const selection = selectCandidate([untested, tested], { testsPassed: false, failingTests: ["a"] });

    expect(selection.winner?.candidate.id).toBe("2");
    expect(selection.winner?.duplicates).toEqual(["1"]);
  });

  test("empty diffs left out", () => {
    const selection = selectCandidate([candidate("1", { diff: "" })], { testsPassed: true, failingTests: [] });

    expect(selection.winner).toBeUndefined();
    expect(selection.reason).toBe("No candidate changed any file.");
  });

  test("unknown names use exit status", () => {
    const failing = candidate("1", { testsPassed: false, failingTests: undefined });
    const passing = candidate("2", { testsPassed: true, failingTests: undefined, diff: diffOf("-a", "+b", "+c") });

    const selection = selectCandidate([failing, passing], { testsPassed: true });

    expect(selection.winner?.candidate.id).toBe("2");
    expect(selection.ranking[1]?.newFailures).toHaveLength(1);
  });

  test("diff helpers ignore headers", () => {
    const diff = diffOf("-a b", "+a  b", " context");

    expect(countChangedLines(diff)).toBe(2);
    expect(normaliseDiff(diff)).toBe("-ab\n+ab");
  });
});
