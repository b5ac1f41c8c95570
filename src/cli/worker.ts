import { createServer } from "node:http";
import { loadSettings, SettingsError, type Settings } from "../config/settings.js";
import { handleOperationsRequest } from "../ops/http-routes.js";
import { Metrics } from "../ops/metrics.js";
import { connectRedis, redisKeys } from "../queue/redis/connection.js";
import { RedisSpendLedger } from "../queue/redis/redis-spend-ledger.js";
import { RedisWorkers } from "../queue/redis/redis-workers.js";
import { chooseSandbox, createJobRunner, openWorkspaces, createProbot, processLogger, type ServerOverrides } from "./app-parts.js";
import { closeServer, listen } from "./http-listen.js";
import { runUntilSignal } from "./signals.js";

export interface WorkerHandle {
  /** URL of the worker's `/healthz`, `/readyz` and `/metrics` server. */
  url: string;
  metrics: Metrics;
  /** Stops taking jobs, gives running runs the grace period, requeues the rest, and closes. */
  shutdown(): Promise<void>;
}

/** Starts a BullMQ worker process and its operations server on the configured host and port. */
export async function startWorker(settings: Settings, overrides: ServerOverrides = {}): Promise<WorkerHandle> {
  const redisUrl = settings.operations.redisUrl;
  if (!redisUrl) throw new SettingsError(["REDIS_URL is missing: `magic worker` takes jobs from Redis, so set REDIS_URL such as redis://127.0.0.1:6379"]);
  const log = processLogger(settings, overrides);
  const probot = createProbot(settings, log, overrides);
  const metrics = new Metrics();
  const redis = connectRedis(redisUrl);
  redis.on("error", (error) => log.error({ err: error }, "Redis connection error"));
  const keys = redisKeys(settings.operations.queuePrefix);
  const sandbox = await chooseSandbox(settings, log, overrides);
  const workspaces = await openWorkspaces(settings, log);
  const runner = createJobRunner(settings, probot, { log, metrics, spending: new RedisSpendLedger(redis, keys), overrides, sandbox, workspaces });
  const workers = new RedisWorkers({
    redis,
    prefix: settings.operations.queuePrefix,
    runner,
    concurrency: settings.concurrency,
    maxRunsPerInstallation: settings.operations.maxRunsPerInstallation,
    lockMs: settings.operations.jobLockMs,
    retry: { attempts: settings.operations.jobAttempts, retryDelayMs: settings.operations.retryDelayMs },
    log,
  });
  metrics.reportQueueDepthFrom(() => workers.queueDepth());
  const routes = { metrics, unreadyReason: () => workers.unreadyReason() };
  const server = createServer((request, response) => {
    if (handleOperationsRequest(request, response, routes)) return;
    response.writeHead(404, { "content-type": "text/plain" }).end("Not found\n");
  });
  const url = await listen(server, settings.port, settings.host);
  workers.start();
  log.info({ url, pid: process.pid }, "Magic PR worker is running");
  return {
    url,
    metrics,
    shutdown: async () => {
      log.info({ graceMs: settings.operations.shutdownGraceMs }, "worker shutting down");
      await workers.shutdown(settings.operations.shutdownGraceMs);
      await workspaces.idle();
      await closeServer(server);
      redis.disconnect();
      log.info("worker shut down");
    },
  };
}

/** `magic worker`: processes jobs until SIGTERM or SIGINT. */
export async function worker(env: NodeJS.ProcessEnv): Promise<void> {
  const settings = loadSettings(env);
  const handle = await startWorker(settings);
  await runUntilSignal(() => handle.shutdown());
}
