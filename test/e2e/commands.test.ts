import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { MAX_BODY_LENGTH, STATUS_MARKER } from "../../src/publish/github-gateway.js";
import { startApp, type AppHarness } from "../helpers/app-harness.js";
import { BUGGY_PROJECT, createBareRemote, type BareRemote } from "../helpers/git-repository.js";
import {
  commentResponse,
  INSTALLATION_ID,
  mockCheckRun,
  mockCommentReaction,
  mockContinuedRuns,
  mockInstallationToken,
  mockLabeledRun,
  mockRepoConfig,
  mockRole,
  onceScope,
  strictGitHub,
} from "../helpers/github-api.js";
import { searchReplaceBlock, startModelServer, type ModelServer } from "../helpers/model-server.js";
import { commentPayload, deliverWebhook, labeledIssuePayload } from "../helpers/webhooks.js";

const OWNER = "octo-org";
const REPO = "calculator";
const CONFIG = "candidates: 1\n";
const RIGHT_EDIT = searchReplaceBlock("src/math.js", "  return a - b;", "  return a + b;");

describe("/magic commands", () => {
  let github: ReturnType<typeof strictGitHub>;
  let remote: BareRemote;
  let model: ModelServer;
  let app: AppHarness;

  beforeEach(() => {
    github = strictGitHub();
    remote = createBareRemote(BUGGY_PROJECT);
  });

  afterEach(async () => {
    await app?.close();
    await model?.close();
    remote.cleanup();
    github.reset();
  });

  function comment(body: string, commentId = 9001): Promise<number> {
    return deliverWebhook(app.webhookUrl, "issue_comment", commentPayload({ cloneUrl: remote.url, installationId: INSTALLATION_ID, body, commentId }));
  }

  function label(action: "labeled" | "unlabeled" = "labeled"): Promise<number> {
    const payload = labeledIssuePayload({ cloneUrl: remote.url, installationId: INSTALLATION_ID });
    payload.action = action;
    return deliverWebhook(app.webhookUrl, "issues", payload);
  }

  /** Mocks replies on issue 1 after the status comment; returns their bodies as they arrive. */
  function captureReplies(times = 1): string[] {
    const replies: string[] = [];
    github.api
      .post(`/repos/${OWNER}/${REPO}/issues/1/comments`)
      .times(times)
      .reply(201, (_uri, body: any) => {
        replies.push(body.body);
        return commentResponse(200 + replies.length, body.body);
      });
    return replies;
  }

  /** Mocks intake of a command that is answered at once, and returns the replies as they arrive. */
  function mockCommandIntake(sender = "maintainer", role = "write"): string[] {
    mockInstallationToken(github.api);
    mockRepoConfig(onceScope(), OWNER, REPO, CONFIG);
    mockRole(onceScope(), OWNER, REPO, sender, role);
    return captureReplies();
  }

  /** Returns a model reply that waits until `release` is called, so a test can act while the run is mid-call. */
  function heldReply(onRequest: () => void): { reply: () => Promise<string>; release: () => void } {
    let release = () => {};
    const held = new Promise<string>((resolve) => {
      release = () => resolve(RIGHT_EDIT);
    });
    return {
      reply: () => {
        onRequest();
        return held;
      },
      release: () => release(),
    };
  }

  test("stop mid-run ends in cancelled", async () => {
    const held = heldReply(() => void comment("/magic stop"));
    model = await startModelServer([held.reply]);
    app = await startApp(model.baseUrl);
    const mocks = mockLabeledRun(github.api, { owner: OWNER, repo: REPO, config: CONFIG, expectPullRequest: false });
    mockRepoConfig(onceScope(), OWNER, REPO, CONFIG);
    mockRole(onceScope(), OWNER, REPO, "maintainer", "write");
    const replies = captureReplies();

    await label();
    await app.server.magic.idle();
    held.release();

    github.verify();
    expect(replies).toEqual(["Stopping the run of #1."]);
    expect(mocks.statusBodies.at(-1)).toContain("Cancelled");
    expect(mocks.statusBodies.at(-1)).toContain("Stop reason: `cancelled`");
    expect(remote.hasBranch("magic/issue-1")).toBe(false);
  });

  test("removing the label cancels the run", async () => {
    const held = heldReply(() => void label("unlabeled"));
    model = await startModelServer([held.reply]);
    app = await startApp(model.baseUrl);
    const mocks = mockLabeledRun(github.api, { owner: OWNER, repo: REPO, config: CONFIG, expectPullRequest: false });
    mockRepoConfig(onceScope(), OWNER, REPO, CONFIG);

    await label();
    await app.server.magic.idle();
    held.release();

    github.verify();
    expect(mocks.statusBodies.at(-1)).toContain("Cancelled");
  });

  test("stop without a run says so", async () => {
    model = await startModelServer([RIGHT_EDIT]);
    app = await startApp(model.baseUrl);
    const replies = mockCommandIntake();

    await comment("/magic stop");
    await app.server.magic.idle();

    github.verify();
    expect(replies[0]).toContain("nothing to stop");
  });

  test("budget is capped, stored and used by the next run", async () => {
    model = await startModelServer([RIGHT_EDIT]);
    app = await startApp(model.baseUrl, { budgetCeilings: { usd: 4, minutes: 60 } });
    const replies = mockCommandIntake("maintainer", "admin");

    await comment("/magic budget $25");
    await app.server.magic.idle();

    github.verify();
    expect(replies[0]).toContain("<!-- magic-pr:budget usd=4.00 -->");
    expect(replies[0]).toContain("up to $4.00");
    expect(replies[0]).toContain("You asked for $25.00");

    // The next run, after a restart, finds the budget in the app's reply.
    await app.close();
    app = await startApp(model.baseUrl, { budgetCeilings: { usd: 4, minutes: 60 } });
    const statusBodies: string[] = [];
    mockRepoConfig(onceScope(), OWNER, REPO, CONFIG);
    mockRole(onceScope(), OWNER, REPO, "maintainer", "write");
    github.api.post(`/repos/${OWNER}/${REPO}/issues/1/reactions`).reply(201, {});
    github.api.get(`/repos/${OWNER}/${REPO}/issues/1/comments`).query(true).reply(200, [commentResponse(100, `${STATUS_MARKER}\nold`), commentResponse(201, replies[0] ?? "")]);
    github.api.patch(`/repos/${OWNER}/${REPO}/issues/comments/100`).reply(200, (_uri, body: any) => {
      statusBodies.push(body.body);
      return commentResponse(100, body.body);
    }).persist();
    mockCheckRun(github.api, OWNER, REPO, []);
    github.api.get(`/repos/${OWNER}/${REPO}/pulls`).query(true).reply(200, []);
    github.api.post(`/repos/${OWNER}/${REPO}/pulls`).reply(201, { number: 5, html_url: `https://github.com/${OWNER}/${REPO}/pull/5`, draft: false });

    await label();
    await app.server.magic.idle();

    github.verify();
    expect(statusBodies.at(-1)).toMatch(/Spent: \$\d+\.\d\d of \$4\.00/);
  });

  test("invalid budget gets the help", async () => {
    model = await startModelServer([RIGHT_EDIT]);
    app = await startApp(model.baseUrl);
    const replies = mockCommandIntake();

    await comment("/magic budget lots");
    await app.server.magic.idle();

    github.verify();
    expect(replies[0]).toContain("needs a dollar amount above 0");
    expect(replies[0]).toContain("`/magic retry`");
  });

  test("unknown command gets a short help", async () => {
    model = await startModelServer([RIGHT_EDIT]);
    app = await startApp(model.baseUrl);
    const replies = mockCommandIntake();

    await comment("/magic dance");
    await app.server.magic.idle();

    github.verify();
    expect(replies[0]).toContain("`dance` is not a command.");
    expect(replies[0]).toContain("`/magic stop`");
    expect(model.requests).toHaveLength(0);
  });

  test("command from a reader is refused", async () => {
    model = await startModelServer([RIGHT_EDIT]);
    app = await startApp(model.baseUrl);
    const replies = mockCommandIntake("visitor", "read");

    await deliverWebhook(app.webhookUrl, "issue_comment", commentPayload({ cloneUrl: remote.url, installationId: INSTALLATION_ID, body: "/magic retry", sender: "visitor" }));
    await app.server.magic.idle();

    github.verify();
    expect(replies[0]).toContain("write access");
    expect(model.requests).toHaveLength(0);
  });

  test("explain answers without changing code", async () => {
    remote.commitTo("magic/issue-1", { "src/math.js": "export function add(a, b) {\n  return a + b;\n}\n" }, "Address #1: add() subtracts instead of adding");
    const before = remote.headOf("magic/issue-1");
    model = await startModelServer(["`add` subtracted; the branch makes it add. EXPLAINED."]);
    app = await startApp(model.baseUrl);
    mockRepoConfig(onceScope(), OWNER, REPO, CONFIG);
    mockRole(onceScope(), OWNER, REPO, "maintainer", "write");
    mockCommentReaction(onceScope(), OWNER, REPO, 9001);
    const mocks = mockContinuedRuns(github.api, { owner: OWNER, repo: REPO, runs: 0, intakes: 1 });
    const replies = captureReplies();

    await comment("/magic explain\nWhy did add() fail?");
    await app.server.magic.idle();

    github.verify();
    expect(replies[0]).toContain("EXPLAINED.");
    expect(replies[0]).toContain("no code was changed");
    expect(model.requests).toHaveLength(1);
    const prompt = JSON.stringify(model.requests[0]?.messages);
    expect(prompt).toContain("Why did add() fail?");
    expect(prompt).toContain("+  return a + b;");
    expect(remote.headOf("magic/issue-1")).toBe(before);
    expect(mocks.statusBodies.at(-1)).toContain("Done");
    expect(mocks.statusBodies.at(-1)).toMatch(/Spent: \$\d+\.\d\d of \$\d+\.\d\d/);
  });

  test("answer longer than GitHub allows is cut", async () => {
    model = await startModelServer(["word ".repeat(20_000)]);
    app = await startApp(model.baseUrl);
    mockRepoConfig(onceScope(), OWNER, REPO, CONFIG);
    mockRole(onceScope(), OWNER, REPO, "maintainer", "write");
    mockCommentReaction(onceScope(), OWNER, REPO, 9001);
    mockContinuedRuns(github.api, { owner: OWNER, repo: REPO, runs: 0, intakes: 1 });
    const replies = captureReplies();

    await comment("/magic explain everything");
    await app.server.magic.idle();

    github.verify();
    expect(replies[0]?.length).toBe(MAX_BODY_LENGTH);
    expect(replies[0]).toMatch(/truncated: the text was longer than GitHub allows\)_$/);
  });

  test("retry starts over from the default branch", async () => {
    remote.commitTo("magic/issue-1", { "src/math.js": "export function add(a, b) {\n  return a * b;\n}\n" }, "Address #1: a wrong first attempt");
    model = await startModelServer([RIGHT_EDIT]);
    app = await startApp(model.baseUrl);
    mockRepoConfig(onceScope(), OWNER, REPO, CONFIG);
    mockRole(onceScope(), OWNER, REPO, "maintainer", "write");
    mockCommentReaction(onceScope(), OWNER, REPO, 9001);
    const mocks = mockContinuedRuns(github.api, { owner: OWNER, repo: REPO, tipChecks: 0 });

    await comment("/magic retry");
    await app.server.magic.idle();

    github.verify();
    expect(remote.readFile("magic/issue-1", "src/math.js")).toContain("return a + b;");
    expect(remote.subjects("magic/issue-1")).toHaveLength(2);
    expect(JSON.stringify(model.requests[0]?.messages)).not.toContain("# Work so far");
    expect(mocks.statusBodies.at(-1)).toContain("Starting over from `main`");
  });

  test("status comment is edited at most once per interval", async () => {
    const intervalMs = 1_000;
    model = await startModelServer([
      searchReplaceBlock("src/math.js", "  return a - b;", "  return a * b;"),
      searchReplaceBlock("src/math.js", "  return a * b;", "  return a / b;"),
      searchReplaceBlock("src/math.js", "  return a / b;", "  return a + b;"),
    ]);
    app = await startApp(model.baseUrl, { statusIntervalMs: intervalMs });
    const mocks = mockLabeledRun(github.api, { owner: OWNER, repo: REPO, config: CONFIG });
    const editTimes: number[] = [];
    github.api.on("request", (request: { method: string; path: string }) => {
      if (request.method === "PATCH" && request.path.endsWith("/issues/comments/100")) editTimes.push(Date.now());
    });

    await label();
    await app.server.magic.idle();

    github.verify();
    expect(mocks.statusBodies.at(-1)).toContain("Done");
    expect(editTimes.length).toBeGreaterThanOrEqual(3);
    const gaps = editTimes.slice(1).map((time, index) => time - (editTimes[index] as number));
    // Some time passes between the reporter's clock reading and nock seeing the request, more on a busy machine.
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(intervalMs - 100);
  });
});
