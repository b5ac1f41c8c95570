import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { parseRepoConfig, triggerLabelOf } from "../config/repo-config.js";
import type { GitHubGateway } from "../publish/github-gateway.js";
import type { RunRequest } from "../run/run-request.js";
import { describeConfigProblems, renderStatusComment } from "../run/status-comment.js";
import type { LabeledIssueEvent } from "./labeled-issue-event.js";
import { canTrigger, noPermissionMessage } from "./permissions.js";
import type { RawConfigResult } from "./read-config.js";

export interface IntakeServices {
  gateway: GitHubGateway;
  readConfig(): Promise<RawConfigResult>;
  operatorLabel: string;
  log: Logger;
}

/**
 * Turns an `issues.labeled` event into a run request: checks the label, the sender's permission and
 * the repository config, reacts and posts the status comment. Returns undefined when no run should
 * start. A retried intake finds the status comment by its marker, and GitHub keeps one reaction per
 * user, so only the replies about closed issues and missing permission can be posted twice.
 */
export async function acceptLabeledIssue(event: LabeledIssueEvent, services: IntakeServices): Promise<RunRequest | undefined> {
  const log = services.log;
  const issueRef = { owner: event.repository.owner, repo: event.repository.name, number: event.issue.number };
  const rawConfig = await services.readConfig();
  const label = triggerLabelOf(rawConfig.ok ? rawConfig.raw : undefined, services.operatorLabel);
  if (event.label !== label) return undefined;

  if (event.issue.state === "closed" || event.issue.locked) {
    log.info("label ignored on a closed or locked issue");
    if (!event.issue.locked) await services.gateway.createComment(issueRef, "Magic PR does not work on closed issues. Reopen the issue and add the label again.");
    return undefined;
  }
  const role = await services.gateway.getRole({ owner: issueRef.owner, repo: issueRef.repo }, event.sender);
  if (!canTrigger(role)) {
    log.info({ role }, "sender may not trigger runs");
    await services.gateway.createComment(issueRef, noPermissionMessage(event.sender, label));
    return undefined;
  }
  await services.gateway.addReaction(issueRef, "eyes");

  const config = rawConfig.ok ? parseRepoConfig(rawConfig.raw) : undefined;
  if (!config?.ok) {
    const detail = config ? describeConfigProblems(config.problems) : `${rawConfig.ok ? "" : rawConfig.message} Fix it on the default branch and re-apply the label.`;
    log.info("repository config is invalid");
    await services.gateway.ensureStatusComment(issueRef, renderStatusComment({ phase: "failed", detail }));
    return undefined;
  }

  const statusCommentId = await services.gateway.ensureStatusComment(issueRef, renderStatusComment({ phase: "queued" }));
  return {
    runId: randomUUID(),
    deliveryId: event.deliveryId,
    installationId: event.installationId,
    trigger: "label",
    repository: event.repository,
    issue: { number: event.issue.number, title: event.issue.title, body: event.issue.body ?? "" },
    sender: event.sender,
    config: config.config,
    statusCommentId,
    requestedAt: event.receivedAt,
  };
}
