import type { Logger } from "pino";
import { type Budget, reservedPromptTokens } from "../agent/budget.js";
import { pricedEstimate } from "../agent/call-estimate.js";
import { buildPrefix } from "../agent/prompt.js";
import { countO200kTokens } from "../context/token-count.js";
import { ModelCallError } from "../llm/errors.js";
import type { ModelClient, ModelReply } from "../llm/model-client.js";
import type { GitHubGateway } from "../publish/github-gateway.js";
import { sanitiseForModel } from "../text/sanitise.js";
import type { Mirror } from "../workspace/mirror.js";
import type { Worktree } from "../workspace/worktree.js";
import { followUpPrompt } from "./follow-up.js";
import type { PreviousWork } from "./previous-work.js";
import { repositoryContext } from "./repository-context.js";
import type { RunRequest } from "./run-request.js";
import type { RunOutcome } from "./run-outcome.js";
import type { StatusReporter } from "./status-reporter.js";
import { sanitisedIssue } from "./work-on-issue.js";

export interface ExplainServices {
  gateway: GitHubGateway;
  model: ModelClient;
  budget: Budget;
  log: Logger;
  workDir: string;
}

export interface ExplainParts {
  mirror: Mirror;
  previous: PreviousWork | undefined;
  onWorktree(worktree: Worktree): void;
  status: StatusReporter;
}

const EXPLAIN_SYSTEM_PROMPT = `You are Magic PR, an engineer who works on GitHub issues in a repository.
A maintainer asks a question about the issue or the work so far. Answer it in GitHub Markdown, briefly and
concretely, citing files and functions by path. Do not propose edits in the SEARCH/REPLACE format and do
not claim to have changed anything: this answer changes no code.`;

const MAX_ANSWER_TOKENS = 2_048;
const DEFAULT_QUESTION = "Explain the current state of this issue: what the work so far changes, and what is left to do.";

/**
 * Answers `/magic explain` with one model call charged to the run's budget, and posts the answer
 * where the question was asked. The branch's work, when there is some, is part of the prompt.
 */
export async function explainIssue(request: RunRequest, services: ExplainServices, parts: ExplainParts, signal?: AbortSignal): Promise<RunOutcome> {
  const { budget, status } = { budget: services.budget, status: parts.status };
  const worktree = await parts.mirror.createWorktree({ name: `${request.runId}-${Date.now().toString(36)}-explain`, baseBranch: parts.previous?.branch ?? request.repository.defaultBranch });
  parts.onWorktree(worktree);
  await status.update({ phase: "indexing" });
  const context = await repositoryContext({ worktree: worktree.directory, request, model: services.model, budget, workDir: services.workDir, log: services.log });
  const prefix = buildPrefix({ ...sanitisedIssue(request), followUp: followUpPrompt(request, parts.previous).text }, context, undefined);
  const question = sanitiseForModel(request.instruction?.text ?? "").trim() || DEFAULT_QUESTION;

  await status.update({ phase: "attempt", spend: { usd: 0, usdLimit: budget.limits.usd } });
  const reply = await budgetedAnswer(services, prefix, question, signal);
  const spend = { usd: budget.spent.usd, usdLimit: budget.limits.usd };
  if (typeof reply === "string") {
    await status.update({ phase: "out-of-budget", detail: `No answer was written: the run stopped at its \`${reply}\` limit. Raise the budget with \`/magic budget <dollars>\` and ask again.`, spend, stopReason: reply });
    return { kind: "no-change", stopReason: reply, costUsd: budget.spent.usd };
  }
  const where = { owner: request.repository.owner, repo: request.repository.name, number: request.instruction?.replyTo ?? request.issue.number };
  const asker = request.instruction ? `@${request.instruction.author}` : `@${request.sender}`;
  await services.gateway.createComment(where, `${reply.text.trim()}\n\n_Answer to ${asker}'s \`/magic explain\`; no code was changed._`);
  await status.update({ phase: "done", detail: "The answer is in a comment; no code was changed.", spend, modelCalls: budget.spent.modelCalls, stopReason: "answered" });
  return { kind: "answered", stopReason: "answered", costUsd: budget.spent.usd };
}

/** Reserves the call's worst case, calls the model and settles its cost. Returns the limit's name when the budget cannot pay for it. */
async function budgetedAnswer(services: ExplainServices, prefix: string, question: string, signal?: AbortSignal): Promise<ModelReply | string> {
  const { budget, model } = services;
  const messages = [{ role: "user" as const, content: question }];
  const promptTokens = reservedPromptTokens(countO200kTokens(EXPLAIN_SYSTEM_PROMPT + prefix + question), messages.length + 2);
  const reserved = budget.reserveCall(pricedEstimate(model.facts, promptTokens, MAX_ANSWER_TOKENS));
  if (!reserved.ok) return reserved.reason;
  try {
    const reply = await model.complete({ system: EXPLAIN_SYSTEM_PROMPT, prefix, messages, maxOutputTokens: MAX_ANSWER_TOKENS, abortSignal: signal });
    budget.settleCall(reserved.reservation, { ...reply.usage, usd: reply.costUsd });
    return reply;
  } catch (error) {
    if (error instanceof ModelCallError) budget.settleCall(reserved.reservation, { ...error.usage, usd: error.costUsd });
    else budget.release(reserved.reservation);
    throw error;
  }
}
