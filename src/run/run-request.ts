import { z } from "zod";
import { RepoConfig } from "../config/repo-config.js";

/** A validated request for one run, everything the queue needs to start it without the webhook. */
export const RunRequest = z.object({
  runId: z.string().min(1),
  deliveryId: z.string().min(1),
  installationId: z.number().int().positive(),
  trigger: z.enum(["label", "comment", "review", "retry"]),
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
