/** The facts about one finished candidate that selection ranks by. */
export interface CandidateSummary {
  id: string;
  approach: string;
  /** Unified diff of the candidate against the base commit. */
  diff: string;
  /** Whether the last test run after the candidate's edits exited successfully. */
  testsPassed: boolean;
  /** Names of the tests failing in that run; undefined when the runner's output gave no names. */
  failingTests?: string[];
  /** Whether the candidate's reproduction test for the issue passes; undefined when it wrote none. */
  reproductionPassed?: boolean;
}

export interface BaselineSummary {
  testsPassed: boolean;
  failingTests?: string[];
}

export interface RankedCandidate {
  candidate: CandidateSummary;
  /** Tests that fail now but passed on the base commit. */
  newFailures: string[];
  /** Tests that failed on the base commit and pass now. */
  fixedTests: string[];
  failingCount: number;
  changedLines: number;
  /** Ids of candidates with the same diff, up to whitespace, folded into this one. */
  duplicates: string[];
}

export interface Selection {
  ranking: RankedCandidate[];
  winner: RankedCandidate | undefined;
  /** One sentence for the pull request: why the winner won. */
  reason: string;
}

/**
 * Ranks finished candidates: no new failures against the baseline first, then a passing reproduction
 * test, then fewer failing tests, then the smaller diff. Candidates with no diff are left out, and
 * equal diffs (ignoring whitespace) count once.
 */
export function selectCandidate(candidates: CandidateSummary[], baseline: BaselineSummary): Selection {
  const ranking = deduplicate(candidates.filter((candidate) => candidate.diff.trim() !== "")).map((group) => {
    // Equal diffs can differ in what is known about them, such as one whose tests ran; the best-known one stands for all.
    const [best, ...others] = group.map((candidate) => rank(candidate, baseline)).sort(compareRanked) as [RankedCandidate, ...RankedCandidate[]];
    return { ...best, duplicates: others.map((other) => other.candidate.id) };
  });
  ranking.sort(compareRanked);
  const winner = ranking[0];
  return { ranking, winner, reason: explain(ranking) };
}

function rank(candidate: CandidateSummary, baseline: BaselineSummary): RankedCandidate {
  const failing = candidate.failingTests;
  const baselineFailing = new Set(baseline.failingTests ?? []);
  let newFailures: string[];
  if (failing && baseline.failingTests) {
    newFailures = failing.filter((name) => !baselineFailing.has(name));
  } else {
    // Without test names, a failing run counts as a new failure only when the base commit passed.
    newFailures = !candidate.testsPassed && baseline.testsPassed ? ["(the test command fails)"] : [];
  }
  const failingNow = new Set(failing ?? []);
  const fixedTests = failing ? [...baselineFailing].filter((name) => !failingNow.has(name)) : [];
  return {
    candidate,
    newFailures,
    fixedTests,
    failingCount: failingCountOf(candidate),
    changedLines: countChangedLines(candidate.diff),
    duplicates: [],
  };
}

function failingCountOf(candidate: CandidateSummary): number {
  if (candidate.failingTests) return candidate.failingTests.length;
  return candidate.testsPassed ? 0 : 1;
}

function compareRanked(left: RankedCandidate, right: RankedCandidate): number {
  return (
    Number(left.newFailures.length > 0) - Number(right.newFailures.length > 0) ||
    reproductionRank(left) - reproductionRank(right) ||
    left.failingCount - right.failingCount ||
    left.changedLines - right.changedLines ||
    left.candidate.id.localeCompare(right.candidate.id)
  );
}

function reproductionRank(ranked: RankedCandidate): number {
  return ranked.candidate.reproductionPassed === true ? 0 : 1;
}

function explain(ranking: RankedCandidate[]): string {
  const [winner, runnerUp] = ranking;
  if (!winner) return "No candidate changed any file.";
  const name = `Candidate ${winner.candidate.id} (${winner.candidate.approach})`;
  if (!runnerUp) return `${name} was the only candidate with a change.`;
  if (winner.newFailures.length === 0 && runnerUp.newFailures.length > 0) {
    return `${name} won because it breaks no test that passed before, while candidate ${runnerUp.candidate.id} breaks ${runnerUp.newFailures.length}.`;
  }
  if (reproductionRank(winner) < reproductionRank(runnerUp)) {
    return `${name} won because its reproduction test for the issue passes.`;
  }
  if (winner.failingCount < runnerUp.failingCount) {
    return `${name} won with ${winner.failingCount} failing tests against ${runnerUp.failingCount}.`;
  }
  return `${name} won with the smaller diff (${winner.changedLines} changed lines against ${runnerUp.changedLines}).`;
}

/** Groups candidates whose diffs are equal after whitespace is removed from every changed line. */
function deduplicate(candidates: CandidateSummary[]): CandidateSummary[][] {
  const groups = new Map<string, CandidateSummary[]>();
  for (const candidate of candidates) {
    const key = normaliseDiff(candidate.diff);
    const group = groups.get(key);
    if (group) group.push(candidate);
    else groups.set(key, [candidate]);
  }
  return [...groups.values()];
}

export function normaliseDiff(diff: string): string {
  return diff
    .split("\n")
    .filter((line) => /^[+-]/.test(line) && !/^(\+\+\+|---) /.test(line))
    .map((line) => line[0] + line.slice(1).replace(/\s+/g, ""))
    .filter((line) => line.length > 1)
    .join("\n");
}

export function countChangedLines(diff: string): number {
  return diff.split("\n").filter((line) => /^[+-]/.test(line) && !/^(\+\+\+|---) /.test(line)).length;
}
