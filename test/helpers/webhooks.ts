import { randomUUID } from "node:crypto";
import { sign } from "@octokit/webhooks-methods";
import examples from "@octokit/webhooks-examples/api.github.com/index.json" with { type: "json" };

export const WEBHOOK_SECRET = "test-webhook-secret";

interface ExampleGroup {
  name: string;
  examples: Array<Record<string, unknown>>;
}

/** Returns a deep copy of GitHub's documented example payload for an event and action. */
export function examplePayload(event: string, action: string): Record<string, any> {
  const group = (examples as unknown as ExampleGroup[]).find((entry) => entry.name === event);
  const example = group?.examples.find((payload) => payload.action === action);
  if (!example) throw new Error(`No example payload for ${event}.${action}`);
  return structuredClone(example) as Record<string, any>;
}

export interface LabeledIssueOptions {
  owner?: string;
  repo?: string;
  cloneUrl: string;
  installationId: number;
  issueNumber?: number;
  title?: string;
  body?: string | null;
  label?: string;
  sender?: string;
  senderType?: "User" | "Bot";
  state?: "open" | "closed";
}

/** Builds an `issues.labeled` payload shaped like GitHub's, pointing at a local clone URL. */
export function labeledIssuePayload(options: LabeledIssueOptions): Record<string, any> {
  const payload = examplePayload("issues", "labeled");
  const number = options.issueNumber ?? 1;
  withRepository(payload, options);
  payload.label = { ...payload.label, name: options.label ?? "magic" };
  payload.sender = { ...payload.sender, login: options.sender ?? "maintainer", type: options.senderType ?? "User" };
  payload.issue = {
    ...payload.issue,
    number,
    title: options.title ?? "add() subtracts instead of adding",
    body: options.body === undefined ? "Calling add(2, 3) returns -1; it should return 5." : options.body,
    state: options.state ?? "open",
    locked: false,
  };
  return payload;
}

/** Posts a payload to the webhook endpoint with GitHub's headers and signature; returns the HTTP status. */
export async function deliverWebhook(url: string, event: string, payload: unknown, deliveryId: string = randomUUID()): Promise<number> {
  const body = JSON.stringify(payload);
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-github-event": event,
      "x-github-delivery": deliveryId,
      "x-hub-signature-256": await sign(WEBHOOK_SECRET, body),
      "user-agent": "GitHub-Hookshot/test",
    },
    body,
  });
  await response.text();
  return response.status;
}

export interface CommentOptions {
  cloneUrl: string;
  installationId: number;
  body: string;
  owner?: string;
  repo?: string;
  issueNumber?: number;
  /** Makes the comment one on a pull request, which GitHub sends as an issue comment too. */
  onPullRequest?: boolean;
  labels?: string[];
  commentId?: number;
  sender?: string;
  senderType?: "User" | "Bot";
  state?: "open" | "closed";
  locked?: boolean;
}

/** Builds an `issue_comment.created` payload shaped like GitHub's. */
export function commentPayload(options: CommentOptions): Record<string, any> {
  const payload = examplePayload("issue_comment", "created");
  const sender = { ...payload.sender, login: options.sender ?? "maintainer", type: options.senderType ?? "User" };
  withRepository(payload, options);
  payload.sender = sender;
  payload.issue = {
    ...payload.issue,
    number: options.issueNumber ?? 1,
    title: "add() subtracts instead of adding",
    body: "Calling add(2, 3) returns -1; it should return 5.",
    state: options.state ?? "open",
    locked: options.locked ?? false,
    labels: (options.labels ?? ["magic"]).map((name, index) => ({ id: index + 1, name, color: "ededed", default: false })),
    ...(options.onPullRequest ? { pull_request: { url: "https://api.github.com/repos/o/r/pulls/5" } } : {}),
  };
  payload.comment = { ...payload.comment, id: options.commentId ?? 9001, body: options.body, user: sender };
  return payload;
}

export interface ReviewOptions {
  cloneUrl: string;
  installationId: number;
  reviewId: number;
  body?: string | null;
  state?: "commented" | "changes_requested" | "approved";
  owner?: string;
  repo?: string;
  pullNumber?: number;
  headRef?: string;
  /** `owner/name` of the head repository; another repository makes it a fork's pull request. */
  headRepository?: string;
  sender?: string;
}

/** Builds a `pull_request_review.submitted` payload shaped like GitHub's. */
export function reviewPayload(options: ReviewOptions): Record<string, any> {
  const payload = examplePayload("pull_request_review", "submitted");
  const { owner, repo } = withRepository(payload, options);
  payload.sender = { ...payload.sender, login: options.sender ?? "reviewer", type: "User" };
  payload.review = { ...payload.review, id: options.reviewId, body: options.body ?? null, state: options.state ?? "changes_requested", user: payload.sender };
  const pull = payload.pull_request;
  payload.pull_request = {
    ...pull,
    number: options.pullNumber ?? 5,
    state: "open",
    locked: false,
    head: { ...pull.head, ref: options.headRef ?? "magic/issue-1", sha: "0".repeat(40), repo: { ...pull.head.repo, full_name: options.headRepository ?? `${owner}/${repo}` } },
  };
  return payload;
}

function withRepository(payload: Record<string, any>, options: { owner?: string; repo?: string; cloneUrl: string; installationId: number }): { owner: string; repo: string } {
  const owner = options.owner ?? "octo-org";
  const repo = options.repo ?? "calculator";
  payload.installation = { id: options.installationId, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNzc3" };
  payload.repository = {
    ...payload.repository,
    name: repo,
    full_name: `${owner}/${repo}`,
    owner: { ...payload.repository.owner, login: owner },
    clone_url: options.cloneUrl,
    default_branch: "main",
  };
  return { owner, repo };
}
