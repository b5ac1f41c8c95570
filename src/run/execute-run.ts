import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import { Budget, type BudgetLedger } from "../agent/budget.js";
import { type AgentOutcome, runAgentLoop } from "../agent/loop.js";
import { buildContext } from "../context/build-context.js";
import type { ModelClient } from "../llm/model-client.js";
import type { GitHubGateway } from "../publish/github-gateway.js";
import { renderPullRequestBody } from "../publish/pull-request-body.js";
import { buildSandboxEnvironment } from "../sandbox/environment.js";
import { runTests, type TestResult } from "../sandbox/run-tests.js";
import { type Sandbox, succeeded } from "../sandbox/sandbox.js";
import { planTests, type TestPlan } from "../sandbox/test-command.js";
import { Workspace } from "../workspace/workspace.js";
import { describeFailure, RunError } from "./errors.js";
import { branchName, type RunRequest } from "./run-request.js";
import { StatusReporter } from "./status-reporter.js";

export interface RunServices {
  gateway: GitHubGateway;
  model: ModelClient;
  sandbox: Sandbox;
  workDir: string;
  log: Logger;
  statusIntervalMs?: number;
}

export type RunOutcomeKind = "pull-request" | "no-change" | "failed" | "cancelled";

export interface RunOutcome {
  kind: RunOutcomeKind;
  pullRequestUrl?: string;
  stopReason?: string;
}

interface WorkResult {
  kind: "worked";
  agent: AgentOutcome;
  ledger: BudgetLedger;
}

/** Tokens of repository text put in the prompt. */
const CONTEXT_TOKEN_BUDGET = 30_000;
const SETUP_TIMEOUT_MS = 15 * 60_000;

/** Carries one run from a fresh clone to a pull request, reporting each phase in the status comment. */
export async function executeRun(request: RunRequest, services: RunServices, signal?: AbortSignal): Promise<RunOutcome> {
  const log = services.log;
  const issue = { owner: request.repository.owner, repo: request.repository.name, number: request.issue.number };
  const status = new StatusReporter(services.gateway, issue, request.statusCommentId, log, services.statusIntervalMs);
  const runFolder = path.join(services.workDir, "runs", request.runId);
  const startedAt = Date.now();
  log.info({ trigger: request.trigger }, "run started");
  try {
    await status.update({ phase: "preparing" });
    const token = await services.gateway.installationToken();
    const workspace = await Workspace.clone({
      cloneUrl: request.repository.cloneUrl,
      token,
      baseBranch: request.repository.defaultBranch,
      directory: path.join(runFolder, "repo"),
    });
    const branch = branchName(request.issue.number);
    await workspace.createBranch(branch);
    const outcome = await workOnIssue(request, services, workspace, runFolder, status, signal);
    if (outcome.kind === "cancelled") {
      await status.update({ phase: "cancelled", detail: "The run was cancelled before it published anything." });
      return outcome;
    }
    return await publish(request, services, workspace, token, outcome, status);
  } catch (error) {
    const failure = describeFailure(error);
    log.error({ err: error, code: failure.code }, "run failed");
    await status.update({ phase: "failed", detail: failure.text });
    return { kind: "failed" };
  } finally {
    await status.flush();
    await rm(runFolder, { recursive: true, force: true });
    log.info({ durationMs: Date.now() - startedAt }, "run finished");
  }
}

async function workOnIssue(
  request: RunRequest,
  services: RunServices,
  workspace: Workspace,
  runFolder: string,
  status: StatusReporter,
  signal: AbortSignal | undefined,
): Promise<WorkResult | { kind: "cancelled" }> {
  const plan = planTests(workspace.directory, request.config);
  if (!plan) {
    throw new RunError(
      "no-test-command",
      "No test command was found for this repository.",
      "Set `test_command` in `.github/magic.yml` (for example `test_command: make test`), then re-apply the label.",
    );
  }
  const home = path.join(runFolder, "home");
  await mkdir(home, { recursive: true });
  const environment = buildSandboxEnvironment(process.env, home);
  await runSetup(services.sandbox, plan, workspace.directory, environment, signal);

  await status.update({ phase: "indexing" });
  const issueText = `${request.issue.title}\n${request.issue.body}`;
  const context = await buildContext({
    worktree: workspace.directory,
    query: issueText,
    tokenBudget: CONTEXT_TOKEN_BUDGET,
    cacheDir: path.join(services.workDir, "context-cache"),
    modelId: services.model.modelId,
    log: services.log,
  });

  await status.update({ phase: "baseline" });
  const testTimeoutMs = request.config.test_timeout_seconds * 1000;
  const baseline = await runTests(services.sandbox, plan.test, { worktree: workspace.directory, environment, timeoutMs: testTimeoutMs, signal });
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
  signal: AbortSignal | undefined,
): Promise<void> {
  if (!plan.setup) return;
  const result = await sandbox.run(plan.setup, { cwd: worktree, env: environment, timeoutMs: SETUP_TIMEOUT_MS, network: true, signal });
  if (succeeded(result)) return;
  const tail = result.output.slice(-1_500).trim();
  throw new RunError(
    "setup-failed",
    `The setup command \`${plan.setup.join(" ")}\` failed${result.timedOut ? " (timed out)" : ` with exit code ${result.exitCode}`}:\n\n\`\`\`\n${tail}\n\`\`\`\n`,
    "Fix the setup or set `setup_command` in `.github/magic.yml`, then re-apply the label.",
  );
}

async function publish(
  request: RunRequest,
  services: RunServices,
  workspace: Workspace,
  token: string,
  { agent, ledger: usage }: WorkResult,
  status: StatusReporter,
): Promise<RunOutcome> {
  const changedFiles = await workspace.changedFiles();
  const spend = { modelCalls: usage.modelCalls, tokens: usage.inputTokens + usage.outputTokens, stopReason: agent.stopReason };
  if (changedFiles.length === 0) {
    const reason = agent.lastProblem ?? "The model proposed no change.";
    await status.update({ phase: "failed", detail: `No change was made, so no pull request was opened. Last problem:\n\n${reason}`, ...spend });
    return { kind: "no-change", stopReason: agent.stopReason };
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
    modelCalls: usage.modelCalls,
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    modelId: services.model.modelId,
  });
  const repo = { owner: request.repository.owner, repo: request.repository.name };
  const title = request.issue.title;
  const existing = await services.gateway.findOpenPullRequest(repo, branch);
  const pullRequest = existing ?? (await services.gateway.createPullRequest(repo, { title, body, head: branch, base: request.repository.defaultBranch, draft: !test?.passed }));
  if (existing) await services.gateway.updatePullRequest(repo, existing.number, { title, body });

  const detail = test?.passed
    ? "The tests pass with this change."
    : "The tests still fail with this change, so the pull request is a draft. Comment on this issue to give more guidance.";
  await status.update({ phase: "done", detail, pullRequestUrl: pullRequest.url, branch, testsPassing: Boolean(test?.passed), ...spend });
  services.log.info({ pullRequest: pullRequest.number, testsPassed: Boolean(test?.passed) }, "pull request published");
  return { kind: "pull-request", pullRequestUrl: pullRequest.url, stopReason: agent.stopReason };
}
