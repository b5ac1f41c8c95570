import type { RestReviewComment } from "../publish/github-gateway.js";
import { toReviewThreadComment } from "../run/review-digest.js";
import type { RunRequest, StoredReviewComment } from "../run/run-request.js";
import { closedIssueMessage } from "./issue-labeled.js";
import { hasWriteAccess, type IntakeServices, issueRefOf, queueRun, validConfig } from "./intake-steps.js";
import { pullRequestTarget } from "./pull-request-target.js";
import type { ReviewEvent } from "./stored-event.js";

/** Review states that ask for work. An approval or a dismissal starts nothing. */
const ACTIONABLE_STATES = new Set(["changes_requested", "commented"]);
/** Lines of a diff hunk kept per stored comment; the digest shows fewer, so this only bounds the queue's storage. */
const STORED_HUNK_LINES = 40;

/**
 * Turns a review submitted on the app's pull request into a run that addresses it. The review's
 * inline comments are read now, so edits made after the trigger are ignored, and threads already
 * resolved are marked for the digest to leave out.
 */
export async function acceptReview(event: ReviewEvent, services: IntakeServices): Promise<RunRequest | undefined> {
  const { gateway, log } = services;
  if (!ACTIONABLE_STATES.has(event.review.state.toLowerCase())) return undefined;
  const pullRef = issueRefOf(event.repository, event.pullRequest.number);
  const target = pullRequestTarget(event.pullRequest, event.repository);
  if (target.kind === "not-ours") return undefined;
  if (target.kind === "rejected") {
    log.info("review ignored on a pull request the app cannot work on");
    await gateway.createComment(pullRef, target.message);
    return undefined;
  }
  if (!(await hasWriteAccess(services, pullRef, event.sender))) return undefined;

  const issueRef = issueRefOf(event.repository, target.issueNumber);
  const issue = await gateway.getIssue(issueRef);
  if (issue.state === "closed" || issue.locked) {
    await gateway.createComment(pullRef, closedIssueMessage(issue.locked, `reopen #${issue.number}`));
    return undefined;
  }
  const comments = await reviewComments(event, services);
  if (comments.length === 0 && !event.review.body?.trim()) return undefined;
  const config = await validConfig(services, issueRef, await services.readConfig(), "submit the review again");
  if (!config) return undefined;
  return queueRun(services, issueRef, config, {
    deliveryId: event.deliveryId,
    installationId: event.installationId,
    trigger: "review",
    repository: event.repository,
    issue: { number: issue.number, title: issue.title, body: issue.body ?? "" },
    sender: event.sender,
    requestedAt: event.receivedAt,
    review: { pullNumber: event.pullRequest.number, reviewId: event.review.id, author: event.sender, body: event.review.body ?? "", comments },
  });
}

/**
 * Reads the review's inline comments and the replies in their threads, with each thread's resolution.
 * Replies by people without write access and by bots are dropped, so only maintainers instruct the model.
 */
async function reviewComments(event: ReviewEvent, services: IntakeServices): Promise<StoredReviewComment[]> {
  const repo = { owner: event.repository.owner, repo: event.repository.name };
  const all = await services.gateway.listReviewComments(repo, event.pullRequest.number);
  const threadRoots = new Set(all.filter((comment) => comment.pull_request_review_id === event.review.id).map((comment) => comment.in_reply_to_id ?? comment.id));
  const inThreads = all.filter((comment) => threadRoots.has(comment.in_reply_to_id ?? comment.id));
  if (inThreads.length === 0) return [];
  const writers = await writersAmong(inThreads, event, services);
  const heard = inThreads.filter((comment) => writers.has(comment.user?.login ?? ""));
  const resolved = await services.gateway.resolvedReviewCommentIds(repo, event.pullRequest.number);
  return heard.map((comment) => storedComment(comment, resolved));
}

/** Returns the comment authors with write access; the reviewer is known to have it. */
async function writersAmong(comments: RestReviewComment[], event: ReviewEvent, services: IntakeServices): Promise<Set<string>> {
  const writers = new Set([event.sender]);
  const others = new Set(comments.map((comment) => comment.user?.login ?? "").filter((login) => login && !writers.has(login) && !login.endsWith("[bot]")));
  for (const login of others) {
    if (await hasWriteAccess(services, issueRefOf(event.repository, event.pullRequest.number), login)) writers.add(login);
  }
  return writers;
}

function storedComment(comment: RestReviewComment, resolved: Set<number>): StoredReviewComment {
  const mapped = toReviewThreadComment(comment, resolved);
  return { ...mapped, diffHunk: mapped.diffHunk.split("\n").slice(-STORED_HUNK_LINES).join("\n") };
}
