import type { Logger } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { type Settings, SettingsError } from "../config/settings.js";
import { createModelClient, type ModelClientFactory } from "../llm/create-model-client.js";
import type { ModelClient } from "../llm/model-client.js";
import { createLogger } from "../logging.js";
import type { SpendLedger } from "../ops/daily-spend.js";
import type { Metrics } from "../ops/metrics.js";
import type { GitHubGateway } from "../publish/github-gateway.js";
import { JobRunner } from "../queue/job-runner.js";
import { type Sandbox, SandboxError } from "../sandbox/sandbox.js";
import { selectSandbox } from "../sandbox/select.js";
import { WorkspaceManager } from "../workspace/workspace-manager.js";

/** Parts a test swaps for local ones. Production keeps the defaults. */
export interface ServerOverrides {
  /** One client for every run, in place of the clients built from the model settings. */
  model?: ModelClient;
  sandbox?: Sandbox;
  log?: Logger;
  /** Turns off Octokit's client-side write throttling, which spaces writes a second apart. Tests use it. */
  unthrottled?: boolean;
  createGateway?: (octokit: ProbotOctokit) => GitHubGateway;
}

/** Creates the app's Probot instance for the configured GitHub API. */
export function createProbot(settings: Settings, log: Logger, overrides: ServerOverrides): Probot {
  const Octokit = overrides.unthrottled || !settings.operations.githubWriteThrottle
    ? ProbotOctokit.defaults((options: Record<string, any>) => ({ ...options, throttle: { ...options.throttle, enabled: false } }))
    : ProbotOctokit;
  const baseUrl = settings.operations.githubApiUrl;
  return new Probot({
    appId: settings.appId,
    privateKey: settings.privateKey,
    secret: settings.webhookSecret,
    baseUrl,
    log,
    Octokit,
    request: baseUrl === DEFAULT_GITHUB_API_URL ? undefined : { fetch: fetchWithBaseUrl(baseUrl) },
  });
}

const DEFAULT_GITHUB_API_URL = "https://api.github.com";

/**
 * Sends requests addressed to api.github.com to `baseUrl` instead.
 * NOTE: Probot 14.3 gives the app's auth strategy a request without its `baseUrl`, so
 * `octokit.auth({ type: "installation" })` would ask api.github.com for a GitHub Enterprise Server
 * token. Probot passes this fetch to that request too, which keeps every call on `baseUrl`.
 */
export function fetchWithBaseUrl(baseUrl: string, fetchImplementation: typeof fetch = fetch): typeof fetch {
  return (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (!url.startsWith(`${DEFAULT_GITHUB_API_URL}/`)) return fetchImplementation(input, init);
    const rewritten = baseUrl + url.slice(DEFAULT_GITHUB_API_URL.length);
    return fetchImplementation(input instanceof Request ? new Request(rewritten, input) : rewritten, init);
  };
}

export function processLogger(settings: Settings, overrides: ServerOverrides): Logger {
  return overrides.log ?? createLogger(settings.logLevel);
}

/**
 * Returns the factory of per-run model clients. Building the default client up front makes a broken
 * model setting stop the start, not a run.
 */
export function modelClientFactory(settings: Settings, overrides: ServerOverrides): ModelClientFactory {
  const fixedModel = overrides.model;
  if (fixedModel) return () => fixedModel;
  createModelClient(settings.model);
  return ({ modelId, runId, log }) => createModelClient(settings.model, modelId, { runId, log });
}

/** Selects the sandbox named by the settings; one that cannot run stops start-up like any invalid setting. */
export async function chooseSandbox(settings: Settings, log: Logger, overrides: ServerOverrides): Promise<Sandbox> {
  if (overrides.sandbox) return overrides.sandbox;
  try {
    return await selectSandbox({ kind: settings.sandbox.kind, dockerImage: settings.sandbox.dockerImage, readOnlyPaths: settings.sandbox.readOnlyPaths, log });
  } catch (error) {
    if (error instanceof SandboxError) throw new SettingsError([error.message]);
    throw error;
  }
}

/** Creates the process's workspace manager and removes worktrees that a crashed process left behind. */
export async function openWorkspaces(settings: Settings, log: Logger): Promise<WorkspaceManager> {
  const workspaces = new WorkspaceManager({ workDir: settings.workDir, maxMirrorBytes: settings.maxMirrorBytes, log });
  await workspaces.removeStaleWorktrees();
  return workspaces;
}

/** Builds the runner of intake and run jobs shared by the embedded queue and `magic worker`. */
export function createJobRunner(
  settings: Settings,
  probot: Probot,
  parts: { log: Logger; metrics: Metrics; spending: SpendLedger; overrides: ServerOverrides; sandbox: Sandbox; workspaces: WorkspaceManager },
): JobRunner {
  return new JobRunner({
    auth: (installationId) => probot.auth(installationId),
    createGateway: parts.overrides.createGateway,
    appId: settings.appId,
    createModel: modelClientFactory(settings, parts.overrides),
    sandbox: parts.sandbox,
    workspaces: parts.workspaces,
    budgetCeilings: settings.budgetCeilings,
    workDir: settings.workDir,
    statusIntervalMs: settings.statusIntervalMs,
    triggerLabel: settings.triggerLabel,
    log: parts.log,
    metrics: parts.metrics,
    spending: parts.spending,
    maxDollarsPerDay: settings.operations.maxDollarsPerDay,
  });
}

