import type { Logger } from "pino";
import type { CheckConclusion, CheckRunFields, GitHubGateway } from "../publish/github-gateway.js";
import type { Publication } from "./checkpoint.js";
import type { RunOutcome } from "./run-outcome.js";
import type { RunRequest } from "./run-request.js";

interface FeedbackServices {
  gateway: GitHubGateway;
  log: Logger;
}

function repoOf(request: RunRequest) {
  return { owner: request.repository.owner, repo: request.repository.name };
}

/**
 * Marks a commit with an in-progress check run: the branch's tip while a follow-up run works on it, or
 * the pushed commit while the pull request is updated. A failure is logged and returns undefined,
 * because the work matters more than its check.
 */
export async function startCheckRun(request: RunRequest, services: FeedbackServices, headSha: string, title: string, summary: string): Promise<number | undefined> {
  try {
    return await services.gateway.createCheckRun(repoOf(request), headSha, { status: "in_progress", title, summary });
  } catch (error) {
    services.log.warn({ err: error }, "creating the check run failed");
    return undefined;
  }
}

/**
 * Completes the check run a follow-up run put on the branch's tip when it started. A run that pushed
 * leaves the result to the new commit's own check run.
 */
export async function completeTipCheck(request: RunRequest, services: FeedbackServices, checkRunId: number | undefined, outcome: RunOutcome | undefined): Promise<void> {
  if (checkRunId === undefined) return;
  const kind = outcome?.kind ?? "failed";
  let fields: CheckRunFields;
  if (kind === "pull-request" || kind === "branch") {
    fields = { status: "completed", conclusion: "neutral", title: "Superseded", summary: "The run pushed a new commit, whose own check run has the test results." };
  } else if (kind === "cancelled") {
    fields = { status: "completed", conclusion: "cancelled", title: "Cancelled", summary: "The run was cancelled, so this commit is unchanged." };
  } else {
    const reason = outcome?.stopReason ? ` (stop reason \`${outcome.stopReason}\`)` : "";
    fields = { status: "completed", conclusion: "neutral", title: "No new commit", summary: `The run ended as \`${kind}\`${reason} without a new commit. The status comment on the issue says why.` };
  }
  try {
    await services.gateway.updateCheckRun(repoOf(request), checkRunId, fields);
  } catch (error) {
    services.log.warn({ err: error }, "completing the check run failed");
  }
}

/** Completes the check run with the tests of the published candidate: success only when they pass. */
export async function finishCheckRun(request: RunRequest, services: FeedbackServices, publication: Publication, detailsUrl: string | undefined): Promise<void> {
  if (!publication.headSha) return;
  const conclusion: CheckConclusion = publication.testsPassing ? "success" : publication.stopReason.startsWith("budget:") ? "neutral" : "failure";
  const title = publication.testsPassing ? "Tests pass" : `Tests: ${publication.testsSummary ?? "failing"}`;
  const summary = [
    `Tests: ${publication.testsSummary ?? (publication.testsPassing ? "passing" : "unknown")}.`,
    `Stop reason: \`${publication.stopReason}\`.`,
    `Spent: $${publication.costUsd.toFixed(2)}${publication.usdLimit ? ` of $${publication.usdLimit.toFixed(2)}` : ""}.`,
    ...(publication.pushNote ? [publication.pushNote] : []),
  ].join("\n");
  const fields = { status: "completed" as const, conclusion, title, summary, ...(detailsUrl ? { detailsUrl } : {}) };
  try {
    if (publication.checkRunId) await services.gateway.updateCheckRun(repoOf(request), publication.checkRunId, fields);
    else await services.gateway.createCheckRun(repoOf(request), publication.headSha, fields);
  } catch (error) {
    services.log.warn({ err: error }, "completing the check run failed");
  }
}

/**
 * Replies in each review thread the run addressed. A failed reply is logged and the others still go out.
 * NOTE: a run resumed after a crash during these replies posts them again.
 */
export async function postReviewReplies(request: RunRequest, services: FeedbackServices, publication: Pick<Publication, "reviewReplies" | "reviewedPullNumber">): Promise<number> {
  const pullNumber = publication.reviewedPullNumber;
  if (!pullNumber) return 0;
  let posted = 0;
  for (const reply of publication.reviewReplies ?? []) {
    try {
      await services.gateway.replyToReviewComment(repoOf(request), pullNumber, reply.commentId, reply.body);
      posted += 1;
    } catch (error) {
      services.log.warn({ err: error, commentId: reply.commentId }, "replying to a review thread failed");
    }
  }
  return posted;
}
