import { z } from "zod";
import { RepoConfig } from "../config/repo-config.js";

/** An inline review comment as stored at the trigger, in the fields the review digest reads. */
export const StoredReviewComment = z.object({
  id: z.number().int().positive(),
  path: z.string(),
  body: z.string(),
  author: z.string(),
  line: z.number().int().nullable(),
  startLine: z.number().int().nullable(),
  originalLine: z.number().int().nullable(),
  diffHunk: z.string(),
  inReplyToId: z.number().int().positive().optional(),
  outdated: z.boolean(),
  resolved: z.boolean(),
});
export type StoredReviewComment = z.infer<typeof StoredReviewComment>;

/** A comment that refines the task, sanitised at intake. */
export const Instruction = z.object({
  author: z.string(),
  text: z.string(),
  commentId: z.number().int().positive(),
  /** Issue or pull request the comment was made on, where an answer goes. */
  replyTo: z.number().int().positive().optional(),
});
export type Instruction = z.infer<typeof Instruction>;

/** A submitted pull request review, with its inline comments as they were at the trigger. */
export const ReviewRound = z.object({
  pullNumber: z.number().int().positive(),
  reviewId: z.number().int().positive(),
  author: z.string(),
  body: z.string(),
  comments: z.array(StoredReviewComment),
});
export type ReviewRound = z.infer<typeof ReviewRound>;

/** A validated request for one run, everything the queue needs to start it without the webhook. */
export const RunRequest = z.object({
  runId: z.string().min(1),
  deliveryId: z.string().min(1),
  installationId: z.number().int().positive(),
  /** `explain` answers in a comment and changes no code. */
  trigger: z.enum(["label", "comment", "review", "retry", "explain"]),
  repository: z.object({
    owner: z.string().min(1),
    name: z.string().min(1),
    cloneUrl: z.string().min(1),
    defaultBranch: z.string().min(1),
  }),
  issue: z.object({
    number: z.number().int().positive(),
    title: z.string(),
    body: z.string(),
  }),
  sender: z.string().min(1),
  config: RepoConfig,
  statusCommentId: z.number().int().positive().optional(),
  requestedAt: z.string(),
  /** The comment that started a `comment` or `explain` run. */
  instruction: Instruction.optional(),
  review: ReviewRound.optional(),
  /** This issue's dollar budget per run, set with `/magic budget`, before the operator's ceiling. */
  budgetUsd: z.number().positive().optional(),
});
export type RunRequest = z.infer<typeof RunRequest>;

/** Key under which runs of one issue are serialised. */
export function issueKey(request: { repository: { owner: string; name: string }; issue: { number: number } }): string {
  return `${request.repository.owner}/${request.repository.name}#${request.issue.number}`;
}

export function branchName(issueNumber: number): string {
  return `magic/issue-${issueNumber}`;
}

/** Yields `magic/issue-N-2`, `magic/issue-N-3`, … for work that conflicts with the pull request's branch. */
export function* fallbackBranchNames(issueNumber: number): Generator<string> {
  for (let suffix = 2; ; suffix += 1) yield `${branchName(issueNumber)}-${suffix}`;
}
