import type { Logger } from "pino";
import type { ProbotOctokit } from "probot";
import type { BudgetCeilings } from "../config/settings.js";
import type { ModelClientFactory } from "../llm/create-model-client.js";
import { dailyLimitMessage, type SpendLedger, utcDay, withinDailyLimit } from "../ops/daily-spend.js";
import type { Metrics } from "../ops/metrics.js";
import { type GitHubGateway, OctokitGateway } from "../publish/github-gateway.js";
import type { CheckpointSink, RunCheckpoint } from "../run/checkpoint.js";
import { DEFAULT_CEILINGS, executeRun, type RunOutcome } from "../run/execute-run.js";
import type { RunRequest } from "../run/run-request.js";
import { renderStatusComment } from "../run/status-comment.js";
import type { Sandbox } from "../sandbox/sandbox.js";
import type { WorkspaceManager } from "../workspace/workspace-manager.js";
import { acceptEvent } from "../triggers/accept-event.js";
import { eventNumber, type StoredEvent } from "../triggers/stored-event.js";
import { readRawConfig } from "../triggers/read-config.js";

export interface JobRunnerOptions {
  /** Returns an Octokit authenticated as the installation, such as `probot.auth(id)`. */
  auth(installationId: number): Promise<ProbotOctokit>;
  /** Builds the gateway for an Octokit. Tests keep the default. */
  createGateway?: (octokit: ProbotOctokit) => GitHubGateway;
  appId: number;
  createModel: ModelClientFactory;
  sandbox: Sandbox;
  workspaces: WorkspaceManager;
  budgetCeilings?: BudgetCeilings;
  workDir: string;
  statusIntervalMs: number;
  triggerLabel: string;
  log: Logger;
  metrics: Metrics;
  spending: SpendLedger;
  maxDollarsPerDay?: number;
  now?: () => Date;
}

export interface IntakeControls {
  /** Cancels the running run of an issue key; resolves false when none runs. */
  cancelRun(key: string): Promise<boolean>;
}

export interface RunJobOptions {
  signal: AbortSignal;
  resume?: RunCheckpoint;
  onCheckpoint?: CheckpointSink;
}

/** `over-daily-limit`: the installation's daily dollar limit was reached, so the run did not start. */
export type JobOutcome = Omit<RunOutcome, "kind"> & { kind: RunOutcome["kind"] | "over-daily-limit" };

/**
 * The work of one queued job, the same in the embedded queue and in BullMQ workers: intake of a
 * delivery, a run with its daily limit, metrics and spend, and the dead-letter report.
 */
export class JobRunner {
  constructor(private readonly options: JobRunnerOptions) {}

  /**
   * Checks a delivery and returns the run request, or undefined when no run starts. `controls.cancelRun`
   * reaches the issue's running run for `/magic stop` and a removed label.
   */
  async intake(event: StoredEvent, controls: IntakeControls): Promise<RunRequest | undefined> {
    const log = this.options.log.child({ deliveryId: event.deliveryId, repo: `${event.repository.owner}/${event.repository.name}`, issue: eventNumber(event), event: event.kind });
    const octokit = await this.options.auth(event.installationId);
    const repo = { owner: event.repository.owner, repo: event.repository.name };
    return acceptEvent(event, {
      gateway: this.gatewayFor(octokit),
      readConfig: () => readRawConfig(octokit, repo),
      operatorLabel: this.options.triggerLabel,
      ceilingUsd: (this.options.budgetCeilings ?? DEFAULT_CEILINGS).usd,
      cancelRun: controls.cancelRun,
      log,
    });
  }

  /** Runs a request unless its installation is over its daily limit. Records the outcome's metrics and spend. */
  async run(request: RunRequest, job: RunJobOptions): Promise<JobOutcome> {
    const log = this.runLog(request);
    const startedAt = Date.now();
    const octokit = await this.options.auth(request.installationId);
    const gateway = this.gatewayFor(octokit);
    const day = utcDay(this.now());
    const limit = this.options.maxDollarsPerDay;
    const spentToday = limit === undefined ? 0 : await this.options.spending.spent(request.installationId, day);
    if (!withinDailyLimit(spentToday, limit)) {
      log.info({ spentToday, limit }, "run not started: daily dollar limit reached");
      await gateway.ensureStatusComment(issueOf(request), renderStatusComment({ phase: "out-of-budget", detail: dailyLimitMessage(spentToday, limit as number) }), request.statusCommentId);
      this.options.metrics.recordRun("over-daily-limit", Date.now() - startedAt, undefined, 0);
      return { kind: "over-daily-limit", costUsd: 0 };
    }

    const outcome = await executeRun(
      request,
      {
        gateway,
        createModel: this.options.createModel,
        workspaces: this.options.workspaces,
        budgetCeilings: this.options.budgetCeilings,
        sandbox: this.options.sandbox,
        workDir: this.options.workDir,
        statusIntervalMs: this.options.statusIntervalMs,
        log,
        onCheckpoint: job.onCheckpoint,
      },
      job.signal,
      job.resume,
    );
    if (outcome.costUsd > 0) await this.options.spending.add(request.installationId, day, outcome.costUsd);
    this.options.metrics.recordRun(outcome.kind, Date.now() - startedAt, outcome.usage, outcome.costUsd);
    log.info({ outcome: outcome.kind, costUsd: outcome.costUsd, ...outcome.usage }, "run outcome recorded");
    return outcome;
  }

  /**
   * Writes the final status of a job that failed every try. A failure to write it is logged, because
   * the usual cause of a dead job, GitHub being unreachable, also stops this comment.
   */
  async reportDeadLetter(target: { installationId: number; repository: { owner: string; name: string }; issue: { number: number }; statusCommentId?: number }, attempts: number, error: unknown): Promise<void> {
    const log = this.options.log.child({ repo: `${target.repository.owner}/${target.repository.name}`, issue: target.issue.number });
    this.options.metrics.recordRun("dead-letter", 0, undefined, 0);
    log.error({ err: error, attempts }, "job moved to the dead-letter state");
    const detail =
      `Magic PR tried this ${attempts === 1 ? "once" : `${attempts} times`} and stopped, so the job is in the dead-letter state. ` +
      "The operator can find the error in the app's log; re-apply the label to try again.";
    try {
      const gateway = this.gatewayFor(await this.options.auth(target.installationId));
      await gateway.ensureStatusComment(issueOf(target), renderStatusComment({ phase: "failed", detail }), target.statusCommentId);
    } catch (reportError) {
      log.error({ err: reportError }, "reporting the dead-letter state on the issue failed");
    }
  }

  runLog(request: RunRequest): Logger {
    return this.options.log.child({ runId: request.runId, repo: `${request.repository.owner}/${request.repository.name}`, issue: request.issue.number, deliveryId: request.deliveryId });
  }

  private gatewayFor(octokit: ProbotOctokit): GitHubGateway {
    return this.options.createGateway?.(octokit) ?? new OctokitGateway(octokit, this.options.appId);
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }
}

/** The issue or pull request a failed delivery's dead-letter report goes to. */
export function eventTarget(event: StoredEvent) {
  return { installationId: event.installationId, repository: event.repository, issue: { number: eventNumber(event) } };
}

function issueOf(target: { repository: { owner: string; name: string }; issue: { number: number } }) {
  return { owner: target.repository.owner, repo: target.repository.name, number: target.issue.number };
}
