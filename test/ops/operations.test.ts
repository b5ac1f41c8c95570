import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { JOURNAL_FILE } from "../../src/cli/serve.js";
import { defaultOperationsSettings } from "../../src/config/settings.js";
import { utcDay } from "../../src/ops/daily-spend.js";
import { handleOperationsRequest } from "../../src/ops/http-routes.js";
import { Metrics } from "../../src/ops/metrics.js";
import { RunJournal } from "../../src/queue/journal.js";
import { startApp, type AppHarness } from "../helpers/app-harness.js";
import { BUGGY_PROJECT, createBareRemote, type BareRemote } from "../helpers/git-repository.js";
import { INSTALLATION_ID, mockLabeledRun, strictGitHub } from "../helpers/github-api.js";
import { searchReplaceBlock, startModelServer, type ModelServer } from "../helpers/model-server.js";
import { deliverWebhook, labeledIssuePayload } from "../helpers/webhooks.js";

const OWNER = "octo-org";
const REPO = "calculator";

describe("operations routes", () => {
  let github: ReturnType<typeof strictGitHub>;
  let remote: BareRemote;
  let model: ModelServer;
  let app: AppHarness | undefined;
  let workDir: string;

  beforeEach(async () => {
    github = strictGitHub();
    remote = createBareRemote(BUGGY_PROJECT);
    model = await startModelServer([searchReplaceBlock("src/math.js", "  return a - b;", "  return a + b;")]);
    workDir = mkdtempSync(path.join(tmpdir(), "magic-ops-"));
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
    await model.close();
    remote.cleanup();
    github.reset();
    rmSync(workDir, { recursive: true, force: true });
  });

  async function deliver(harness: AppHarness): Promise<number> {
    const status = await deliverWebhook(harness.webhookUrl, "issues", labeledIssuePayload({ cloneUrl: remote.url, installationId: INSTALLATION_ID }));
    await harness.server.magic.idle();
    return status;
  }

  test("health, readiness and metrics answer", async () => {
    app = await startApp(model.baseUrl, { workDir });
    mockLabeledRun(github.api, { owner: OWNER, repo: REPO, config: "candidates: 1\n" });

    await deliver(app);
    const health = await fetch(`${app.server.url}/healthz`);
    const ready = await fetch(`${app.server.url}/readyz`);
    const metricsResponse = await fetch(`${app.server.url}/metrics`);
    const metrics = await metricsResponse.text();

    github.verify();
    expect(health.status).toBe(200);
    expect(ready.status).toBe(200);
    expect(metricsResponse.headers.get("content-type")).toContain("text/plain");
    expect(metrics).toContain('magic_runs_total{outcome="pull-request"} 1');
    expect(metrics).toMatch(/magic_run_duration_seconds_count\{outcome="pull-request"\} 1/);
    expect(metrics).toMatch(/magic_model_tokens_total [1-9]\d*/);
    // The baseline on the base commit and the run after the edit.
    expect(metrics).toContain("magic_test_runs_total 2");
    expect(metrics).toMatch(/magic_model_cost_dollars_total 0\.0\d*[1-9]/);
    expect(metrics).toContain('magic_webhook_response_seconds_count{event="issues",status="200"} 1');
    expect(metrics).toContain('magic_queue_jobs{state="waiting"} 0');
    expect(metrics).toContain("process_cpu_seconds_total");
  });

  test("readiness reports the reason", async () => {
    const metrics = new Metrics({ processMetrics: false });
    let reason: string | undefined = "Redis did not respond to PING: connection refused";
    const server = createServer((request, response) => {
      if (!handleOperationsRequest(request, response, { metrics, unreadyReason: async () => reason })) response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    const unready = await fetch(`${url}/readyz`);
    const unreadyText = await unready.text();
    reason = undefined;
    const ready = await fetch(`${url}/readyz`);
    const other = await fetch(`${url}/elsewhere`);
    const post = await fetch(`${url}/healthz`, { method: "POST" });
    await new Promise((resolve) => server.close(resolve));

    expect(unready.status).toBe(503);
    expect(unreadyText).toBe("not ready: Redis did not respond to PING: connection refused\n");
    expect(ready.status).toBe(200);
    expect(other.status).toBe(404);
    expect(post.status).toBe(404);
  });

  test("daily dollar limit stops a new run", async () => {
    const journal = new RunJournal(path.join(workDir, JOURNAL_FILE), pino({ level: "silent" }));
    await journal.add(INSTALLATION_ID, utcDay(new Date()), 5);
    journal.close();
    app = await startApp(model.baseUrl, { workDir, operations: defaultOperationsSettings({ maxDollarsPerDay: 5 }) });
    const mocks = mockLabeledRun(github.api, { owner: OWNER, repo: REPO, expectPullRequest: false });

    await deliver(app);
    const metrics = await (await fetch(`${app.server.url}/metrics`)).text();

    github.verify();
    expect(model.requests).toHaveLength(0);
    expect(metrics).toContain('magic_runs_total{outcome="over-daily-limit"} 1');
    const finalStatus = mocks.statusBodies.at(-1) ?? "";
    expect(finalStatus).toContain("Out of budget");
    expect(finalStatus).toContain("spent $5.00");
    expect(finalStatus).toContain("daily limit of $5.00");
    expect(finalStatus).toContain("MAGIC_MAX_DOLLARS_PER_DAY");
  });
});
