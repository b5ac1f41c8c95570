import { rm } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import { Budget } from "../agent/budget.js";
import { resolveBudget } from "../agent/budget-limits.js";
import type { BudgetCeilings } from "../config/settings.js";
import type { ModelClientFactory } from "../llm/create-model-client.js";
import type { GitHubGateway } from "../publish/github-gateway.js";
import type { Sandbox } from "../sandbox/sandbox.js";
import type { WorkspaceManager } from "../workspace/workspace-manager.js";
import type { Worktree } from "../workspace/worktree.js";
import { type CheckpointSink, CheckpointWriter, isInterrupted, type RunCheckpoint } from "./checkpoint.js";
import { describeFailure } from "./errors.js";
import { prepareCandidates } from "./prepare-candidates.js";
import { ensurePullRequest, publishResult } from "./publish-result.js";
import type { RunRequest } from "./run-request.js";
import type { RunOutcome } from "./run-outcome.js";
import { StatusReporter } from "./status-reporter.js";
import { workOnIssue } from "./work-on-issue.js";
import { explainIssue } from "./explain-issue.js";
import { followUpPrompt } from "./follow-up.js";
import { continuesBranch, readPreviousWork } from "./previous-work.js";
import { completeTipCheck, startCheckRun } from "./pull-request-feedback.js";

export type { RunOutcome, RunOutcomeKind } from "./run-outcome.js";

export interface RunServices {
  gateway: GitHubGateway;
  createModel: ModelClientFactory;
  sandbox: Sandbox;
  workspaces: WorkspaceManager;
  workDir: string;
  log: Logger;
  /** The operator's ceilings on a run's dollars and minutes; the defaults apply when absent. */
  budgetCeilings?: BudgetCeilings;
  statusIntervalMs?: number;
  /** Receives the run's resumable phase and, once pushed, its publication, so a queue can resume it. */
  onCheckpoint?: CheckpointSink;
}

export const DEFAULT_CEILINGS: BudgetCeilings = { usd: 10, minutes: 60 };

/**
 * Carries one run from fresh worktrees to a pull request, reporting each phase in the status comment.
 * With `resume` from a publishing checkpoint it only ensures the pull request of the pushed branch;
 * any other checkpoint starts over from fresh worktrees.
 */
export async function executeRun(request: RunRequest, services: RunServices, signal?: AbortSignal, resume?: RunCheckpoint): Promise<RunOutcome> {
  const log = services.log;
  const issue = { owner: request.repository.owner, repo: request.repository.name, number: request.issue.number };
  const status = new StatusReporter(services.gateway, issue, request.statusCommentId, log, services.statusIntervalMs);
  const checkpoints = new CheckpointWriter(services.onCheckpoint, log, resume);
  status.onPhase((phase) => checkpoints.record(phase));
  const runFolder = path.join(services.workDir, "runs", request.runId);
  const worktrees: Worktree[] = [];
  const startedAt = Date.now();
  log.info({ trigger: request.trigger, resumeFrom: resume?.phase }, resume ? "run resumed" : "run started");
  const state: RunState = { status, checkpoints, runFolder, worktrees, tipCheckRunId: resume?.publication?.tipCheckRunId };
  let outcome: RunOutcome | undefined;
  try {
    outcome = resume?.publication ? await ensurePullRequest(request, services, resume.publication, status) : await runFromStart(request, services, state, signal);
    return outcome;
  } catch (error) {
    outcome = await failedRun(error, status, log, signal);
    return outcome;
  } finally {
    await completeTipCheck(request, services, state.tipCheckRunId, outcome);
    await status.flush();
    await checkpoints.flush();
    for (const worktree of worktrees) await worktree.remove().catch((error: unknown) => log.warn({ err: error }, "removing a worktree failed"));
    await rm(runFolder, { recursive: true, force: true });
    log.info({ durationMs: Date.now() - startedAt }, "run finished");
  }
}

interface RunState {
  status: StatusReporter;
  /** The check run a follow-up run put on the branch's tip while it works. */
  tipCheckRunId?: number;
  checkpoints: CheckpointWriter;
  runFolder: string;
  /** Every worktree the run created, removed when it ends whatever happened. */
  worktrees: Worktree[];
}

async function runFromStart(request: RunRequest, services: RunServices, state: RunState, signal?: AbortSignal): Promise<RunOutcome> {
  const { status, log } = { status: state.status, log: services.log };
  status.showInEveryView({ round: describeRound(request) });
  await status.update({ phase: "preparing" });
  const model = services.createModel({ modelId: request.config.model, runId: request.runId, log });
  const { limits, notes } = resolveBudget(issueBudget(request), services.budgetCeilings ?? DEFAULT_CEILINGS);
  const budget = new Budget(limits);
  // A process that died during this run left its folder behind. The run starts over in fresh worktrees.
  await rm(state.runFolder, { recursive: true, force: true });
  const token = await services.gateway.installationToken();
  const mirror = await services.workspaces.openMirror({ cloneUrl: request.repository.cloneUrl, token, log });
  const previous = continuesBranch(request) ? await readPreviousWork(mirror, request, token) : undefined;
  const onWorktree = (worktree: Worktree) => state.worktrees.push(worktree);
  if (previous && request.trigger !== "explain") {
    state.tipCheckRunId = await startCheckRun(request, services, previous.tip, "Working", describeRound(request) ?? "Magic PR is working on this branch.");
  }
  if (request.trigger === "explain") {
    return explainIssue(request, { gateway: services.gateway, model, budget, log, workDir: services.workDir }, { mirror, previous, onWorktree, status }, signal);
  }
  const prepared = await prepareCandidates({ request, mirror, sandbox: services.sandbox, runFolder: state.runFolder, log, signal, onWorktree, baseBranch: previous?.branch });
  const followUp = followUpPrompt(request, previous);

  const work = await workOnIssue(request, { model, sandbox: services.sandbox, budget, workDir: services.workDir, log }, prepared, (view) => void status.update(view), signal, followUp.text);
  log.info({ stopReason: work.agent.stopReason, winner: work.agent.selection.winner?.candidate.id, ...budget.spent }, "agent finished");
  if (work.agent.stopReason === "cancelled") {
    if (isInterrupted(signal)) return interrupted(status, log);
    return cancelled(status, log, budget.spent.usd);
  }
  const publishServices = { gateway: services.gateway, model, budget, log, budgetNotes: notes };
  return publishResult(request, publishServices, prepared, work, { token, previous, review: followUp.review, tipCheckRunId: state.tipCheckRunId }, status, state.checkpoints);
}

/** Returns the repository's budget with this issue's `/magic budget` in place of its dollars; the ceiling still applies. */
function issueBudget(request: RunRequest) {
  return request.budgetUsd === undefined ? request.config.budget : { ...request.config.budget, usd: request.budgetUsd };
}

function describeRound(request: RunRequest): string | undefined {
  switch (request.trigger) {
    case "comment":
      return request.instruction ? `Refining after @${request.instruction.author}'s comment.` : undefined;
    case "review":
      return request.review ? `Addressing @${request.review.author}'s review on #${request.review.pullNumber}.` : undefined;
    case "retry":
      return `Starting over from \`${request.repository.defaultBranch}\`, as @${request.sender} asked.`;
    case "explain":
      return `Answering @${request.sender}'s question without changing code.`;
    default:
      return undefined;
  }
}

async function cancelled(status: StatusReporter, log: Logger, costUsd: number): Promise<RunOutcome> {
  log.info("run cancelled");
  await status.update({ phase: "cancelled", detail: "The run was cancelled before it published anything.", stopReason: "cancelled" });
  return { kind: "cancelled", costUsd };
}

/** Decides what a run that threw ends as: interrupted, cancelled or failed, and reports it in the status comment. */
async function failedRun(error: unknown, status: StatusReporter, log: Logger, signal: AbortSignal | undefined): Promise<RunOutcome> {
  if (isInterrupted(signal)) return interrupted(status, log);
  if (signal?.aborted) return cancelled(status, log, 0);
  const failure = describeFailure(error);
  log.error({ err: error, code: failure.code }, "run failed");
  await status.update({ phase: "failed", detail: failure.text });
  return { kind: "failed", costUsd: 0 };
}

/** Tells the reader the run will continue. The queue keeps the checkpoint and runs it again. */
async function interrupted(status: StatusReporter, log: Logger): Promise<RunOutcome> {
  log.info("run interrupted by shutdown; it will be requeued");
  await status.update({ phase: "queued", detail: "The app stopped during this run. It continues when a worker is free." });
  return { kind: "interrupted", costUsd: 0 };
}
