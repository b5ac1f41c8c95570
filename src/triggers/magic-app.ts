import type { Logger } from "pino";
import type { Probot, ProbotOctokit } from "probot";
import type { Settings } from "../config/settings.js";
import type { ModelClient } from "../llm/model-client.js";
import { type GitHubGateway, OctokitGateway } from "../publish/github-gateway.js";
import { RunQueue } from "../queue/run-queue.js";
import { executeRun } from "../run/execute-run.js";
import { issueKey, type RunRequest } from "../run/run-request.js";
import type { Sandbox } from "../sandbox/sandbox.js";
import type { WorkspaceManager } from "../workspace/workspace-manager.js";
import { BackgroundTasks } from "./background-tasks.js";
import { DeliveryLog } from "./delivery-log.js";
import { acceptLabeledIssue } from "./issue-labeled.js";

export interface MagicAppOptions {
  settings: Pick<Settings, "appId" | "concurrency" | "workDir" | "triggerLabel" | "statusIntervalMs">;
  model: ModelClient;
  sandbox: Sandbox;
  workspaces: WorkspaceManager;
  /** Builds the gateway for an Octokit; tests keep the default. */
  createGateway?: (octokit: ProbotOctokit) => GitHubGateway;
}

/**
 * The Probot app: thin webhook handlers that deduplicate deliveries and hand the slow work to
 * background intake and the run queue, so GitHub receives its response at once.
 */
export class MagicApp {
  private readonly deliveries = new DeliveryLog();
  private readonly background = new BackgroundTasks();
  private queue: RunQueue | undefined;

  constructor(private readonly options: MagicAppOptions) {}

  /** The application function to give Probot. */
  readonly load = (app: Probot): void => {
    this.queue = new RunQueue((request, signal) => this.execute(app, request, signal), {
      concurrency: this.options.settings.concurrency,
      log: app.log,
    });
    app.on("issues.labeled", async (context) => {
      if (context.isBot) return;
      if (!this.deliveries.markNew(context.id)) {
        context.log.info("duplicate delivery ignored");
        return;
      }
      this.background.start(context.log, "accepting the labelled issue", () =>
        acceptLabeledIssue(context, {
          gateway: this.gatewayFor(context.octokit),
          operatorLabel: this.options.settings.triggerLabel,
          submit: (request) => this.requireQueue().submit(request),
        }),
      );
    });
  };

  /** Resolves when no intake work and no run is left. */
  async idle(): Promise<void> {
    await this.background.onIdle();
    await this.queue?.onIdle();
    await this.background.onIdle();
    await this.options.workspaces.idle();
  }

  private async execute(app: Probot, request: RunRequest, signal: AbortSignal): Promise<unknown> {
    const log: Logger = app.log.child({ runId: request.runId, repo: `${request.repository.owner}/${request.repository.name}`, issue: request.issue.number, deliveryId: request.deliveryId });
    const octokit = await app.auth(request.installationId);
    return executeRun(
      request,
      { gateway: this.gatewayFor(octokit), model: this.options.model, sandbox: this.options.sandbox, workspaces: this.options.workspaces, workDir: this.options.settings.workDir, statusIntervalMs: this.options.settings.statusIntervalMs, log },
      signal,
    );
  }

  private gatewayFor(octokit: ProbotOctokit): GitHubGateway {
    return this.options.createGateway?.(octokit) ?? new OctokitGateway(octokit, this.options.settings.appId);
  }

  private requireQueue(): RunQueue {
    if (!this.queue) throw new Error("MagicApp.load must run before webhooks arrive");
    return this.queue;
  }

  cancel(request: Pick<RunRequest, "repository" | "issue">): boolean {
    return this.queue?.cancel(issueKey(request)) ?? false;
  }
}
