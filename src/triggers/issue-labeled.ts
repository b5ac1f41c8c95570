import { randomUUID } from "node:crypto";
import type { Context } from "probot";
import { parseRepoConfig, triggerLabelOf } from "../config/repo-config.js";
import type { GitHubGateway } from "../publish/github-gateway.js";
import type { RunRequest } from "../run/run-request.js";
import { describeConfigProblems, renderStatusComment } from "../run/status-comment.js";
import { canTrigger, noPermissionMessage } from "./permissions.js";
import { readRawConfig } from "./read-config.js";

export interface IntakeServices {
  gateway: GitHubGateway;
  operatorLabel: string;
  submit(request: RunRequest): void;
}

/**
 * Turns an `issues.labeled` event into a queued run: checks the label, the sender's permission and
 * the repository config, reacts, posts the status comment and submits the run.
 */
export async function acceptLabeledIssue(context: Context<"issues.labeled">, services: IntakeServices): Promise<void> {
  const { payload } = context;
  const log = context.log;
  const issueRef = { owner: payload.repository.owner.login, repo: payload.repository.name, number: payload.issue.number };
  const rawConfig = await readRawConfig(context);
  const label = triggerLabelOf(rawConfig.ok ? rawConfig.raw : undefined, services.operatorLabel);
  if (payload.label?.name !== label) return;

  if (payload.issue.state === "closed" || payload.issue.locked) {
    log.info("label ignored on a closed or locked issue");
    if (!payload.issue.locked) await services.gateway.createComment(issueRef, "Magic PR does not work on closed issues. Reopen the issue and add the label again.");
    return;
  }
  const role = await services.gateway.getRole({ owner: issueRef.owner, repo: issueRef.repo }, payload.sender.login);
  if (!canTrigger(role)) {
    log.info({ role }, "sender may not trigger runs");
    await services.gateway.createComment(issueRef, noPermissionMessage(payload.sender.login, label));
    return;
  }
  await services.gateway.addReaction(issueRef, "eyes");

  const config = rawConfig.ok ? parseRepoConfig(rawConfig.raw) : undefined;
  if (!config?.ok) {
    const detail = config ? describeConfigProblems(config.problems) : `${rawConfig.ok ? "" : rawConfig.message} Fix it on the default branch and re-apply the label.`;
    log.info("repository config is invalid");
    await services.gateway.ensureStatusComment(issueRef, renderStatusComment({ phase: "failed", detail }));
    return;
  }

  const statusCommentId = await services.gateway.ensureStatusComment(issueRef, renderStatusComment({ phase: "queued" }));
  services.submit({
    runId: randomUUID(),
    deliveryId: context.id,
    installationId: payload.installation?.id as number,
    trigger: "label",
    repository: {
      owner: issueRef.owner,
      name: issueRef.repo,
      cloneUrl: payload.repository.clone_url,
      defaultBranch: payload.repository.default_branch,
    },
    issue: { number: payload.issue.number, title: payload.issue.title, body: payload.issue.body ?? "" },
    sender: payload.sender.login,
    config: config.config,
    statusCommentId,
    requestedAt: new Date().toISOString(),
  });
}
