import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { startApp, type AppHarness } from "../helpers/app-harness.js";
import { BUGGY_PROJECT, createBareRemote, type BareRemote } from "../helpers/git-repository.js";
import { commentResponse, INSTALLATION_ID, mockInstallationToken, mockLabeledRun, mockRepoConfig, mockRole, strictGitHub } from "../helpers/github-api.js";
import { searchReplaceBlock, startModelServer, type ModelServer } from "../helpers/model-server.js";
import { deliverWebhook, labeledIssuePayload } from "../helpers/webhooks.js";

const OWNER = "octo-org";
const REPO = "calculator";
/** One candidate, so that the scripted replies reach one conversation in order. */
const SINGLE_CANDIDATE = "candidates: 1\n";
const RIGHT_EDIT = searchReplaceBlock("src/math.js", "  return a - b;", "  return a + b;");

describe("issue triggers", () => {
  let github: ReturnType<typeof strictGitHub>;
  let remote: BareRemote;
  let model: ModelServer;
  let app: AppHarness;

  beforeEach(async () => {
    github = strictGitHub();
    remote = createBareRemote(BUGGY_PROJECT);
  });

  afterEach(async () => {
    await app?.close();
    await model?.close();
    remote.cleanup();
    github.reset();
  });

  async function start(script: string[] = [RIGHT_EDIT]): Promise<void> {
    model = await startModelServer(script);
    app = await startApp(model.baseUrl);
  }

  async function deliver(payloadOptions: Partial<Parameters<typeof labeledIssuePayload>[0]> = {}, deliveryId?: string): Promise<number> {
    const payload = labeledIssuePayload({ cloneUrl: remote.url, installationId: INSTALLATION_ID, ...payloadOptions });
    const status = await deliverWebhook(app.webhookUrl, "issues", payload, deliveryId);
    await app.server.magic.idle();
    return status;
  }

  test("sender without write permission gets a polite reply", async () => {
    await start();
    let reply = "";
    mockInstallationToken(github.api);
    mockRepoConfig(github.api, OWNER, REPO, undefined);
    mockRole(github.api, OWNER, REPO, "visitor", "read");
    github.api.post(`/repos/${OWNER}/${REPO}/issues/1/comments`).reply(201, (_uri, body: any) => {
      reply = body.body;
      return commentResponse(101, body.body);
    });

    const status = await deliver({ sender: "visitor" });

    expect(status).toBe(200);
    github.verify();
    expect(reply).toContain("@visitor");
    expect(reply).toContain("write access");
    expect(model.requests).toHaveLength(0);
  });

  test("bot sender starts nothing", async () => {
    await start();

    const status = await deliver({ sender: "magic-pr[bot]", senderType: "Bot" });

    expect(status).toBe(200);
    github.verify();
    expect(model.requests).toHaveLength(0);
  });

  test("another label starts nothing", async () => {
    await start();
    mockInstallationToken(github.api);
    mockRepoConfig(github.api, OWNER, REPO, undefined);

    await deliver({ label: "bug" });

    github.verify();
    expect(model.requests).toHaveLength(0);
  });

  test("custom trigger label from config", async () => {
    await start();
    const mocks = mockLabeledRun(github.api, { owner: OWNER, repo: REPO, config: "trigger_label: autofix\ncandidates: 1\n" });

    await deliver({ label: "autofix" });

    github.verify();
    expect(mocks.pullRequests).toHaveLength(1);
  });

  test("null issue body still runs", async () => {
    await start();
    const mocks = mockLabeledRun(github.api, { owner: OWNER, repo: REPO, config: SINGLE_CANDIDATE });

    await deliver({ body: null });

    github.verify();
    expect(mocks.pullRequests).toHaveLength(1);
    expect(JSON.stringify(model.requests[0]?.messages)).toContain("The issue has no description");
  });

  test("invalid config names every bad key", async () => {
    await start();
    let statusBody = "";
    mockInstallationToken(github.api);
    mockRepoConfig(github.api, OWNER, REPO, "test_command: 42\nbudget:\n  minutes: ten\ncolour: blue\n");
    mockRole(github.api, OWNER, REPO, "maintainer", "admin");
    github.api.post(`/repos/${OWNER}/${REPO}/issues/1/reactions`).reply(201, {});
    github.api.get(`/repos/${OWNER}/${REPO}/issues/1/comments`).query(true).reply(200, []);
    github.api.post(`/repos/${OWNER}/${REPO}/issues/1/comments`).reply(201, (_uri, body: any) => {
      statusBody = body.body;
      return commentResponse(100, body.body);
    });

    await deliver();

    github.verify();
    expect(statusBody).toContain("`test_command`: found 42");
    expect(statusBody).toContain("`budget.minutes`: found \"ten\", expected a number of minutes");
    expect(statusBody).toContain("`colour`: found an unknown key");
    expect(model.requests).toHaveLength(0);
  });

  test("config that is not YAML is reported", async () => {
    await start();
    let statusBody = "";
    mockInstallationToken(github.api);
    mockRepoConfig(github.api, OWNER, REPO, "budget: [unclosed\n");
    mockRole(github.api, OWNER, REPO, "maintainer", "admin");
    github.api.post(`/repos/${OWNER}/${REPO}/issues/1/reactions`).reply(201, {});
    github.api.get(`/repos/${OWNER}/${REPO}/issues/1/comments`).query(true).reply(200, []);
    github.api.post(`/repos/${OWNER}/${REPO}/issues/1/comments`).reply(201, (_uri, body: any) => {
      statusBody = body.body;
      return commentResponse(100, body.body);
    });

    await deliver();

    github.verify();
    expect(statusBody).toContain("not valid YAML");
    expect(model.requests).toHaveLength(0);
  });

  test("redelivered webhook starts one run", async () => {
    await start();
    const mocks = mockLabeledRun(github.api, { owner: OWNER, repo: REPO, config: SINGLE_CANDIDATE });
    const deliveryId = randomUUID();

    const first = await deliver({}, deliveryId);
    const second = await deliver({}, deliveryId);

    expect(first).toBe(200);
    expect(second).toBe(200);
    github.verify();
    expect(mocks.pullRequests).toHaveLength(1);
    expect(model.requests).toHaveLength(1);
  });

  test("reply without an edit opens nothing", async () => {
    await start(["I think the bug is in the add function, but I am not sure how to fix it."]);
    const mocks = mockLabeledRun(github.api, { owner: OWNER, repo: REPO, config: `${SINGLE_CANDIDATE}budget:\n  model_calls: 2\n`, expectPullRequest: false });

    await deliver();

    github.verify();
    expect(model.requests).toHaveLength(2);
    expect(JSON.stringify(model.requests[1]?.messages)).toContain("contained no tool call and no edit");
    const finalStatus = mocks.statusBodies.at(-1) ?? "";
    expect(finalStatus).toContain("No change was made");
    expect(finalStatus).toContain("no tool call and no edit");
    expect(remote.hasBranch("magic/issue-1")).toBe(false);
  });

  test("hanging test command is killed", async () => {
    await start([RIGHT_EDIT]);
    const marker = `magic-hang-${randomUUID()}`;
    const config = `test_command: node -e "setInterval(() => {}, 1000)" ${marker} & sleep 600\ntest_timeout_seconds: 1\n${SINGLE_CANDIDATE}budget:\n  model_calls: 1\n`;
    const mocks = mockLabeledRun(github.api, { owner: OWNER, repo: REPO, config });
    const started = Date.now();

    await deliver();

    github.verify();
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(mocks.pullRequests).toHaveLength(1);
    expect(mocks.pullRequests[0]?.draft).toBe(true);
    expect(mocks.pullRequests[0]?.body).toContain("timed out");
    expect(mocks.statusBodies.at(-1)).toContain("draft");
    expect(() => execFileSync("pgrep", ["-f", marker])).toThrow();
  });
});
