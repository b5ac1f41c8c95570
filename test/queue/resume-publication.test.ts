import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { WorkspaceManager } from "../../src/workspace/workspace-manager.js";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { createModelClient } from "../../src/llm/create-model-client.js";
import { scriptedModelSettings } from "../helpers/app-harness.js";
import { OctokitGateway } from "../../src/publish/github-gateway.js";
import type { Publication, RunCheckpoint } from "../../src/run/checkpoint.js";
import { executeRun } from "../../src/run/execute-run.js";
import { ProcessSandbox } from "../../src/sandbox/process-sandbox.js";
import { testPrivateKey } from "../helpers/app-key.js";
import { APP_ID, INSTALLATION_ID } from "../helpers/github-api.js";
import { type FakeGitHub, startFakeGitHub } from "../ops/fake-github.js";
import { runRequestFixture } from "./run-request-fixture.js";

const log = pino({ level: "silent" });
const REPO = "octo-org/calculator";

const PUBLICATION: Publication = {
  branch: "magic/issue-5",
  base: "main",
  title: "Issue 5: add() subtracts",
  body: "Magic PR made this change for issue #5.\n\nFixes #5",
  draft: false,
  branchOnly: false,
  testsPassing: true,
  stopReason: "tests-pass",
  usage: { modelCalls: 2, tokens: 1_500, testRuns: 2 },
  costUsd: 0.25,
};

describe("resume at publishing", () => {
  let github: FakeGitHub;
  let workDir: string;

  beforeEach(async () => {
    github = await startFakeGitHub();
    workDir = mkdtempSync(path.join(tmpdir(), "magic-resume-"));
  });

  afterEach(async () => {
    await github.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  async function resume(checkpoint: RunCheckpoint) {
    const Octokit = ProbotOctokit.defaults((options: Record<string, any>) => ({ ...options, throttle: { enabled: false } }));
    const probot = new Probot({ appId: APP_ID, privateKey: testPrivateKey(), baseUrl: github.url, log, Octokit });
    const gateway = new OctokitGateway(await probot.auth(INSTALLATION_ID), APP_ID);
    const saved: RunCheckpoint[] = [];
    const outcome = await executeRun(
      // Nothing may be cloned when publishing resumes, so the fixture's clone URL points nowhere.
      runRequestFixture(5),
      {
        gateway,
        createModel: () => createModelClient(scriptedModelSettings("http://127.0.0.1:9/v1")),
        sandbox: new ProcessSandbox(),
        workDir,
        workspaces: new WorkspaceManager({ workDir, maxMirrorBytes: 1e9, log: pino({ level: "silent" }) }),
        log,
        statusIntervalMs: 0,
        onCheckpoint: (next) => void saved.push(next),
      },
      undefined,
      checkpoint,
    );
    return { outcome, saved };
  }

  test("existing pull request is updated", async () => {
    github.pullRequests.push({ number: 9, repo: REPO, head: "magic/issue-5", base: "main", title: "old", body: "old", draft: false, state: "open" });
    github.comments.push({ id: 300, issue: `${REPO}#5`, body: "<!-- magic-pr:status -->\n**Magic PR:** 🚀 Publishing", byApp: true });

    const { outcome, saved } = await resume({ phase: "publishing", publication: PUBLICATION });

    expect(outcome).toEqual({ kind: "pull-request", pullRequestUrl: `https://github.com/${REPO}/pull/9`, stopReason: "tests-pass", costUsd: 0.25, usage: PUBLICATION.usage });
    expect(github.unexpected).toEqual([]);
    expect(github.pullRequestCreations).toEqual([]);
    expect(github.pullRequests[0]?.body).toBe(PUBLICATION.body);
    expect(github.comments).toHaveLength(1);
    expect(github.comments[0]?.body).toContain("Done");
    expect(github.comments[0]?.body).toContain("/pull/9");
    expect(saved.every((checkpoint) => checkpoint.publication?.branch === "magic/issue-5")).toBe(true);
    expect(readdirSync(workDir)).toEqual([]);
  });

  test("missing pull request is created once", async () => {
    const { outcome } = await resume({ phase: "publishing", publication: PUBLICATION });

    expect(outcome.kind).toBe("pull-request");
    expect(github.unexpected).toEqual([]);
    expect(github.pullRequestCreations).toEqual([{ repo: REPO, head: "magic/issue-5" }]);
    expect(github.pullRequests[0]?.draft).toBe(false);
    expect(github.comments).toHaveLength(1);
    expect(github.comments[0]?.body).toContain("Done");
  });
});
