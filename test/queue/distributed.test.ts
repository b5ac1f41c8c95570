import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Queue } from "bullmq";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { RUN_QUEUE } from "../../src/queue/redis/connection.js";
import { BUGGY_PROJECT, createBareRemote, type BareRemote } from "../helpers/git-repository.js";
import { INSTALLATION_ID } from "../helpers/github-api.js";
import { searchReplaceBlock } from "../helpers/model-server.js";
import { deliverWebhook, labeledIssuePayload } from "../helpers/webhooks.js";
import { type AppProcess, appEnvironment, startAppProcess, waitUntil } from "../ops/app-process.js";
import { type FakeGitHub, startFakeGitHub } from "../ops/fake-github.js";
import { isolatedPrefix, REDIS_URL } from "../ops/redis-prefix.js";
import { type ScriptedModel, startScriptedModel } from "../ops/scripted-model.js";

const REPO = "octo-org/calculator";
const RIGHT_EDIT = searchReplaceBlock("src/math.js", "  return a - b;", "  return a + b;");
/** A test command that passes once the fix is in, without starting Node for every run. */
const QUICK_TEST_CONFIG = 'test_command: grep -q "a + b" src/math.js\ncandidates: 1\n';

describe("distributed queue", () => {
  let github: FakeGitHub;
  let remote: BareRemote;
  let model: ScriptedModel | undefined;
  let redisPrefix: ReturnType<typeof isolatedPrefix>;
  let workDirs: string[];
  let processes: AppProcess[];

  beforeEach(async () => {
    github = await startFakeGitHub();
    remote = createBareRemote(BUGGY_PROJECT);
    redisPrefix = isolatedPrefix();
    workDirs = [];
    processes = [];
    github.configs.set(REPO, QUICK_TEST_CONFIG);
  });

  afterEach(async () => {
    await Promise.all(processes.map((child) => child.stop()));
    await model?.close();
    await github.close();
    await redisPrefix.cleanup();
    remote.cleanup();
    for (const directory of workDirs) rmSync(directory, { recursive: true, force: true });
  });

  async function start(command: "serve" | "worker", extra: Record<string, string> = {}): Promise<AppProcess> {
    const workDir = mkdtempSync(path.join(tmpdir(), `magic-${command}-`));
    workDirs.push(workDir);
    const env = appEnvironment({
      githubUrl: github.url,
      modelBaseUrl: (model as ScriptedModel).baseUrl,
      workDir,
      extra: { REDIS_URL, MAGIC_QUEUE_PREFIX: redisPrefix.prefix, MAGIC_JOB_LOCK_SECONDS: "2", MAGIC_RETRY_DELAY_SECONDS: "0.2", ...extra },
    });
    const child = await startAppProcess(command, env);
    processes.push(child);
    return child;
  }

  function labelIssue(server: AppProcess, issue: number, deliveryId: string = randomUUID()): Promise<number> {
    const payload = labeledIssuePayload({ cloneUrl: remote.url, installationId: INSTALLATION_ID, issueNumber: issue, title: `Issue ${issue}: add() subtracts` });
    return deliverWebhook(`${server.url}/api/github/webhooks`, "issues", payload, deliveryId);
  }

  function finishedIssues(): number {
    return github.comments.filter((comment) => comment.body.includes("magic-pr:status") && comment.body.includes("Done")).length;
  }

  test("fifty issues make fifty pull requests", async () => {
    model = await startScriptedModel(() => RIGHT_EDIT);
    const server = await start("serve");
    const secondServer = await start("serve");
    const workers = [await start("worker", { MAGIC_CONCURRENCY: "2" }), await start("worker", { MAGIC_CONCURRENCY: "2" })];
    const deliveryIds = Array.from({ length: 50 }, () => randomUUID());

    const statuses = await Promise.all(deliveryIds.map((deliveryId, index) => labelIssue(server, index + 1, deliveryId)));
    // GitHub may redeliver to another replica behind a load balancer, so the duplicates go to a second server.
    const redelivered = await Promise.all(deliveryIds.slice(0, 10).map((deliveryId, index) => labelIssue(secondServer, index + 1, deliveryId)));
    await waitUntil("50 status comments say Done", () => finishedIssues() === 50, 240_000);

    expect(statuses.every((status) => status === 200)).toBe(true);
    expect(redelivered.every((status) => status === 200)).toBe(true);
    expect(github.unexpected).toEqual([]);
    expect(github.pullRequestCreations).toHaveLength(50);
    expect(new Set(github.pullRequests.map((pull) => pull.head)).size).toBe(50);
    expect(github.comments.filter((comment) => comment.body.includes("magic-pr:status"))).toHaveLength(50);
    expect(model.requests).toHaveLength(50);
    expect(new Set(model.requests.map((request) => request.issue)).size).toBe(50);
    for (const worker of workers) expect(worker.logs.some((line) => line.msg === "run started")).toBe(true);
    expect(remote.readFile("magic/issue-50", "src/math.js")).toContain("a + b");
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    const secondMetrics = await (await fetch(`${secondServer.url}/metrics`)).text();
    expect(metrics).toContain('magic_webhook_deliveries_total{result="accepted"} 50');
    expect(secondMetrics).toContain('magic_webhook_deliveries_total{result="duplicate"} 10');
    expect(secondMetrics).not.toContain('magic_webhook_deliveries_total{result="accepted"}');
  }, 300_000);

  test("killed worker's run finishes on another", async () => {
    let held = true;
    model = await startScriptedModel(async () => {
      // The first request stays open: its worker is killed while it waits.
      if (held) {
        held = false;
        return new Promise<string>(() => {});
      }
      return RIGHT_EDIT;
    });
    const server = await start("serve");
    const doomed = await start("worker");

    await labelIssue(server, 7);
    await waitUntil("the model received the first request", () => model?.requests.length === 1);
    const survivor = await start("worker");
    doomed.child.kill("SIGKILL");
    await doomed.exited;
    await waitUntil("the status comment says Done", () => finishedIssues() === 1, 60_000);

    expect(github.unexpected).toEqual([]);
    expect(github.pullRequestCreations).toEqual([{ repo: REPO, head: "magic/issue-7" }]);
    expect(github.comments.filter((comment) => comment.body.includes("magic-pr:status"))).toHaveLength(1);
    expect(model.requests).toHaveLength(2);
    expect(survivor.logs.some((line) => line.msg === "run resumed" && line.issue === 7 && line.resumeFrom === "attempt")).toBe(true);
  }, 90_000);

  test("SIGTERM requeues the running run", async () => {
    let release: (() => void) | undefined;
    model = await startScriptedModel(async (request) => {
      if (model?.requests.indexOf(request) === 0) await new Promise<void>((resolve) => (release = resolve));
      return RIGHT_EDIT;
    });
    const server = await start("serve");
    const stopping = await start("worker", { MAGIC_SHUTDOWN_GRACE_SECONDS: "0.5" });
    const runs = new Queue(RUN_QUEUE, { connection: redisPrefix.redis, prefix: redisPrefix.prefix });

    await labelIssue(server, 3);
    await waitUntil("the model received the first request", () => model?.requests.length === 1);
    stopping.child.kill("SIGTERM");
    const exitCode = await stopping.exited;
    const counts = await runs.getJobCounts("waiting", "delayed", "active", "failed", "completed");
    const [job] = await runs.getJobs(["waiting", "delayed"]);
    const statusAfterStop = github.statusCommentOf(REPO, 3)?.body ?? "";
    release?.();
    await start("worker");
    await waitUntil("the status comment says Done", () => finishedIssues() === 1, 60_000);
    await runs.close();

    expect(exitCode).toBe(0);
    expect(stopping.logs.some((line) => line.msg === "run interrupted by shutdown; it will be requeued")).toBe(true);
    expect((counts.waiting ?? 0) + (counts.delayed ?? 0)).toBe(1);
    expect(counts.active).toBe(0);
    expect(counts.failed).toBe(0);
    expect(job?.data.checkpoint?.phase).toBe("attempt");
    expect(statusAfterStop).toContain("continues when a worker is free");
    expect(github.unexpected).toEqual([]);
    expect(github.pullRequestCreations).toEqual([{ repo: REPO, head: "magic/issue-3" }]);
    expect(github.comments.filter((comment) => comment.body.includes("magic-pr:status"))).toHaveLength(1);
  }, 90_000);
});
