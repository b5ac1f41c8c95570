import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { startApp, listFiles, type AppHarness } from "../helpers/app-harness.js";
import { BUGGY_PROJECT, createBareRemote, type BareRemote } from "../helpers/git-repository.js";
import {
  CHECK_RUN_ID,
  commentResponse,
  mockCheckRun,
  INSTALLATION_ID,
  INSTALLATION_TOKEN,
  mockInstallationToken,
  mockRepoConfig,
  mockRole,
  strictGitHub,
} from "../helpers/github-api.js";
import { searchReplaceBlock, startModelServer, type ModelServer } from "../helpers/model-server.js";
import { deliverWebhook, labeledIssuePayload } from "../helpers/webhooks.js";

const OWNER = "octo-org";
const REPO = "calculator";
const BRANCH = "magic/issue-1";

describe("labelled issue to pull request", () => {
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

  test("wrong edit then right edit opens a passing pull request", async () => {
    model = await startModelServer([
      searchReplaceBlock("src/math.js", "  return a - b;", "  return a * b;"),
      searchReplaceBlock("src/math.js", "  return a * b;", "  return a + b;"),
    ]);
    app = await startApp(model.baseUrl);
    app.sandbox.watchFor(INSTALLATION_TOKEN);
    const statusBodies: string[] = [];
    let pullRequestBody: Record<string, unknown> | undefined;
    mockInstallationToken(github.api);
    mockRepoConfig(github.api, OWNER, REPO, "candidates: 1\n");
    mockRole(github.api, OWNER, REPO, "maintainer", "write");
    github.api.post(`/repos/${OWNER}/${REPO}/issues/1/reactions`, { content: "eyes" }).reply(201, { id: 1, content: "eyes" });
    github.api.get(`/repos/${OWNER}/${REPO}/issues/1/comments`).query(true).reply(200, [commentResponse(50, "Looks like a bug", false)]);
    github.api.post(`/repos/${OWNER}/${REPO}/issues/1/comments`).reply(201, (_uri, body: any) => {
      statusBodies.push(body.body);
      return commentResponse(100, body.body);
    });
    github.api
      .patch(`/repos/${OWNER}/${REPO}/issues/comments/100`)
      .reply(200, (_uri, body: any) => {
        statusBodies.push(body.body);
        return commentResponse(100, body.body);
      })
      .persist();
    const checkRuns: Array<Record<string, any>> = [];
    mockCheckRun(github.api, OWNER, REPO, checkRuns);
    github.api.get(`/repos/${OWNER}/${REPO}/pulls`).query({ state: "open", head: `${OWNER}:${BRANCH}`, per_page: "1" }).reply(200, []);
    github.api.post(`/repos/${OWNER}/${REPO}/pulls`).reply(201, (_uri, body: any) => {
      pullRequestBody = body;
      return { number: 5, html_url: `https://github.com/${OWNER}/${REPO}/pull/5`, draft: body.draft };
    });

    const status = await deliverWebhook(app.webhookUrl, "issues", labeledIssuePayload({ cloneUrl: remote.url, installationId: INSTALLATION_ID }));
    await app.server.magic.idle();

    expect(status).toBe(200);
    github.verify();
    expect(pullRequestBody?.head).toBe(BRANCH);
    expect(pullRequestBody?.base).toBe("main");
    expect(pullRequestBody?.title).toBe("add() subtracts instead of adding");
    expect(pullRequestBody?.draft).toBe(false);
    expect(String(pullRequestBody?.body)).toContain("Fixes #1");
    expect(String(pullRequestBody?.body)).toContain("The tests pass");
    expect(remote.readFile(BRANCH, "src/math.js")).toContain("return a + b;");
    const checkout = remote.checkout(BRANCH);
    expect(() => execFileSync("node", ["--test"], { cwd: checkout, stdio: "pipe" })).not.toThrow();
    expect(model.requests).toHaveLength(2);
    expect(JSON.stringify(model.requests[1]?.messages)).toContain("fail");
    const finalStatus = statusBodies.at(-1) ?? "";
    expect(finalStatus).toContain("Done");
    expect(finalStatus).toContain(`https://github.com/${OWNER}/${REPO}/pull/5`);
    expect(checkRuns.map((body) => body.status)).toEqual(["in_progress", "completed"]);
    expect(checkRuns[0]?.name).toBe("Magic PR");
    expect(checkRuns[0]?.head_sha).toBe(remote.headOf(BRANCH));
    expect(checkRuns[1]?.conclusion).toBe("success");
    expect(checkRuns[1]?.output.summary).toContain("passing");
    expect(CHECK_RUN_ID).toBe(300);
    expect(app.sandbox.commands.length).toBeGreaterThanOrEqual(3);
    expect(app.sandbox.secretSightings).toEqual([]);
    for (const file of [...listFiles(remote.directory), ...listFiles(checkout), ...listFiles(app.workDir)]) {
      expect(readFileSync(file, "latin1").includes(INSTALLATION_TOKEN), file).toBe(false);
    }
    expect(statusBodies.some((body) => body.includes(INSTALLATION_TOKEN))).toBe(false);
    expect(JSON.stringify(model.requests).includes(INSTALLATION_TOKEN)).toBe(false);
  });
});
