import { STATUS_MARKER } from "../publish/github-gateway.js";

export type RunPhase =
  | "queued"
  | "preparing"
  | "indexing"
  | "baseline"
  | "attempt"
  | "selecting"
  | "publishing"
  | "done"
  | "failed"
  | "cancelled"
  | "out-of-budget";

/** One candidate's progress for the status comment. */
export interface CandidateLine {
  id: string;
  approach: string;
  steps: number;
  /** `passing`, `failing (3 tests)`, or `tests not run yet`. */
  tests: string;
}

export interface StatusView {
  phase: RunPhase;
  /** Short description of the comment, review or command that started the run. */
  round?: string;
  candidates?: CandidateLine[];
  /** Dollars spent against the run's limit. */
  spend?: { usd: number; usdLimit: number };
  /** One or two sentences for the reader, such as what failed and what to do. */
  detail?: string;
  branch?: string;
  pullRequestUrl?: string;
  tokens?: number;
  modelCalls?: number;
  stopReason?: string;
  testsPassing?: boolean;
}

const PHASE_TITLES: Record<RunPhase, string> = {
  queued: "⏳ Queued",
  preparing: "📦 Preparing the workspace",
  indexing: "🔎 Reading the repository",
  baseline: "🧪 Running the tests before any change",
  attempt: "🛠️ Working",
  selecting: "⚖️ Choosing the best result",
  publishing: "🚀 Publishing",
  done: "✅ Done",
  failed: "❌ Failed",
  cancelled: "⏹️ Cancelled",
  "out-of-budget": "💸 Out of budget",
};

/** Renders the status comment; the hidden marker lets any worker find and edit it later. */
export function renderStatusComment(view: StatusView): string {
  const lines = [STATUS_MARKER, `**Magic PR:** ${PHASE_TITLES[view.phase]}`];
  if (view.round) lines.push("", `_${view.round}_`);
  if (view.detail) lines.push("", view.detail);
  if (view.candidates && view.candidates.length > 0) {
    lines.push("", "| candidate | approach | steps | tests |", "| --- | --- | --- | --- |");
    for (const candidate of view.candidates) lines.push(`| ${candidate.id} | ${candidate.approach} | ${candidate.steps} | ${candidate.tests} |`);
  }
  const facts: string[] = [];
  if (view.pullRequestUrl) facts.push(`Pull request: ${view.pullRequestUrl}`);
  if (view.branch) facts.push(`Branch: ${branchLink(view.branch, view.pullRequestUrl)}`);
  if (view.testsPassing !== undefined) facts.push(`Tests: ${view.testsPassing ? "passing" : "failing"}`);
  if (view.modelCalls !== undefined) facts.push(`Model calls: ${view.modelCalls}`);
  if (view.tokens !== undefined) facts.push(`Tokens: ${view.tokens.toLocaleString("en-US")}`);
  if (view.spend) facts.push(`Spent: $${view.spend.usd.toFixed(2)} of $${view.spend.usdLimit.toFixed(2)}`);
  if (view.stopReason) facts.push(`Stop reason: \`${view.stopReason}\``);
  if (facts.length > 0) lines.push("", ...facts.map((fact) => `- ${fact}`));
  return lines.join("\n");
}

/** Links the branch next to the pull request, whose URL gives the host and repository. */
function branchLink(branch: string, pullRequestUrl: string | undefined): string {
  const repositoryUrl = pullRequestUrl?.replace(/\/pull\/\d+$/, "");
  if (!repositoryUrl || repositoryUrl === pullRequestUrl) return `\`${branch}\``;
  return `[\`${branch}\`](${repositoryUrl}/tree/${branch.split("/").map(encodeURIComponent).join("/")})`;
}

/** Lists every problem of an invalid `.github/magic.yml` so the maintainer can fix them in one edit. */
export function describeConfigProblems(problems: Array<{ key: string; found: string; expected: string }>): string {
  const lines = problems.map((problem) => `- \`${problem.key}\`: found ${problem.found}, expected ${problem.expected}.`);
  return `\`.github/magic.yml\` is invalid, so no run was started. Fix these keys on the default branch and re-apply the label:\n\n${lines.join("\n")}`;
}
