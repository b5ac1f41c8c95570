import { rm } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import { Budget, type BudgetLimits, type Spend } from "../agent/budget.js";
import { resolveBudget } from "../agent/budget-limits.js";
import type { FinishedCandidate } from "../agent/run-agent.js";
import type { StopReason } from "../agent/candidate.js";
import type { RepoConfig } from "../config/repo-config.js";
import type { ModelClient } from "../llm/model-client.js";
import { prepareCandidates, type PreparedCandidate } from "../run/prepare-candidates.js";
import type { RunRequest } from "../run/run-request.js";
import type { StatusView } from "../run/status-comment.js";
import { type WorkResult, workOnIssue } from "../run/work-on-issue.js";
import type { Sandbox } from "../sandbox/sandbox.js";
import type { WorkspaceManager } from "../workspace/workspace-manager.js";
import type { Worktree } from "../workspace/worktree.js";
import type { LocalIssue } from "./issue-source.js";
import { type ConfigOverrides, readLocalConfig } from "./repository-config.js";
import { journaledModel, journaledSandbox, type RunJournal } from "./run-journal.js";
import { leaseRunFolder } from "./run-folders.js";

/**
 * Ceilings of a local run. On their own machine the user is the operator, so only the repository
 * config's own maximums (1000 USD, 240 minutes) bound the budget.
 */
const LOCAL_CEILINGS = { usd: 1_000, minutes: 240 };

export interface LocalRunInput {
  runId: string;
  cloneUrl: string;
  /** Branch of the repository the run starts from, and whose name the run request carries. */
  baseBranch: string;
  /** Commit to start from instead of the branch's tip. */
  baseCommit?: string;
  issue: LocalIssue;
  /** Command-line values over the repository's `.github/magic.yml` at the base commit. */
  overrides: ConfigOverrides;
}

export interface LocalRunServices {
  model: ModelClient;
  sandbox: Sandbox;
  workspaces: WorkspaceManager;
  workDir: string;
  log: Logger;
  journal: RunJournal;
  onStatus?: (view: StatusView) => void;
  /** Receives the winning candidate's worktree before the worktrees are removed, to commit it somewhere. */
  keepWinner?: (worktree: Worktree, winner: FinishedCandidate) => Promise<void>;
}

export interface LocalRunResult {
  runId: string;
  baseCommit: string;
  config: RepoConfig;
  work: WorkResult;
  /** The winning candidate's diff against the base commit; empty when no candidate changed anything. */
  patch: string;
  winner?: FinishedCandidate;
  stopReason: StopReason;
  spend: Spend;
  limits: BudgetLimits;
  durationMs: number;
}

/**
 * Runs the app's pipeline on a repository without GitHub: a mirror and one worktree per candidate, the
 * setup and baseline, the repository context, the budgeted candidates and selection. Every worktree
 * and the run's folder are removed when it ends, whether it finished, failed or was cancelled.
 */
export async function runLocalPipeline(input: LocalRunInput, services: LocalRunServices, signal?: AbortSignal): Promise<LocalRunResult> {
  const startedAt = Date.now();
  const { journal, log } = services;
  const worktrees: Worktree[] = [];
  const runFolder = path.join(services.workDir, "runs", input.runId);
  const lease = await leaseRunFolder(runFolder, log);
  let phase: StatusView["phase"] | undefined;
  const report = (view: StatusView) => {
    // The agent reports its phase again with every candidate step; the journal keeps the changes.
    if (view.phase !== phase) journal.add({ type: "phase", at: new Date().toISOString(), phase: view.phase });
    phase = view.phase;
    services.onStatus?.(view);
  };
  try {
    report({ phase: "preparing" });
    const mirror = await services.workspaces.openMirror({ cloneUrl: input.cloneUrl, log });
    const config = await readLocalConfig(mirror.directory, input.baseCommit ?? `refs/heads/${input.baseBranch}`, input.overrides);
    const limits = resolveBudget(config.budget, LOCAL_CEILINGS).limits;
    const budget = new Budget(limits);
    const request = localRunRequest(input, config);
    const sandbox = journaledSandbox(services.sandbox, journal);
    const prepared = await prepareCandidates({
      request,
      mirror,
      sandbox,
      runFolder,
      log,
      signal,
      baseCommit: input.baseCommit,
      onWorktree: (worktree) => {
        worktrees.push(worktree);
        journal.namePlace(worktree.directory, `candidate ${/-c(\d+)$/.exec(worktree.directory)?.[1] ?? worktrees.length}`);
      },
    });
    const model = journaledModel(services.model, journal);
    const work = await workOnIssue(request, { model, sandbox, budget, workDir: services.workDir, log }, prepared, report, signal);
    const winner = work.agent.candidates.find((candidate) => candidate.id === work.agent.selection.winner?.candidate.id);
    if (winner && services.keepWinner && !signal?.aborted) await services.keepWinner(worktreeOf(prepared, winner.id), winner);
    return {
      runId: input.runId,
      baseCommit: (prepared[0] as PreparedCandidate).worktree.baseCommit,
      config,
      work,
      patch: winner?.diff ?? "",
      winner,
      stopReason: work.agent.stopReason,
      spend: budget.spent,
      limits,
      durationMs: Date.now() - startedAt,
    };
  } finally {
    for (const worktree of worktrees) await worktree.remove().catch((error: unknown) => log.warn({ err: error }, "removing a worktree failed"));
    await rm(runFolder, { recursive: true, force: true });
    await lease.release();
  }
}

function worktreeOf(prepared: PreparedCandidate[], id: string): Worktree {
  return (prepared.find((candidate) => candidate.workspace.id === id) as PreparedCandidate).worktree;
}

/**
 * Builds the request the app's run functions take. The GitHub fields that a local run has no value
 * for get fixed placeholders; nothing of the local pipeline sends them anywhere.
 */
function localRunRequest(input: LocalRunInput, config: RepoConfig): RunRequest {
  return {
    runId: input.runId,
    deliveryId: input.runId,
    installationId: 1,
    trigger: "label",
    repository: { owner: "local", name: repositoryName(input.cloneUrl), cloneUrl: input.cloneUrl, defaultBranch: input.baseBranch },
    // NOTE: an issue given as text or a file has no number, so the prompt calls it issue #1.
    issue: { number: input.issue.number ?? 1, title: input.issue.title, body: input.issue.body },
    sender: "local",
    config,
    requestedAt: new Date().toISOString(),
  };
}

function repositoryName(cloneUrl: string): string {
  return path.posix.basename(new URL(cloneUrl).pathname).replace(/\.git$/, "") || "repository";
}
