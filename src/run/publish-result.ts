import type { Budget } from "../agent/budget.js";
import type { FinishedCandidate } from "../agent/run-agent.js";
import type { ModelClient } from "../llm/model-client.js";
import type { GitHubGateway } from "../publish/github-gateway.js";
import { describeTests, renderPullRequestBody } from "../publish/pull-request-body.js";
import type { Logger } from "pino";
import type { CheckpointWriter, Publication, RunUsage } from "./checkpoint.js";
import type { PreparedCandidate } from "./prepare-candidates.js";
import type { PreviousWork } from "./previous-work.js";
import { finishCheckRun, postReviewReplies, startCheckRun } from "./pull-request-feedback.js";
import { pushWork } from "./push-work.js";
import type { ReviewDigest } from "./review-digest.js";
import { reviewReplies } from "./review-replies.js";
import type { RunRequest } from "./run-request.js";
import type { RunOutcome } from "./run-outcome.js";
import type { StatusReporter } from "./status-reporter.js";
import type { WorkResult } from "./work-on-issue.js";

export interface PublishServices {
  gateway: GitHubGateway;
  model: ModelClient;
  budget: Budget;
  log: Logger;
  budgetNotes: string[];
}

/**
 * Publishes the selected candidate: commits and pushes its worktree to `magic/issue-N`, then opens or
 * updates the pull request, a draft unless its tests pass. When the budget ran out and the repository
 * chose `on_budget_exhausted: branch`, only the branch is pushed. Nothing is published without a change.
 */
export async function publishResult(
  request: RunRequest,
  services: PublishServices,
  prepared: PreparedCandidate[],
  work: WorkResult,
  inputs: PublishInputs,
  status: StatusReporter,
  checkpoints: CheckpointWriter,
): Promise<RunOutcome> {
  const { agent } = work;
  const usage = runUsage(services.budget);
  const winnerId = agent.selection.winner?.candidate.id;
  const winner = agent.candidates.find((candidate) => candidate.id === winnerId);
  const worktree = prepared.find((candidate) => candidate.workspace.id === winnerId)?.worktree;
  if (!winner || !worktree) return reportNoChange(request, services, work, inputs, status);

  await status.update({ phase: "publishing", ...spendFacts(services, agent.stopReason) });
  const changedFiles = await worktree.changedFiles();
  await worktree.commitAll(commitMessage(request));
  const pushed = await pushWork(worktree, request, inputs.token, inputs.previous);
  const testsPassing = Boolean(winner.finalTest?.passed) && !winner.untestedChanges;
  const checkRunId = await startCheckRun(request, services, pushed.headSha, "Publishing", "Magic PR is publishing this commit.");
  const where = `Pushed as ${pushed.headSha.slice(0, 7)} to \`${pushed.branch}\`.${pushed.note ? ` ${pushed.note}` : ""}`;
  const publication: Publication = {
    branch: pushed.branch,
    base: request.repository.defaultBranch,
    title: request.issue.title,
    body: renderPullRequestBody(bodySummary(request, services, work, winner, changedFiles)),
    draft: !testsPassing,
    testsPassing,
    branchOnly: pushed.conflict || (!testsPassing && agent.stopReason.startsWith("budget:") && request.config.on_budget_exhausted === "branch"),
    stopReason: agent.stopReason,
    usage: usage.counts,
    costUsd: usage.usd,
    usdLimit: services.budget.limits.usd,
    testsSummary: describeTests(winner.finalTest),
    headSha: pushed.headSha,
    ...(checkRunId === undefined ? {} : { checkRunId }),
    ...(inputs.tipCheckRunId === undefined ? {} : { tipCheckRunId: inputs.tipCheckRunId }),
    ...(pushed.note ? { pushNote: pushed.note } : {}),
    reviewReplies: reviewReplies(inputs.review, winner.summary, changedFiles, where),
    ...(request.review ? { reviewedPullNumber: request.review.pullNumber } : {}),
  };
  await checkpoints.recordPublication(publication);
  return ensurePullRequest(request, services, publication, status);
}

/** Reports in the status comment, and in each review thread, why this run published nothing. */
async function reportNoChange(request: RunRequest, services: PublishServices, work: WorkResult, inputs: PublishInputs, status: StatusReporter): Promise<RunOutcome> {
  const { agent } = work;
  const usage = runUsage(services.budget);
  const problem = agent.candidates.map((candidate) => candidate.lastProblem).find(Boolean) ?? "The model proposed no change.";
  const hint = agent.stopReason === "error" ? "\n\nThe operator should check the model settings and the provider's status; re-apply the label to try again." : "";
  const outcome = inputs.previous ? `No change was made in this round, so \`${inputs.previous.branch}\` and its pull request stay as they were.` : "No change was made, so no pull request was opened.";
  await replyWithoutChange(request, services, inputs.review, agent.candidates.map((candidate) => candidate.summary).find(Boolean));
  await status.update({ phase: "failed", detail: `${outcome} Last problem:\n\n${problem}${hint}`, ...spendFacts(services, agent.stopReason) });
  return { kind: "no-change", stopReason: agent.stopReason, costUsd: usage.usd, usage: usage.counts };
}

export interface PublishInputs {
  /** Installation token for the push; never stored. */
  token: string;
  /** The issue's branch when this run continues it. */
  previous?: PreviousWork;
  /** The review comments this run was given, for the thread replies. */
  review?: ReviewDigest;
  /** The check run on the branch's tip, kept with the publication so a resumed run completes it. */
  tipCheckRunId?: number;
}

/** Replies in each review thread of a round that pushed nothing, so reviewers learn why. */
async function replyWithoutChange(request: RunRequest, services: PublishServices, review: ReviewDigest | undefined, summary: string | undefined): Promise<void> {
  if (!request.review || !review) return;
  const replies = reviewReplies(review, summary, [], "No commit was pushed in this round.");
  await postReviewReplies(request, services, { reviewReplies: replies, reviewedPullNumber: request.review.pullNumber });
}

function commitMessage(request: RunRequest): string {
  const subject = `Address #${request.issue.number}: ${request.issue.title}`;
  if (request.review) return `${subject}\n\nAddresses the review by @${request.review.author} on #${request.review.pullNumber}.`;
  if (request.instruction) return `${subject}\n\nRefined after the comment by @${request.instruction.author}.`;
  return subject;
}

function runUsage(budget: Budget): { usd: number; counts: RunUsage } {
  const spent = budget.spent;
  return { usd: spent.usd, counts: { modelCalls: spent.modelCalls, tokens: spent.inputTokens + spent.outputTokens, testRuns: spent.testRuns } };
}

function spendFacts(services: Pick<PublishServices, "budget">, stopReason: string) {
  const spent = services.budget.spent;
  return { modelCalls: spent.modelCalls, tokens: spent.inputTokens + spent.outputTokens, spend: { usd: spent.usd, usdLimit: services.budget.limits.usd }, stopReason };
}

function bodySummary(request: RunRequest, services: PublishServices, work: WorkResult, winner: FinishedCandidate, changedFiles: string[]) {
  const spent = services.budget.spent;
  return {
    issueNumber: request.issue.number,
    changedFiles,
    test: winner.untestedChanges ? undefined : winner.finalTest,
    baseline: work.baseline,
    stopReason: work.agent.stopReason,
    modelId: services.model.modelId,
    selectionReason: work.agent.selection.reason,
    modelSummary: winner.summary,
    candidates: work.agent.candidates.map((candidate) => ({
      id: candidate.id,
      approach: candidate.approach,
      steps: candidate.steps.length,
      testsAfter: candidate.finalTest,
      ...candidate.spend,
      stopReason: candidate.stopReason,
      winner: candidate.id === winner.id,
    })),
    totals: { modelCalls: spent.modelCalls, testRuns: spent.testRuns, usd: spent.usd, usdLimit: services.budget.limits.usd },
    budgetNotes: services.budgetNotes,
  };
}

/**
 * Opens the pull request of a pushed branch, or updates the open one, and writes the final status.
 * A publication that is for the branch only skips the pull request.
 */
export async function ensurePullRequest(
  request: RunRequest,
  services: Pick<PublishServices, "gateway" | "log">,
  publication: Publication,
  status: StatusReporter,
): Promise<RunOutcome> {
  const { branch, title, body, usage } = publication;
  const spend = publication.usdLimit ? { usd: publication.costUsd, usdLimit: publication.usdLimit } : undefined;
  const facts = { modelCalls: usage.modelCalls, tokens: usage.tokens, spend, stopReason: publication.stopReason, branch, testsPassing: publication.testsPassing };
  const outOfBudget = publication.stopReason.startsWith("budget:") && !publication.testsPassing;
  const limitNote = outOfBudget ? `The run stopped at its \`${publication.stopReason}\` limit after spending $${publication.costUsd.toFixed(2)}; the best candidate reached: tests ${publication.testsSummary ?? "unknown"}. ` : "";
  const pushNote = publication.pushNote ? `${publication.pushNote} ` : "";
  if (publication.branchOnly) {
    const reason = outOfBudget ? "the repository config sets `on_budget_exhausted: branch`" : "the pull request's branch moved";
    await finishCheckRun(request, services, publication, undefined);
    await postReviewReplies(request, services, publication);
    await status.update({ phase: outOfBudget ? "out-of-budget" : "done", detail: `${pushNote}${limitNote}Its work is on the branch \`${branch}\`; no pull request was opened or updated because ${reason}.`, ...facts });
    return { kind: "branch", stopReason: publication.stopReason, costUsd: publication.costUsd, usage };
  }
  const repo = { owner: request.repository.owner, repo: request.repository.name };
  const existing = await services.gateway.findOpenPullRequest(repo, branch);
  const pullRequest = existing ?? (await services.gateway.createPullRequest(repo, { title, body, head: branch, base: publication.base, draft: publication.draft }));
  if (existing) await services.gateway.updatePullRequest(repo, existing.number, { title, body });
  await finishCheckRun(request, services, publication, pullRequest.url);
  await postReviewReplies(request, services, publication);

  const detail = publication.testsPassing
    ? `${pushNote}The tests pass with this change.`
    : `${pushNote}${limitNote}The tests still fail with this change, so the pull request is a draft. Comment on this issue to give more guidance.`;
  await status.update({ phase: outOfBudget ? "out-of-budget" : "done", detail, pullRequestUrl: pullRequest.url, ...facts });
  services.log.info({ pullRequest: pullRequest.number, testsPassed: publication.testsPassing }, "pull request published");
  return { kind: "pull-request", pullRequestUrl: pullRequest.url, stopReason: publication.stopReason, costUsd: publication.costUsd, usage };
}
