import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import path from "node:path";
import { performance } from "node:perf_hooks";
import type { Logger } from "pino";
import { createNodeMiddleware, run } from "probot";
import { loadSettings, needsAppRegistration, type Settings } from "../config/settings.js";
import { handleOperationsRequest } from "../ops/http-routes.js";
import { Metrics } from "../ops/metrics.js";
import type { DeliveryIntake } from "../queue/delivery-intake.js";
import { EmbeddedQueue } from "../queue/embedded-queue.js";
import { RunJournal } from "../queue/journal.js";
import { connectRedis } from "../queue/redis/connection.js";
import { RedisIntake } from "../queue/redis/redis-intake.js";
import { MagicApp } from "../triggers/magic-app.js";
import { chooseSandbox, createJobRunner, openWorkspaces, createProbot, processLogger, type ServerOverrides } from "./app-parts.js";
import { closeServer, listen } from "./http-listen.js";
import { runUntilSignal } from "./signals.js";

export const WEBHOOK_PATH = "/api/github/webhooks";
/** File of the embedded queue's journal inside the work folder. */
export const JOURNAL_FILE = "journal.sqlite";

export type { ServerOverrides };

export interface ServerHandle {
  url: string;
  magic: MagicApp;
  metrics: Metrics;
  /** Stops accepting webhooks, lets every accepted delivery and run finish, and releases the queue. */
  close(): Promise<void>;
  /**
   * Stops accepting webhooks and starting runs, gives running runs the grace period, then interrupts
   * them. The journal or Redis keeps them for the next process.
   */
  shutdown(): Promise<void>;
}

interface Intake {
  intake: DeliveryIntake;
  /** Waits for the intake's own work. Used by `close`. */
  drain(): Promise<void>;
  /** Interrupts the intake's own work after the grace period. Used by `shutdown`. */
  interrupt(graceMs: number): Promise<void>;
  release(): Promise<void>;
}

/** Starts the webhook server on the configured host and port; port 0 picks a free one. */
export async function startServer(settings: Settings, overrides: ServerOverrides = {}): Promise<ServerHandle> {
  const log = processLogger(settings, overrides);
  const probot = createProbot(settings, log, overrides);
  const metrics = new Metrics();
  const parts = settings.operations.redisUrl ? redisIntake(settings, log) : await embeddedIntake(settings, probot, log, metrics, overrides);
  metrics.reportQueueDepthFrom(() => parts.intake.queueDepth());
  const magic = new MagicApp({ intake: parts.intake, metrics });
  const middleware = await createNodeMiddleware(magic.load, { probot, webhooksPath: WEBHOOK_PATH });
  const routes = { metrics, unreadyReason: () => parts.intake.unreadyReason() };
  const server = createServer((request, response) => {
    if (handleOperationsRequest(request, response, routes)) return;
    if (request.url?.startsWith(WEBHOOK_PATH)) observeWebhookLatency(request, response, metrics);
    void middleware(request, response, () => {
      response.writeHead(404, { "content-type": "text/plain" }).end("Not found\n");
    });
  });
  const url = await listen(server, settings.port, settings.host);
  const mode = settings.operations.redisUrl ? "redis" : "embedded";
  log.info({ url, webhookPath: WEBHOOK_PATH, model: settings.model.modelId, queue: mode }, "Magic PR is listening");
  return {
    url,
    magic,
    metrics,
    close: async () => {
      await closeServer(server);
      await parts.drain();
      await parts.release();
    },
    shutdown: async () => {
      log.info({ graceMs: settings.operations.shutdownGraceMs }, "shutting down");
      await closeServer(server);
      await parts.interrupt(settings.operations.shutdownGraceMs);
      await parts.release();
      log.info("shut down");
    },
  };
}

/** Builds the default intake: a SQLite journal, with intake and runs in this process, resumed from the journal on start. */
async function embeddedIntake(settings: Settings, probot: ReturnType<typeof createProbot>, log: Logger, metrics: Metrics, overrides: ServerOverrides): Promise<Intake> {
  const sandbox = await chooseSandbox(settings, log, overrides);
  const journal = new RunJournal(path.join(settings.workDir, JOURNAL_FILE), log);
  const workspaces = await openWorkspaces(settings, log);
  const runner = createJobRunner(settings, probot, { log, metrics, spending: journal, overrides, sandbox, workspaces });
  const queue = new EmbeddedQueue({
    journal,
    runner,
    concurrency: settings.concurrency,
    maxRunsPerInstallation: settings.operations.maxRunsPerInstallation,
    attempts: settings.operations.jobAttempts,
    retryDelayMs: settings.operations.retryDelayMs,
    log,
  });
  const resumed = queue.resume();
  if (resumed > 0) log.info({ deliveries: resumed }, "resumed unfinished deliveries from the journal");
  return {
    intake: queue,
    drain: async () => {
      await queue.idle();
      await workspaces.idle();
    },
    interrupt: (graceMs) => queue.shutdown(graceMs),
    release: async () => {
      await workspaces.idle();
      journal.close();
    },
  };
}

/** With REDIS_URL: this process only records deliveries and enqueues them. `magic worker` does the rest. */
function redisIntake(settings: Settings, log: Logger): Intake {
  const redis = connectRedis(settings.operations.redisUrl as string);
  redis.on("error", (error) => log.error({ err: error }, "Redis connection error"));
  const intake = new RedisIntake(redis, {
    prefix: settings.operations.queuePrefix,
    retry: { attempts: settings.operations.jobAttempts, retryDelayMs: settings.operations.retryDelayMs },
  });
  const release = async () => {
    await intake.close();
    redis.disconnect();
  };
  return { intake, drain: async () => {}, interrupt: async () => {}, release };
}

function observeWebhookLatency(request: IncomingMessage, response: ServerResponse, metrics: Metrics): void {
  const startedAt = performance.now();
  response.once("finish", () => {
    const event = String(request.headers["x-github-event"] ?? "unknown");
    metrics.webhookLatency.observe({ event, status: String(response.statusCode) }, (performance.now() - startedAt) / 1000);
  });
}

/** `magic serve`: the registration page when the app has no credentials yet, else the webhook server. */
export async function serve(env: NodeJS.ProcessEnv): Promise<void> {
  if (needsAppRegistration(env)) {
    // Probot would otherwise create a smee.io channel, which sends traffic to a third party by default.
    env.NO_SMEE_SETUP ??= "true";
    await run(() => {}, { env });
    await runUntilSignal(async () => {});
    return;
  }
  const settings = loadSettings(env);
  const handle = await startServer(settings);
  await runUntilSignal(() => handle.shutdown());
}
