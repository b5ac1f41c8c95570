import { Queue } from "bullmq";
import { WorkspaceManager } from "../../src/workspace/workspace-manager.js";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { createModelClient } from "../../src/llm/create-model-client.js";
import { scriptedModelSettings } from "../helpers/app-harness.js";
import { Metrics } from "../../src/ops/metrics.js";
import { JobRunner } from "../../src/queue/job-runner.js";
import { jobIdOf, RUN_QUEUE, type RunJobData, redisKeys } from "../../src/queue/redis/connection.js";
import { RedisWorkers } from "../../src/queue/redis/redis-workers.js";
import { ProcessSandbox } from "../../src/sandbox/process-sandbox.js";
import { testPrivateKey } from "../helpers/app-key.js";
import { defaultOperationsSettings } from "../../src/config/settings.js";
import { startApp } from "../helpers/app-harness.js";
import { APP_ID, commentResponse, INSTALLATION_ID, mockInstallationToken, strictGitHub } from "../helpers/github-api.js";
import { startModelServer } from "../helpers/model-server.js";
import { deliverWebhook, labeledIssuePayload } from "../helpers/webhooks.js";
import { waitUntil } from "../ops/app-process.js";
import { type FakeGitHub, startFakeGitHub } from "../ops/fake-github.js";
import { isolatedPrefix } from "../ops/redis-prefix.js";
import { runRequestFixture } from "./run-request-fixture.js";

const log = pino({ level: process.env.TEST_LOG_LEVEL ?? "silent" });

describe("dead-letter state", () => {
  let github: FakeGitHub;
  let redisPrefix: ReturnType<typeof isolatedPrefix>;
  let workers: RedisWorkers | undefined;

  beforeEach(async () => {
    github = await startFakeGitHub();
    redisPrefix = isolatedPrefix();
  });

  afterEach(async () => {
    await workers?.shutdown(0);
    await github.close();
    await redisPrefix.cleanup();
  });

  test("run failing every try is reported", async () => {
    const Octokit = ProbotOctokit.defaults((options: Record<string, any>) => ({ ...options, throttle: { enabled: false } }));
    const probot = new Probot({ appId: APP_ID, privateKey: testPrivateKey(), baseUrl: github.url, log, Octokit });
    let authCalls = 0;
    const attempts = 3;
    const runner = new JobRunner({
      // GitHub refuses the first tries, as during an outage, so every try of the run fails before it starts.
      auth: async (installationId) => {
        authCalls += 1;
        if (authCalls <= attempts) throw new Error("GitHub answered 503 Service Unavailable");
        return probot.auth(installationId);
      },
      appId: APP_ID,
      createModel: () => createModelClient(scriptedModelSettings("http://127.0.0.1:9/v1")),
      sandbox: new ProcessSandbox(),
      workDir: "/nonexistent",
      workspaces: new WorkspaceManager({ workDir: "/nonexistent", maxMirrorBytes: 1e9, log: pino({ level: "silent" }) }),
      statusIntervalMs: 0,
      triggerLabel: "magic",
      log,
      metrics: new Metrics({ processMetrics: false }),
      spending: { spent: async () => 0, add: async () => {} },
    });
    workers = new RedisWorkers({
      redis: redisPrefix.redis,
      prefix: redisPrefix.prefix,
      runner,
      concurrency: 1,
      lockMs: 2_000,
      retry: { attempts, retryDelayMs: 50 },
      log,
    });
    const runs = new Queue(RUN_QUEUE, { connection: redisPrefix.redis, prefix: redisPrefix.prefix });
    const jobId = jobIdOf("run", "delivery-dead-letter");
    await runs.add("run", { request: runRequestFixture(12, { deliveryId: "delivery-dead-letter" }) } satisfies RunJobData, { jobId, attempts, backoff: { type: "exponential", delay: 50 } });

    workers.start();
    await waitUntil("the status comment reports the dead-letter state", () => github.statusCommentOf("octo-org/calculator", 12)?.body.includes("dead-letter") ?? false, 30_000);
    const state = await runs.getJobState(jobId);
    await runs.close();

    expect(state).toBe("failed");
    expect(authCalls).toBe(attempts + 1);
    expect(github.statusCommentOf("octo-org/calculator", 12)?.body).toContain("tried this 3 times");
    expect(github.unexpected).toEqual([]);
    expect(await redisPrefix.redis.exists(redisKeys(redisPrefix.prefix).issueLock("octo-org/calculator#12"))).toBe(0);
    expect(await redisPrefix.redis.exists(redisKeys(redisPrefix.prefix).deadLetterReported(jobId))).toBe(1);
  });

  test("embedded intake failing every try is reported", async () => {
    const nockGitHub = strictGitHub();
    const model = await startModelServer(["unused"]);
    const app = await startApp(model.baseUrl, { operations: defaultOperationsSettings({ jobAttempts: 2, retryDelayMs: 10 }) });
    try {
      let statusBody = "";
      mockInstallationToken(nockGitHub.api);
      nockGitHub.api.get("/repos/octo-org/calculator/contents/.github%2Fmagic.yml").times(2).reply(404, { message: "Not Found" });
      nockGitHub.api.get("/repos/octo-org/.github/contents/.github%2Fmagic.yml").times(2).reply(404, { message: "Not Found" });
      nockGitHub.api
        .get("/repos/octo-org/calculator/collaborators/maintainer/permission")
        .times(2)
        .reply(403, { message: "Resource not accessible by integration" });
      nockGitHub.api.get("/repos/octo-org/calculator/issues/1/comments").query(true).reply(200, []);
      nockGitHub.api.post("/repos/octo-org/calculator/issues/1/comments").reply(201, (_uri, body: any) => {
        statusBody = body.body;
        return commentResponse(100, body.body);
      });

      const status = await deliverWebhook(app.webhookUrl, "issues", labeledIssuePayload({ cloneUrl: "file:///nonexistent", installationId: INSTALLATION_ID }));
      await app.server.magic.idle();

      expect(status).toBe(200);
      nockGitHub.verify();
      expect(statusBody).toContain("tried this 2 times");
      expect(statusBody).toContain("dead-letter");
      expect(model.requests).toHaveLength(0);
    } finally {
      await app.close();
      await model.close();
      nockGitHub.reset();
    }
  });
});
