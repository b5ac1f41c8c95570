import type { Context } from "probot";
import { z } from "zod";
import { RunRequest } from "../run/run-request.js";

/**
 * The fields of an `issues.labeled` webhook that intake needs, so a queue can store the delivery
 * and any process can accept it later without the original request.
 */
export const LabeledIssueEvent = z.object({
  deliveryId: z.string().min(1),
  installationId: z.number().int().positive(),
  repository: RunRequest.shape.repository,
  issue: z.object({
    number: z.number().int().positive(),
    title: z.string(),
    body: z.string().nullable(),
    state: z.string(),
    locked: z.boolean(),
  }),
  /** Name of the label that was added. Empty when the payload names none. */
  label: z.string(),
  sender: z.string().min(1),
  receivedAt: z.string(),
});
export type LabeledIssueEvent = z.infer<typeof LabeledIssueEvent>;

/** Extracts the event from a webhook. Returns undefined when it has no installation, so no token can act on it. */
export function labeledIssueEventOf(context: Context<"issues.labeled">, now: Date = new Date()): LabeledIssueEvent | undefined {
  const { payload } = context;
  if (!payload.installation?.id) return undefined;
  return {
    deliveryId: context.id,
    installationId: payload.installation.id,
    repository: {
      owner: payload.repository.owner.login,
      name: payload.repository.name,
      cloneUrl: payload.repository.clone_url,
      defaultBranch: payload.repository.default_branch,
    },
    issue: {
      number: payload.issue.number,
      title: payload.issue.title,
      body: payload.issue.body ?? null,
      state: payload.issue.state ?? "open",
      locked: Boolean(payload.issue.locked),
    },
    label: payload.label?.name ?? "",
    sender: payload.sender.login,
    receivedAt: now.toISOString(),
  };
}
