import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import { Budget, type BudgetLedger } from "../agent/budget.js";
import { type AgentOutcome, runAgentLoop } from "../agent/loop.js";
import { selectContext } from "../context/select-files.js";
import type { ModelClientFactory } from "../llm/create-model-client.js";
import type { ModelClient } from "../llm/model-client.js";
import type { GitHubGateway } from "../publish/github-gateway.js";
import { renderPullRequestBody } from "../publish/pull-request-body.js";
import { buildSandboxEnvironment } from "../sandbox/environment.js";
import { runTests, type TestResult } from "../sandbox/run-tests.js";
import { type Sandbox, succeeded } from "../sandbox/sandbox.js";
import { planTests, type TestPlan } from "../sandbox/test-command.js";
import type { WorkspaceManager } from "../workspace/workspace-manager.js";
import type { Worktree } from "../workspace/worktree.js";
import { type CheckpointSink, CheckpointWriter, isInterrupted, type Publication, type RunCheckpoint, type RunUsage } from "./checkpoint.js";
import { describeFailure, RunError } from "./errors.js";
import { branchName, type RunRequest } from "./run-request.js";
import { StatusReporter } from "./status-reporter.js";

export interface RunServices {
  gateway: GitHubGateway;
  createModel: ModelClientFactory;
  sandbox: Sandbox;
  workspaces: WorkspaceManager;
  workDir: string;
  log: Logger;
  statusIntervalMs?: number;
  /** Receives the run's resumable phase and, once pushed, its publication, so a queue can resume it. */
  onCheckpoint?: CheckpointSink;
}

/** `interrupted` means a shutdown stopped the run before its end and the queue should run it again. */
export type RunOutcomeKind = "pull-request" | "no-change" | "failed" | "cancelled" | "interrupted";

export interface RunOutcome {
  kind: RunOutcomeKind;
  pullRequestUrl?: string;
  stopReason?: string;
  /** Dollars the run's model calls cost, as the run's budget reports them. */
  costUsd: number;
  /** Spend of the run. Absent when it failed before the agent finished. */
  usage?: RunUsage;
}

/** The services of a run once its model client is chosen. */
type RunContext = RunServices & { model: ModelClient };

interface WorkResult {
  kind: "worked";
  agent: AgentOutcome;
  ledger: BudgetLedger;
}

/** Characters of repository text put in the prompt; about 30,000 tokens. */
export const CONTEXT_CHARACTERS = 120_000;
const SETUP_TIMEOUT_MS = 15 * 60_000;

/**
 * Carries one run from a fresh worktree to a pull request, reporting each phase in the status comment.
 * With `resume` from a publishing checkpoint it only ensures the pull request of the pushed branch;
 * any other checkpoint starts over from a fresh worktree.
 */
export async function executeRun(request: RunRequest, services: RunServices, signal?: AbortSignal, resume?: RunCheckpoint): Promise<RunOutcome> {
  const log = services.log;
  const issue = { owner: request.repository.owner, repo: request.repository.name, number: request.issue.number };
  const status = new StatusReporter(services.gateway, issue, request.statusCommentId, log, services.statusIntervalMs);
  const checkpoints = new CheckpointWriter(services.onCheckpoint, log, resume);
  status.onPhase((phase) => checkpoints.record(phase));
  const runFolder = path.join(services.workDir, "runs", request.runId);
  const startedAt = Date.now();
  let workspace: Worktree | undefined;
  log.info({ trigger: request.trigger, resumeFrom: resume?.phase }, resume ? "run resumed" : "run started");
  try {
    if (resume?.publication) return await ensurePullRequest(request, services, resume.publication, status);
    await status.update({ phase: "preparing" });
    const model = services.createModel({ modelId: request.config.model, runId: request.runId, log });
    // A process that died during this run left its folder behind. The run starts over in a fresh worktree.
    await rm(runFolder, { recursive: true, force: true });
    const token = await services.gateway.installationToken();
    const mirror = await services.workspaces.openMirror({ cloneUrl: request.repository.cloneUrl, token, log });
    // A resumed run may find its crashed predecessor's worktree still leased, so each attempt names its own.
    const worktreeName = `${request.runId}-${Date.now().toString(36)}`;
    workspace = await mirror.createWorktree({ name: worktreeName, baseBranch: request.repository.defaultBranch });
    const outcome = await workOnIssue(request, { ...services, model }, workspace, runFolder, status, signal);
    if (outcome.kind === "cancelled") {
      if (isInterrupted(signal)) return interrupted(status, log);
      await status.update({ phase: "cancelled", detail: "The run was cancelled before it published anything." });
      return { kind: "cancelled", costUsd: 0 };
    }
    return await publish(request, { ...services, model }, workspace, token, outcome, status, checkpoints);
  } catch (error) {
    if (isInterrupted(signal)) return interrupted(status, log);
    const failure = describeFailure(error);
    log.error({ err: error, code: failure.code }, "run failed");
    await status.update({ phase: "failed", detail: failure.text });
    return { kind: "failed", costUsd: 0 };
  } finally {
    await status.flush();
    await checkpoints.flush();
    await workspace?.remove().catch((error: unknown) => log.warn({ err: error }, "removing the worktree failed"));
    await rm(runFolder, { recursive: true, force: true });
    log.info({ durationMs: Date.now() - startedAt }, "run finished");
  }
}

/** Tells the reader the run will continue. The queue keeps the checkpoint and runs it again. */
async function interrupted(status: StatusReporter, log: Logger): Promise<RunOutcome> {
  log.info("run interrupted by shutdown; it will be requeued");
  await status.update({ phase: "queued", detail: "The app stopped during this run. It continues when a worker is free." });
  return { kind: "interrupted", costUsd: 0 };
}

async function workOnIssue(
  request: RunRequest,
  services: RunContext,
  workspace: Worktree,
  runFolder: string,
  status: StatusReporter,
  signal: AbortSignal | undefined,
): Promise<WorkResult | { kind: "cancelled" }> {
  const home = path.join(runFolder, "home");
  await mkdir(home, { recursive: true });
  // Report files go to the run's home: writable inside the sandbox, but outside the worktree and so out of the pull request.
  const plan = planTests(workspace.directory, request.config, { reportDirectory: path.join(home, ".magic-reports") });
  if (!plan) {
    throw new RunError(
      "no-test-command",
      "No test command was found for this repository.",
      "Set `test_command` in `.github/magic.yml` (for example `test_command: make test`), then re-apply the label.",
    );
  }
  const environment = buildSandboxEnvironment(process.env, home);
  await runSetup(services.sandbox, plan, workspace.directory, environment, request.config.setup_network, signal);

  await status.update({ phase: "indexing" });
  const issueText = `${request.issue.title}\n${request.issue.body}`;
  const context = await selectContext(workspace.directory, issueText, CONTEXT_CHARACTERS);

  await status.update({ phase: "baseline" });
  const testTimeoutMs = request.config.test_timeout_seconds * 1000;
  const testReporting = { runner: plan.runner, junitReports: plan.junitReports };
  const baseline = await runTests(services.sandbox, plan.test, { worktree: workspace.directory, environment, timeoutMs: testTimeoutMs, signal, ...testReporting });
  if (signal?.aborted) return { kind: "cancelled" };

  const budget = new Budget({
    modelCalls: request.config.budget.model_calls,
    tokens: request.config.budget.tokens,
    durationMs: request.config.budget.minutes * 60_000,
  });
  const agent = await runAgentLoop({
    task: { issueNumber: request.issue.number, title: request.issue.title, body: request.issue.body },
    context,
    baseline,
    worktree: workspace.directory,
    testCommand: plan.test,
    testReporting,
    testEnvironment: environment,
    testTimeoutMs,
    protectedPaths: request.config.protected_paths,
    model: services.model,
    sandbox: services.sandbox,
    budget,
    log: services.log,
    signal,
    onStep: (step) => void status.update({ phase: "attempt", attempt: { current: step, max: budget.limits.modelCalls } }),
  });
  if (agent.stopReason === "cancelled") return { kind: "cancelled" };
  services.log.info({ stopReason: agent.stopReason, ...budget.ledger }, "agent finished");
  return { kind: "worked", agent, ledger: budget.ledger };
}

async function runSetup(
  sandbox: Sandbox,
  plan: TestPlan,
  worktree: string,
  environment: Record<string, string>,
  network: boolean,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (!plan.setup) return;
  const result = await sandbox.run(plan.setup, { cwd: worktree, env: environment, timeoutMs: SETUP_TIMEOUT_MS, network, signal });
  if (succeeded(result)) return;
  const tail = result.output.slice(-1_500).trim();
  throw new RunError(
    "setup-failed",
    `The setup command \`${plan.setup.join(" ")}\` failed${result.timedOut ? " (timed out)" : ` with exit code ${result.exitCode}`}:\n\n\`\`\`\n${tail}\n\`\`\`\n`,
    network
      ? "Fix the setup or set `setup_command` in `.github/magic.yml`, then re-apply the label."
      : "Fix the setup or set `setup_command` in `.github/magic.yml` (the setup runs without network because `setup_network` is false), then re-apply the label.",
  );
}

async function publish(
  request: RunRequest,
  services: RunContext,
  workspace: Worktree,
  token: string,
  { agent, ledger }: WorkResult,
  status: StatusReporter,
  checkpoints: CheckpointWriter,
): Promise<RunOutcome> {
  const changedFiles = await workspace.changedFiles();
  const usage: RunUsage = { modelCalls: ledger.modelCalls, tokens: ledger.inputTokens + ledger.outputTokens, testRuns: ledger.testRuns };
  const costUsd = reportedCostUsd(ledger);
  const spend = { modelCalls: usage.modelCalls, tokens: usage.tokens, stopReason: agent.stopReason };
  if (changedFiles.length === 0) {
    const reason = agent.lastProblem ?? "The model proposed no change.";
    await status.update({ phase: "failed", detail: `No change was made, so no pull request was opened. Last problem:\n\n${reason}`, ...spend });
    return { kind: "no-change", stopReason: agent.stopReason, costUsd, usage };
  }

  await status.update({ phase: "publishing", ...spend });
  const branch = branchName(request.issue.number);
  await workspace.commitAll(`Address #${request.issue.number}: ${request.issue.title}`);
  await workspace.push(branch, token);
  const test: TestResult | undefined = agent.lastTest;
  const body = renderPullRequestBody({
    issueNumber: request.issue.number,
    changedFiles,
    test,
    stopReason: agent.stopReason,
    modelCalls: ledger.modelCalls,
    inputTokens: ledger.inputTokens,
    outputTokens: ledger.outputTokens,
    modelId: services.model.modelId,
  });
  const publication: Publication = {
    branch,
    base: request.repository.defaultBranch,
    title: request.issue.title,
    body,
    draft: !test?.passed,
    testsPassing: Boolean(test?.passed),
    stopReason: agent.stopReason,
    usage,
    costUsd,
  };
  await checkpoints.recordPublication(publication);
  return ensurePullRequest(request, services, publication, status);
}

/** Opens the pull request of a pushed branch, or updates the open one, and writes the final status. */
async function ensurePullRequest(request: RunRequest, services: RunServices, publication: Publication, status: StatusReporter): Promise<RunOutcome> {
  const { branch, title, body, usage } = publication;
  const spend = { modelCalls: usage.modelCalls, tokens: usage.tokens, stopReason: publication.stopReason };
  await status.update({ phase: "publishing", ...spend });
  const repo = { owner: request.repository.owner, repo: request.repository.name };
  const existing = await services.gateway.findOpenPullRequest(repo, branch);
  const pullRequest = existing ?? (await services.gateway.createPullRequest(repo, { title, body, head: branch, base: publication.base, draft: publication.draft }));
  if (existing) await services.gateway.updatePullRequest(repo, existing.number, { title, body });

  const detail = publication.testsPassing
    ? "The tests pass with this change."
    : "The tests still fail with this change, so the pull request is a draft. Comment on this issue to give more guidance.";
  await status.update({ phase: "done", detail, pullRequestUrl: pullRequest.url, branch, testsPassing: publication.testsPassing, ...spend });
  services.log.info({ pullRequest: pullRequest.number, testsPassed: publication.testsPassing }, "pull request published");
  return { kind: "pull-request", pullRequestUrl: pullRequest.url, stopReason: publication.stopReason, costUsd: publication.costUsd, usage };
}

/**
 * Dollars from the budget ledger.
 * NOTE: the current budget counts tokens but no dollars, so this is 0 until the ledger carries `costUsd`.
 */
function reportedCostUsd(ledger: BudgetLedger): number {
  const cost = (ledger as BudgetLedger & { costUsd?: unknown }).costUsd;
  return typeof cost === "number" && Number.isFinite(cost) && cost > 0 ? cost : 0;
}
