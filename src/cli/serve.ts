import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "pino";
import { createNodeMiddleware, Probot, ProbotOctokit, run } from "probot";
import { loadSettings, needsAppRegistration, type Settings, SettingsError } from "../config/settings.js";
import { createModelClient, type ModelClientFactory } from "../llm/create-model-client.js";
import type { ModelClient } from "../llm/model-client.js";
import { createLogger } from "../logging.js";
import { type Sandbox, SandboxError } from "../sandbox/sandbox.js";
import { selectSandbox } from "../sandbox/select.js";
import { MagicApp } from "../triggers/magic-app.js";

export const WEBHOOK_PATH = "/api/github/webhooks";

export interface ServerHandle {
  url: string;
  magic: MagicApp;
  close(): Promise<void>;
}

export interface ServerOverrides {
  /** One client for every run, in place of the clients built from the model settings. */
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
  const probot = new Probot({ appId: settings.appId, privateKey: settings.privateKey, secret: settings.webhookSecret, log, Octokit });
  const fixedModel = overrides.model;
  // Building the default client up front makes a broken model setting stop the start, not a run.
  if (!fixedModel) createModelClient(settings.model);
  const createModel: ModelClientFactory = fixedModel
    ? () => fixedModel
    : ({ modelId, runId, log: runLog }) => createModelClient(settings.model, modelId, { runId, log: runLog });
  const magic = new MagicApp({
    settings,
    createModel,
    sandbox: overrides.sandbox ?? (await chooseSandbox(settings, log)),
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
  log.info({ url, webhookPath: WEBHOOK_PATH, model: settings.model.modelId }, "Magic PR is listening");
  return {
    url,
    magic,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await magic.idle();
    },
  };
}

/** Selects the sandbox named by the settings; one that cannot run stops start-up like any invalid setting. */
async function chooseSandbox(settings: Settings, log: Logger): Promise<Sandbox> {
  try {
    return await selectSandbox({ kind: settings.sandbox.kind, dockerImage: settings.sandbox.dockerImage, readOnlyPaths: settings.sandbox.readOnlyPaths, log });
  } catch (error) {
    if (error instanceof SandboxError) throw new SettingsError([error.message]);
    throw error;
  }
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
