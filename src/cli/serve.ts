import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { createNodeMiddleware, Probot, ProbotOctokit, run } from "probot";
import { loadSettings, needsAppRegistration, type Settings } from "../config/settings.js";
import { createModelClient, type ModelClient } from "../llm/model-client.js";
import { createLogger } from "../logging.js";
import { ProcessSandbox } from "../sandbox/process-sandbox.js";
import type { Sandbox } from "../sandbox/sandbox.js";
import { MagicApp } from "../triggers/magic-app.js";
import { WorkspaceManager } from "../workspace/workspace-manager.js";

export const WEBHOOK_PATH = "/api/github/webhooks";

export interface ServerHandle {
  url: string;
  magic: MagicApp;
  close(): Promise<void>;
}

export interface ServerOverrides {
  model?: ModelClient;
  sandbox?: Sandbox;
  log?: Logger;
  /** Turns off Octokit's client-side write throttling, which spaces writes a second apart; for tests. */
  unthrottled?: boolean;
}

/** Starts the webhook server on the configured host and port; port 0 picks a free one. */
export async function startServer(settings: Settings, overrides: ServerOverrides = {}): Promise<ServerHandle> {
  const log = overrides.log ?? createLogger(settings.logLevel);
  const Octokit = overrides.unthrottled
    ? ProbotOctokit.defaults((options: Record<string, any>) => ({ ...options, throttle: { ...options.throttle, enabled: false } }))
    : ProbotOctokit;
  const workspaces = new WorkspaceManager({ workDir: settings.workDir, maxMirrorBytes: settings.maxMirrorBytes, log });
  await workspaces.removeStaleWorktrees();
  const probot = new Probot({ appId: settings.appId, privateKey: settings.privateKey, secret: settings.webhookSecret, log, Octokit });
  const magic = new MagicApp({
    settings,
    model: overrides.model ?? createModelClient(settings.model),
    sandbox: overrides.sandbox ?? new ProcessSandbox(),
    workspaces,
  });
  const middleware = await createNodeMiddleware(magic.load, { probot, webhooksPath: WEBHOOK_PATH });
  const server = createServer((request, response) => {
    void middleware(request, response, () => {
      response.writeHead(404, { "content-type": "text/plain" }).end("Not found\n");
    });
  });
  await listen(server, settings.port, settings.host);
  const { port } = server.address() as AddressInfo;
  const url = `http://${settings.host.includes(":") ? `[${settings.host}]` : settings.host}:${port}`;
  log.info({ url, webhookPath: WEBHOOK_PATH, model: settings.model.provider }, "Magic PR is listening");
  return {
    url,
    magic,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await magic.idle();
    },
  };
}

function listen(server: HttpServer, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/** `magic serve`: the registration page when the app has no credentials yet, else the webhook server. */
export async function serve(env: NodeJS.ProcessEnv): Promise<void> {
  if (needsAppRegistration(env)) {
    // Probot would otherwise create a smee.io channel, which sends traffic to a third party by default.
    env.NO_SMEE_SETUP ??= "true";
    await run(() => {}, { env });
    return;
  }
  const settings = loadSettings(env);
  await startServer(settings);
}
