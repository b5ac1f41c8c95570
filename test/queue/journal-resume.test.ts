import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { JOURNAL_FILE } from "../../src/cli/serve.js";
import { BUGGY_PROJECT, createBareRemote, type BareRemote } from "../helpers/git-repository.js";
import { INSTALLATION_ID } from "../helpers/github-api.js";
import { searchReplaceBlock } from "../helpers/model-server.js";
import { deliverWebhook, labeledIssuePayload } from "../helpers/webhooks.js";
import { type AppProcess, appEnvironment, startAppProcess, waitUntil } from "../ops/app-process.js";
import { type FakeGitHub, startFakeGitHub } from "../ops/fake-github.js";
import { type ScriptedModel, startScriptedModel } from "../ops/scripted-model.js";

const REPO = "octo-org/calculator";
const RIGHT_EDIT = searchReplaceBlock("src/math.js", "  return a - b;", "  return a + b;");

describe("embedded queue journal", () => {
  let github: FakeGitHub;
  let remote: BareRemote;
  let model: ScriptedModel;
  let workDir: string;
  let processes: AppProcess[];
  /** While true, the model keeps every request open, so runs stay in the attempt phase. */
  let holding: boolean;

  beforeEach(async () => {
    github = await startFakeGitHub();
    github.configs.set(REPO, 'test_command: grep -q "a + b" src/math.js\ncandidates: 1\n');
    remote = createBareRemote(BUGGY_PROJECT);
    workDir = mkdtempSync(path.join(tmpdir(), "magic-journal-"));
    processes = [];
    holding = true;
    model = await startScriptedModel(() => (holding ? new Promise<string>(() => {}) : RIGHT_EDIT));
  });

  afterEach(async () => {
    await Promise.all(processes.map((child) => child.stop()));
    await model.close();
    await github.close();
    remote.cleanup();
    rmSync(workDir, { recursive: true, force: true });
  });

  async function startServer(): Promise<AppProcess> {
    const env = appEnvironment({ githubUrl: github.url, modelBaseUrl: model.baseUrl, workDir, extra: { MAGIC_CONCURRENCY: "1", MAGIC_SHUTDOWN_GRACE_SECONDS: "0.5" } });
    const child = await startAppProcess("serve", env);
    processes.push(child);
    return child;
  }

  function labelIssue(server: AppProcess, issue: number): Promise<number> {
    const payload = labeledIssuePayload({ cloneUrl: remote.url, installationId: INSTALLATION_ID, issueNumber: issue, title: `Issue ${issue}: add() subtracts` });
    return deliverWebhook(`${server.url}/api/github/webhooks`, "issues", payload);
  }

  function journalRows(): Array<{ state: string; checkpoint: string | null; issue: number }> {
    const db = new Database(path.join(workDir, JOURNAL_FILE), { readonly: true });
    try {
      const rows = db.prepare("SELECT state, checkpoint, json_extract(event, '$.issue.number') AS issue FROM deliveries ORDER BY issue").all();
      return rows as Array<{ state: string; checkpoint: string | null; issue: number }>;
    } finally {
      db.close();
    }
  }

  function doneCount(): number {
    return github.comments.filter((comment) => comment.body.includes("magic-pr:status") && comment.body.includes("Done")).length;
  }

  test("killed server resumes queued runs", async () => {
    const first = await startServer();
    for (const issue of [1, 2, 3]) expect(await labelIssue(first, issue)).toBe(200);
    await waitUntil("the first run calls the model", () => model.requests.length === 1);
    await waitUntil("every issue has a queued status comment", () => github.comments.length === 3);
    await first.stop();
    const rowsAfterKill = journalRows();

    holding = false;
    const second = await startServer();
    await waitUntil("three status comments say Done", () => doneCount() === 3);

    // Intake takes the three deliveries concurrently, so any of the issues can be the one running.
    expect(rowsAfterKill.map((row) => row.state).sort()).toEqual(["queued", "queued", "running"]);
    const running = rowsAfterKill.find((row) => row.state === "running");
    expect(JSON.parse(running?.checkpoint ?? "{}").phase).toBe("attempt");
    expect(second.logs.some((line) => line.msg === "resumed unfinished deliveries from the journal" && line.deliveries === 3)).toBe(true);
    expect(github.unexpected).toEqual([]);
    expect(github.pullRequestCreations.map((creation) => creation.head).sort()).toEqual(["magic/issue-1", "magic/issue-2", "magic/issue-3"]);
    expect(github.comments).toHaveLength(3);
    // The journal marks a delivery done after its run has written the final status comment.
    await waitUntil("the journal marks every delivery done", () => journalRows().every((row) => row.state === "done"));
  }, 120_000);

  test("SIGTERM leaves the run queued", async () => {
    const first = await startServer();
    await labelIssue(first, 4);
    await waitUntil("the run calls the model", () => model.requests.length === 1);
    first.child.kill("SIGTERM");
    const exitCode = await first.exited;
    const rowsAfterStop = journalRows();
    const statusAfterStop = github.statusCommentOf(REPO, 4)?.body ?? "";

    holding = false;
    await startServer();
    await waitUntil("the status comment says Done", () => doneCount() === 1);

    expect(exitCode).toBe(0);
    expect(rowsAfterStop.map((row) => row.state)).toEqual(["queued"]);
    expect(JSON.parse(rowsAfterStop[0]?.checkpoint ?? "{}").phase).toBe("attempt");
    expect(statusAfterStop).toContain("continues when a worker is free");
    expect(github.pullRequestCreations).toEqual([{ repo: REPO, head: "magic/issue-4" }]);
    expect(github.comments).toHaveLength(1);
  }, 120_000);
});
