import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { parseRepoConfig, type RepoConfig } from "../config/repo-config.js";
import { type GitHubGateway, type IssueRef, STATUS_MARKER } from "../publish/github-gateway.js";
import type { RunRequest } from "../run/run-request.js";
import { describeConfigProblems, renderStatusComment } from "../run/status-comment.js";
import { latestIssueBudget } from "./issue-budget.js";
import { canTrigger } from "./permissions.js";
import type { RawConfigResult } from "./read-config.js";

export interface IntakeServices {
  gateway: GitHubGateway;
  readConfig(): Promise<RawConfigResult>;
  operatorLabel: string;
  /** The operator's ceiling on a run's dollars, which caps `/magic budget`. */
  ceilingUsd: number;
  /** Cancels the issue's running run, wherever it runs. Resolves false when none runs. */
  cancelRun(key: string): Promise<boolean>;
  log: Logger;
}

/** The fields of a run request that intake fills in before the status comment exists. */
export type RunFields = Omit<RunRequest, "runId" | "statusCommentId" | "budgetUsd" | "config">;

export function issueRefOf(repository: { owner: string; name: string }, number: number): IssueRef {
  return { owner: repository.owner, repo: repository.name, number };
}

/** Returns whether the user may start runs. Anyone else's text is never read as an instruction. */
export async function hasWriteAccess(services: IntakeServices, issue: IssueRef, username: string): Promise<boolean> {
  const role = await services.gateway.getRole({ owner: issue.owner, repo: issue.repo }, username);
  if (canTrigger(role)) return true;
  services.log.info({ role }, "sender may not trigger runs");
  return false;
}

/**
 * Parses the repository config, or writes a failed status that lists every problem and returns
 * undefined. `rawConfig` comes from {@link IntakeServices.readConfig}.
 */
export async function validConfig(services: IntakeServices, issue: IssueRef, rawConfig: RawConfigResult, retryHint: string): Promise<RepoConfig | undefined> {
  const config = rawConfig.ok ? parseRepoConfig(rawConfig.raw) : undefined;
  if (config?.ok) return config.config;
  const detail = config ? describeConfigProblems(config.problems) : `${rawConfig.ok ? "" : rawConfig.message} Fix it on the default branch and ${retryHint}.`;
  services.log.info("repository config is invalid");
  await services.gateway.ensureStatusComment(issue, renderStatusComment({ phase: "failed", detail }));
  return undefined;
}

/**
 * Writes the queued status and returns the run request. One listing of the app's comments finds both
 * the status comment, by its marker, and the issue's budget set with `/magic budget`. A follow-up
 * leaves an existing status comment alone, because a run of the issue may be writing to it now.
 */
export async function queueRun(services: IntakeServices, issue: IssueRef, config: RepoConfig, fields: RunFields): Promise<RunRequest> {
  const comments = await services.gateway.listAppComments(issue);
  const existing = comments.find((comment) => comment.body.includes(STATUS_MARKER))?.id;
  const body = renderStatusComment({ phase: "queued" });
  let statusCommentId = existing;
  if (existing === undefined) statusCommentId = await services.gateway.createComment(issue, body);
  else if (fields.trigger === "label") await services.gateway.ensureStatusComment(issue, body, existing);
  const budgetUsd = latestIssueBudget(comments);
  return { runId: randomUUID(), ...fields, config, statusCommentId, ...(budgetUsd === undefined ? {} : { budgetUsd }) };
}
