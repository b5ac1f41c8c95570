import type { Context } from "probot";
import { z } from "zod";
import { EventBase, eventBaseOf, IssueSnapshot, issueSnapshotOf, LabeledIssueEvent } from "./labeled-issue-event.js";

/** An `issue_comment.created` webhook, on an issue or on a pull request (GitHub sends both as issue comments). */
export const CommentEvent = EventBase.extend({
  kind: z.literal("comment"),
  issue: IssueSnapshot.extend({ isPullRequest: z.boolean(), labels: z.array(z.string()) }),
  comment: z.object({ id: z.number().int().positive(), body: z.string(), author: z.string() }),
});
export type CommentEvent = z.infer<typeof CommentEvent>;

/** A `pull_request_review.submitted` webhook. */
export const ReviewEvent = EventBase.extend({
  kind: z.literal("review"),
  pullRequest: z.object({
    number: z.number().int().positive(),
    state: z.string(),
    locked: z.boolean(),
    headRef: z.string(),
    headSha: z.string(),
    /** `owner/name` of the head repository; null when the fork was deleted. */
    headRepository: z.string().nullable(),
  }),
  review: z.object({ id: z.number().int().positive(), body: z.string().nullable(), state: z.string() }),
});
export type ReviewEvent = z.infer<typeof ReviewEvent>;

/**
 * Every webhook delivery the queues store. Rows journalled before events had a `kind` are
 * labelled-issue events, so they still parse.
 */
export const StoredEvent = z.preprocess(
  (value) => (value && typeof value === "object" && !("kind" in value) ? { ...value, kind: "labeled" } : value),
  z.discriminatedUnion("kind", [LabeledIssueEvent, CommentEvent, ReviewEvent]),
);
export type StoredEvent = z.infer<typeof StoredEvent>;

/** Returns the issue or pull request number the event is about. */
export function eventNumber(event: StoredEvent): number {
  return event.kind === "review" ? event.pullRequest.number : event.issue.number;
}

export function commentEventOf(context: Context<"issue_comment.created">, now: Date = new Date()): CommentEvent | undefined {
  const { payload } = context;
  if (!payload.installation?.id) return undefined;
  return {
    kind: "comment",
    ...eventBaseOf(context, now),
    issue: {
      ...issueSnapshotOf(payload.issue),
      isPullRequest: Boolean(payload.issue.pull_request),
      labels: (payload.issue.labels ?? []).map((label) => (typeof label === "string" ? label : (label.name ?? ""))),
    },
    comment: { id: payload.comment.id, body: payload.comment.body ?? "", author: payload.comment.user?.login ?? payload.sender.login },
  };
}

export function reviewEventOf(context: Context<"pull_request_review.submitted">, now: Date = new Date()): ReviewEvent | undefined {
  const { payload } = context;
  if (!payload.installation?.id) return undefined;
  const pull = payload.pull_request;
  return {
    kind: "review",
    ...eventBaseOf(context, now),
    pullRequest: {
      number: pull.number,
      state: pull.state,
      locked: Boolean(pull.locked),
      headRef: pull.head.ref,
      headSha: pull.head.sha,
      headRepository: pull.head.repo?.full_name ?? null,
    },
    review: { id: payload.review.id, body: payload.review.body ?? null, state: payload.review.state },
  };
}
