import type { Context } from "probot";
import { z } from "zod";
import { RunRequest } from "../run/run-request.js";

/** Fields every stored event carries, whatever its kind. */
export const EventBase = z.object({
  deliveryId: z.string().min(1),
  installationId: z.number().int().positive(),
  repository: RunRequest.shape.repository,
  sender: z.string().min(1),
  receivedAt: z.string(),
});

/** The issue as the webhook showed it at the trigger, so later edits of its body are ignored. */
export const IssueSnapshot = z.object({
  number: z.number().int().positive(),
  title: z.string(),
  body: z.string().nullable(),
  state: z.string(),
  locked: z.boolean(),
});
export type IssueSnapshot = z.infer<typeof IssueSnapshot>;

/**
 * The fields of an `issues.labeled` or `issues.unlabeled` webhook that intake needs, so a queue can
 * store the delivery and any process can accept it later without the original request.
 */
export const LabeledIssueEvent = EventBase.extend({
  kind: z.enum(["labeled", "unlabeled"]),
  issue: IssueSnapshot,
  /** Name of the label that was added or removed. Empty when the payload names none. */
  label: z.string(),
});
export type LabeledIssueEvent = z.infer<typeof LabeledIssueEvent>;

/** Extracts the event from a webhook. Returns undefined when it has no installation, so no token can act on it. */
export function labeledIssueEventOf(context: Context<"issues.labeled" | "issues.unlabeled">, now: Date = new Date()): LabeledIssueEvent | undefined {
  const { payload } = context;
  if (!payload.installation?.id) return undefined;
  return {
    kind: payload.action,
    ...eventBaseOf(context, now),
    issue: issueSnapshotOf(payload.issue),
    label: payload.label?.name ?? "",
  };
}

interface WebhookBase {
  id: string;
  payload: {
    installation?: { id: number };
    repository: { owner: { login: string }; name: string; clone_url: string; default_branch: string };
    sender: { login: string };
  };
}

export function eventBaseOf(context: WebhookBase, now: Date): z.infer<typeof EventBase> {
  const { payload } = context;
  return {
    deliveryId: context.id,
    installationId: payload.installation?.id ?? 0,
    repository: {
      owner: payload.repository.owner.login,
      name: payload.repository.name,
      cloneUrl: payload.repository.clone_url,
      defaultBranch: payload.repository.default_branch,
    },
    sender: payload.sender.login,
    receivedAt: now.toISOString(),
  };
}

export function issueSnapshotOf(issue: { number: number; title: string; body?: string | null; state?: string; locked?: boolean }): IssueSnapshot {
  return { number: issue.number, title: issue.title, body: issue.body ?? null, state: issue.state ?? "open", locked: Boolean(issue.locked) };
}
