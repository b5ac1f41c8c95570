import { triggerLabelOf } from "../config/repo-config.js";
import type { IssueInfo, IssueRef } from "../publish/github-gateway.js";
import { issueKey, type RunRequest } from "../run/run-request.js";
import { commandHelp, type MagicCommand, parseCommand } from "./commands.js";
import { budgetReply } from "./issue-budget.js";
import { closedIssueMessage } from "./issue-labeled.js";
import { hasWriteAccess, type IntakeServices, issueRefOf, queueRun, validConfig } from "./intake-steps.js";
import { noPermissionMessage } from "./permissions.js";
import { pullRequestTarget } from "./pull-request-target.js";
import type { CommentEvent } from "./stored-event.js";

/** Every hidden marker the app writes starts with this, so its own comments are recognised even if relayed. */
const APP_MARKER_PREFIX = "<!-- magic-pr:";

interface CommentTarget {
  /** The issue whose run the comment is about; its status comment lives there. */
  issue: IssueInfo;
  /** Thread that receives replies: the issue, or the pull request the comment was made on. */
  replyTo: IssueRef;
  labelled: boolean;
}

/**
 * Handles a comment on an issue or on the app's pull request: a `/magic` command, or a refinement
 * that starts a run continuing the issue's branch. Plain comments count only on issues that carry
 * the trigger label and only from people with write access; others are ignored without a reply.
 */
export async function acceptComment(event: CommentEvent, services: IntakeServices): Promise<RunRequest | undefined> {
  if (event.comment.body.includes(APP_MARKER_PREFIX)) return undefined;
  const command = parseCommand(event.comment.body);
  const rawConfig = await services.readConfig();
  const label = triggerLabelOf(rawConfig.ok ? rawConfig.raw : undefined, services.operatorLabel);
  const target = await commentTarget(event, services, command !== undefined, label);
  if (!target) return undefined;
  if (!command && !target.labelled) return undefined;

  const { gateway, log } = services;
  if (target.issue.state === "closed" || target.issue.locked) {
    log.info("comment ignored on a closed or locked issue");
    await gateway.createComment(target.replyTo, closedIssueMessage(target.issue.locked, "comment again"));
    return undefined;
  }
  if (!(await hasWriteAccess(services, target.replyTo, event.sender))) {
    if (command) await gateway.createComment(target.replyTo, noPermissionMessage(event.sender, label));
    return undefined;
  }
  const answered = await answerCommand(command, event, target, services);
  if (answered) return undefined;

  await gateway.addCommentReaction({ owner: target.replyTo.owner, repo: target.replyTo.repo }, event.comment.id, "eyes");
  const issueRef = issueRefOf(event.repository, target.issue.number);
  const config = await validConfig(services, issueRef, rawConfig, "comment again");
  if (!config) return undefined;
  return queueRun(services, issueRef, config, {
    deliveryId: event.deliveryId,
    installationId: event.installationId,
    trigger: triggerOf(command),
    repository: event.repository,
    issue: { number: target.issue.number, title: target.issue.title, body: target.issue.body ?? "" },
    sender: event.sender,
    requestedAt: event.receivedAt,
    ...(command?.name === "retry" ? {} : { instruction: { author: event.comment.author, text: instructionText(command, event.comment.body), commentId: event.comment.id, replyTo: event.issue.number } }),
  });
}

/** Finds the issue a comment is about. Returns undefined, after any reply, when the comment is not for the app. */
async function commentTarget(event: CommentEvent, services: IntakeServices, isCommand: boolean, label: string): Promise<CommentTarget | undefined> {
  const replyTo = issueRefOf(event.repository, event.issue.number);
  if (!event.issue.isPullRequest) return { issue: event.issue, replyTo, labelled: event.issue.labels.includes(label) };
  const pull = await services.gateway.getPullRequest({ owner: replyTo.owner, repo: replyTo.repo }, event.issue.number);
  const target = pullRequestTarget(pull, event.repository);
  if (target.kind === "not-ours") return undefined;
  if (target.kind === "rejected") {
    if (isCommand) await services.gateway.createComment(replyTo, target.message);
    return undefined;
  }
  // The pull request's own text is the app's, so the run works from the issue as it is now.
  const issue = await services.gateway.getIssue(issueRefOf(event.repository, target.issueNumber));
  return { issue, replyTo, labelled: true };
}

/** Stop, budget and invalid commands are answered here and start no run. Returns whether it answered. */
async function answerCommand(command: MagicCommand | undefined, event: CommentEvent, target: CommentTarget, services: IntakeServices): Promise<boolean> {
  const { gateway } = services;
  const number = target.issue.number;
  switch (command?.name) {
    case "stop": {
      const cancelled = await services.cancelRun(issueKey({ repository: event.repository, issue: { number } }));
      await gateway.createComment(target.replyTo, cancelled ? `Stopping the run of #${number}.` : `No run of #${number} is going, so there is nothing to stop.`);
      return true;
    }
    case "budget": {
      // The marker goes on the issue, where intake looks for it, whichever thread the command came from.
      const reply = budgetReply(command.usd, services.ceilingUsd);
      await gateway.createComment(issueRefOf(event.repository, number), reply.body);
      return true;
    }
    case "invalid":
      await gateway.createComment(target.replyTo, commandHelp(command.problem));
      return true;
    default:
      return false;
  }
}

function triggerOf(command: MagicCommand | undefined): RunRequest["trigger"] {
  if (command?.name === "retry") return "retry";
  if (command?.name === "explain") return "explain";
  return "comment";
}

function instructionText(command: MagicCommand | undefined, body: string): string {
  return command?.name === "explain" ? command.question : body;
}
