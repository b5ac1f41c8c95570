import { triggerLabelOf } from "../config/repo-config.js";
import { issueKey, type RunRequest } from "../run/run-request.js";
import { hasWriteAccess, type IntakeServices, issueRefOf, queueRun, validConfig } from "./intake-steps.js";
import type { LabeledIssueEvent } from "./labeled-issue-event.js";
import { noPermissionMessage } from "./permissions.js";

/**
 * Turns an `issues.labeled` event into a run request: checks the label, the sender's permission and
 * the repository config, reacts and posts the status comment. Returns undefined when no run should
 * start. A retried intake finds the status comment by its marker, and GitHub keeps one reaction per
 * user, so only the replies about closed issues and missing permission can be posted twice.
 */
export async function acceptLabeledIssue(event: LabeledIssueEvent, services: IntakeServices): Promise<RunRequest | undefined> {
  const log = services.log;
  const issueRef = issueRefOf(event.repository, event.issue.number);
  const rawConfig = await services.readConfig();
  const label = triggerLabelOf(rawConfig.ok ? rawConfig.raw : undefined, services.operatorLabel);
  if (event.label !== label) return undefined;

  if (event.issue.state === "closed" || event.issue.locked) {
    log.info("label ignored on a closed or locked issue");
    await services.gateway.createComment(issueRef, closedIssueMessage(event.issue.locked, "add the label again"));
    return undefined;
  }
  if (!(await hasWriteAccess(services, issueRef, event.sender))) {
    await services.gateway.createComment(issueRef, noPermissionMessage(event.sender, label));
    return undefined;
  }
  await services.gateway.addReaction(issueRef, "eyes");

  const config = await validConfig(services, issueRef, rawConfig, "re-apply the label");
  if (!config) return undefined;
  return queueRun(services, issueRef, config, {
    deliveryId: event.deliveryId,
    installationId: event.installationId,
    trigger: "label",
    repository: event.repository,
    issue: { number: event.issue.number, title: event.issue.title, body: event.issue.body ?? "" },
    sender: event.sender,
    requestedAt: event.receivedAt,
  });
}

/** Cancels the issue's running run when its trigger label is removed. Never starts a run. */
export async function acceptUnlabeledIssue(event: LabeledIssueEvent, services: IntakeServices): Promise<undefined> {
  const rawConfig = await services.readConfig();
  const label = triggerLabelOf(rawConfig.ok ? rawConfig.raw : undefined, services.operatorLabel);
  if (event.label !== label) return undefined;
  const cancelled = await services.cancelRun(issueKey({ repository: event.repository, issue: event.issue }));
  services.log.info({ cancelled }, "trigger label removed");
  return undefined;
}

/** Reply to a trigger on a closed or locked issue or pull request, which starts no run. */
export function closedIssueMessage(locked: boolean, retry: string): string {
  return locked
    ? `Magic PR does not work on locked conversations. Unlock it and ${retry}.`
    : `Magic PR does not work on closed issues or pull requests. Reopen it and ${retry}.`;
}
