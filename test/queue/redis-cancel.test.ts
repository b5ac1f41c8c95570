import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Queue } from "bullmq";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { fetchWithBaseUrl } from "../../src/cli/app-parts.js";
import { parseRepoConfig } from "../../src/config/repo-config.js";
import { createModelClient } from "../../src/llm/create-model-client.js";
import { Metrics } from "../../src/ops/metrics.js";
import { JobRunner } from "../../src/queue/job-runner.js";
import { INTAKE_QUEUE, jobIdOf, RUN_QUEUE, type RunJobData } from "../../src/queue/redis/connection.js";
import { RedisWorkers } from "../../src/queue/redis/redis-workers.js";
import { ProcessSandbox } from "../../src/sandbox/process-sandbox.js";
import type { CommentEvent } from "../../src/triggers/stored-event.js";
import { WorkspaceManager } from "../../src/workspace/workspace-manager.js";
import { scriptedModelSettings } from "../helpers/app-harness.js";
import { testPrivateKey } from "../helpers/app-key.js";
import { BUGGY_PROJECT, createBareRemote, type BareRemote } from "../helpers/git-repository.js";
import { APP_ID, INSTALLATION_ID } from "../helpers/github-api.js";
import { startModelServer, type ModelServer } from "../helpers/model-server.js";
import { waitUntil } from "../ops/app-process.js";
import { type FakeGitHub, startFakeGitHub } from "../ops/fake-github.js";
import { isolatedPrefix } from "../ops/redis-prefix.js";
import { runRequestFixture } from "./run-request-fixture.js";

const log = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });

describe("cancel across Redis workers", () => {
  let github: FakeGitHub;
  let redisPrefix: ReturnType<typeof isolatedPrefix>;
  let remote: BareRemote;
  let model: ModelServer;
  let workDir: string;
  let workers: RedisWorkers | undefined;
  let release = () => {};

  beforeEach(async () => {
    github = await startFakeGitHub();
    redisPrefix = isolatedPrefix();
    remote = createBareRemote(BUGGY_PROJECT);
    workDir = mkdtempSync(path.join(tmpdir(), "magic-cancel-"));
  });

  afterEach(async () => {
    release();
    await workers?.shutdown(0);
    await model?.close();
    await github.close();
    await redisPrefix.cleanup();
    remote.cleanup();
    rmSync(workDir, { recursive: true, force: true });
  });

  test("stop comment cancels a run in a worker", async () => {
    let modelCalled = false;
    const held = new Promise<string>((resolve) => {
      release = () => resolve("unused");
    });
    model = await startModelServer([
      () => {
        modelCalled = true;
        return held;
      },
    ]);
    const Octokit = ProbotOctokit.defaults((options: Record<string, any>) => ({ ...options, throttle: { enabled: false } }));
    const probot = new Probot({ appId: APP_ID, privateKey: testPrivateKey(), baseUrl: github.url, log, Octokit, request: { fetch: fetchWithBaseUrl(github.url) } });
    const runner = new JobRunner({
      auth: (installationId) => probot.auth(installationId),
      appId: APP_ID,
      createModel: () => createModelClient(scriptedModelSettings(model.baseUrl)),
      sandbox: new ProcessSandbox(),
      workDir,
      workspaces: new WorkspaceManager({ workDir, maxMirrorBytes: 1e9, log, spareWorktrees: false }),
      statusIntervalMs: 0,
      triggerLabel: "magic",
      log,
      metrics: new Metrics({ processMetrics: false }),
      spending: { spent: async () => 0, add: async () => {} },
    });
    workers = new RedisWorkers({ redis: redisPrefix.redis, prefix: redisPrefix.prefix, runner, concurrency: 1, lockMs: 900, retry: { attempts: 1, retryDelayMs: 50 }, log });
    const config = parseRepoConfig({ candidates: 1 });
    if (!config.ok) throw new Error("config must parse");
    const request = runRequestFixture(12, { repository: { owner: "octo-org", name: "calculator", cloneUrl: remote.url, defaultBranch: "main" }, config: config.config });
    const runs = new Queue(RUN_QUEUE, { connection: redisPrefix.redis, prefix: redisPrefix.prefix });
    const intake = new Queue(INTAKE_QUEUE, { connection: redisPrefix.redis, prefix: redisPrefix.prefix });
    await runs.add("run", { request } satisfies RunJobData, { jobId: jobIdOf("run", request.deliveryId) });
    workers.start();
    await waitUntil("the model receives the run's first request", () => modelCalled, 30_000);

    const stop: CommentEvent = {
      kind: "comment",
      deliveryId: "delivery-stop",
      installationId: INSTALLATION_ID,
      repository: request.repository,
      sender: "maintainer",
      receivedAt: new Date().toISOString(),
      issue: { number: 12, title: request.issue.title, body: null, state: "open", locked: false, isPullRequest: false, labels: ["magic"] },
      comment: { id: 9001, body: "/magic stop", author: "maintainer" },
    };
    await intake.add(stop.kind, stop, { jobId: jobIdOf("intake", stop.deliveryId) });
    await waitUntil("the status comment shows the cancelled run", () => github.statusCommentOf("octo-org/calculator", 12)?.body.includes("Cancelled") ?? false, 30_000);
    await runs.close();
    await intake.close();

    const replies = github.comments.filter((comment) => comment.issue === "octo-org/calculator#12" && !comment.body.includes("magic-pr:status"));
    expect(replies.map((comment) => comment.body)).toEqual(["Stopping the run of #12."]);
    expect(github.unexpected).toEqual([]);
    expect(remote.hasBranch("magic/issue-12")).toBe(false);
  });
});
