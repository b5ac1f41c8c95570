import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { countO200kTokens } from "../../src/context/token-count.js";
import { REVIEW_DIGEST_TOKENS } from "../../src/run/follow-up.js";
import { startApp, type AppHarness } from "../helpers/app-harness.js";
import { BUGGY_PROJECT, createBareRemote, type BareRemote } from "../helpers/git-repository.js";
import { commentResponse, INSTALLATION_ID, mockContinuedRuns, mockRepoConfig, mockRole, onceScope, strictGitHub } from "../helpers/github-api.js";
import { startModelServer, type ModelServer, type ToolCallReply } from "../helpers/model-server.js";
import { deliverWebhook, reviewPayload } from "../helpers/webhooks.js";

const OWNER = "octo-org";
const REPO = "calculator";
const BRANCH = "magic/issue-1";
const REVIEW_ID = 77;
const FIXED_ADD = "export function add(a, b) {\n  return a + b;\n}\n";

interface CommentSpec {
  id: number;
  path: string;
  line: number | null;
  body: string;
  reviewId?: number;
  inReplyTo?: number;
  hunk?: string;
  author?: string;
}

/** A review comment as `GET /pulls/N/comments` returns it. */
function restComment(spec: CommentSpec): Record<string, unknown> {
  return {
    id: spec.id,
    pull_request_review_id: spec.reviewId ?? REVIEW_ID,
    path: spec.path,
    body: spec.body,
    user: { login: spec.author ?? "reviewer" },
    line: spec.line,
    start_line: null,
    original_line: spec.line ?? 1,
    position: spec.line,
    diff_hunk: spec.hunk ?? "@@ -1,3 +1,3 @@\n export function add(a, b) {\n-  return a - b;\n+  return a + b;",
    ...(spec.inReplyTo ? { in_reply_to_id: spec.inReplyTo } : {}),
  };
}

describe("review rounds", () => {
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

  /** Mocks review intake: the reviewer's role, the issue, the review comments and which threads are resolved. */
  function mockReviewIntake(comments: CommentSpec[], resolvedIds: number[] = [], config = "candidates: 1\n"): void {
    mockRole(onceScope(), OWNER, REPO, "reviewer", "write");
    github.api.get(`/repos/${OWNER}/${REPO}/issues/1`).reply(200, { number: 1, title: "add() subtracts instead of adding", body: "Calling add(2, 3) returns -1.", state: "open", locked: false });
    github.api.get(`/repos/${OWNER}/${REPO}/pulls/5/comments`).query(true).reply(200, comments.map(restComment));
    const thread = (id: number) => ({ isResolved: resolvedIds.includes(id), comments: { nodes: [{ databaseId: id }] } });
    github.api.post("/graphql").reply(200, { data: { repository: { pullRequest: { reviewThreads: { nodes: comments.map((comment) => thread(comment.id)), pageInfo: { hasNextPage: false, endCursor: null } } } } } });
    mockRepoConfig(onceScope(), OWNER, REPO, config);
  }

  function submitReview(body: string | null = null): Promise<number> {
    return deliverWebhook(app.webhookUrl, "pull_request_review", reviewPayload({ cloneUrl: remote.url, installationId: INSTALLATION_ID, reviewId: REVIEW_ID, body }));
  }

  test("three inline comments get three replies and one commit", async () => {
    remote.commitTo(BRANCH, { "src/math.js": FIXED_ADD }, "Address #1: add() subtracts instead of adding");
    const finish: ToolCallReply = {
      toolCalls: [
        { name: "edit_file", arguments: { path: "src/math.js", search: "export function add(a, b) {\n  return a + b;", replace: "/** Adds two numbers. */\nexport function add(x, y) {\n  return x + y;" } },
        { name: "finish", arguments: { summary: "#501: Renamed the parameters to x and y.\n#502: Added a JSDoc comment.\n#503: Kept the final newline, because every file here ends with one." } },
      ],
    };
    model = await startModelServer([finish]);
    app = await startApp(model.baseUrl);
    mockReviewIntake([
      { id: 501, path: "src/math.js", line: 1, body: "Name the parameters x and y." },
      { id: 502, path: "src/math.js", line: 1, body: "Add a JSDoc comment." },
      { id: 503, path: "src/math.js", line: 3, body: "Drop the final newline?" },
      { id: 504, path: "src/math.js", line: 2, body: "RESOLVED-THREAD-TEXT" },
      { id: 505, path: "README.md", line: 1, body: "OFF-DIFF-TEXT" },
      { id: 506, path: "src/math.js", line: 2, body: "OTHER-REVIEW-TEXT", reviewId: 12 },
      { id: 507, path: "src/math.js", line: 1, body: "VISITOR-REPLY-TEXT", reviewId: 13, inReplyTo: 501, author: "visitor" },
    ], [504]);
    mockRole(onceScope(), OWNER, REPO, "visitor", "read");
    const mocks = mockContinuedRuns(github.api, { owner: OWNER, repo: REPO });
    const replies = new Map<number, string>();
    for (const id of [501, 502, 503]) {
      github.api.post(`/repos/${OWNER}/${REPO}/pulls/5/comments/${id}/replies`).reply(201, (_uri, body: any) => {
        replies.set(id, body.body);
        return { id: id + 1000, body: body.body };
      });
    }
    const before = remote.headOf(BRANCH);

    const status = await submitReview("Please tidy this up.");
    await app.server.magic.idle();

    expect(status).toBe(200);
    github.verify();
    expect(remote.headOf(`${BRANCH}~1`)).toBe(before);
    expect(remote.readFile(BRANCH, "src/math.js")).toContain("export function add(x, y)");
    const head = remote.headOf(BRANCH).slice(0, 7);
    expect(replies.get(501)).toContain("Renamed the parameters to x and y.");
    expect(replies.get(502)).toContain("Added a JSDoc comment.");
    expect(replies.get(503)).toContain("Kept the final newline");
    for (const body of replies.values()) expect(body).toContain(`Pushed as ${head} to \`${BRANCH}\`.`);
    const prompt = JSON.stringify(model.requests[0]?.messages);
    expect(prompt).toContain("Name the parameters x and y.");
    expect(prompt).toContain("Please tidy this up.");
    expect(prompt).not.toContain("RESOLVED-THREAD-TEXT");
    expect(prompt).not.toContain("OFF-DIFF-TEXT");
    expect(prompt).not.toContain("OTHER-REVIEW-TEXT");
    expect(prompt).not.toContain("VISITOR-REPLY-TEXT");
    expect(mocks.pullRequestUpdates).toHaveLength(1);
    expect(mocks.statusBodies.at(-1)).toContain("Addressing @reviewer's review on #5.");
  });

  test("round without a change still answers", async () => {
    remote.commitTo(BRANCH, { "src/math.js": FIXED_ADD }, "Address #1: add() subtracts instead of adding");
    const before = remote.headOf(BRANCH);
    model = await startModelServer([{ toolCalls: [{ name: "finish", arguments: { summary: "#501: The names a and b are the usual ones for a sum, so I kept them." } }] }]);
    app = await startApp(model.baseUrl);
    mockReviewIntake([{ id: 501, path: "src/math.js", line: 1, body: "Name the parameters x and y." }], [], "candidates: 1\nbudget:\n  model_calls: 2\n");
    const mocks = mockContinuedRuns(github.api, { owner: OWNER, repo: REPO, runs: 0, intakes: 1, tipChecks: 1 });
    let reply = "";
    github.api.post(`/repos/${OWNER}/${REPO}/pulls/5/comments/501/replies`).reply(201, (_uri, body: any) => {
      reply = body.body;
      return { id: 1501, body: body.body };
    });

    await submitReview();
    await app.server.magic.idle();

    github.verify();
    expect(remote.headOf(BRANCH)).toBe(before);
    expect(mocks.checkRuns.map((body) => body.conclusion ?? body.status)).toEqual(["in_progress", "neutral"]);
    expect(mocks.checkRuns[0]?.head_sha).toBe(before);
    expect(reply).toContain("so I kept them. (This round did not change `src/math.js`.)");
    expect(reply).toContain("No commit was pushed in this round.");
    expect(mocks.statusBodies.at(-1)).toContain("stay as they were");
  });

  test("hundred comments on an 800-line file fit the prompt", async () => {
    const bigFile = Array.from({ length: 800 }, (_unused, index) => `export const value${index + 1} = ${index + 1};`).join("\n") + "\n";
    remote.commitTo(BRANCH, { "src/math.js": FIXED_ADD, "src/values.js": bigFile }, "Address #1: add() subtracts instead of adding");
    const comments: CommentSpec[] = Array.from({ length: 100 }, (_unused, index) => {
      const line = (index + 1) * 8;
      const hunk = ["@@ -0,0 +1,800 @@", ...Array.from({ length: 60 }, (_ignored, offset) => `+export const value${Math.max(1, line - 59 + offset)} = ${line};`)].join("\n");
      return { id: 2000 + index, path: "src/values.js", line, body: `Comment ${index + 1}: rename value${line} to something that says what it is, and explain why it equals ${line}. `.repeat(3), hunk };
    });
    model = await startModelServer(["I need more time."]);
    app = await startApp(model.baseUrl);
    mockReviewIntake(comments, [], "candidates: 1\nbudget:\n  model_calls: 1\n");
    mockContinuedRuns(github.api, { owner: OWNER, repo: REPO, runs: 0, intakes: 1, tipChecks: 1 });
    const answered: number[] = [];
    github.api
      .post(/^\/repos\/octo-org\/calculator\/pulls\/5\/comments\/\d+\/replies$/)
      .reply(201, (uri) => {
        answered.push(Number(uri.split("/").at(-2)));
        return { id: 1 };
      })
      .persist();

    await submitReview();
    await app.server.magic.idle();

    expect(github.unmatched).toEqual([]);
    const prompt = String((model.requests[0]?.messages ?? []).map((message) => (typeof message.content === "string" ? message.content : JSON.stringify(message.content))).join("\n"));
    const section = prompt.slice(prompt.indexOf("# Review by @reviewer"), prompt.indexOf("When you call finish"));
    expect(section).toContain("### Comment 2000 on src/values.js line 8");
    expect(section).toMatch(/\d+ more review comments were left out to fit the token budget\./);
    expect(countO200kTokens(section)).toBeLessThanOrEqual(REVIEW_DIGEST_TOKENS + 50);
    expect(section.split("\n").filter((line) => line.startsWith("+export const")).length).toBeLessThanOrEqual(12 * 100);
    // Only the threads that reached the model are answered.
    const shown = [...section.matchAll(/### Comment (\d+) /g)].map((match) => Number(match[1]));
    expect(answered.sort()).toEqual(shown.sort());
    expect(shown.length).toBeLessThan(100);
  });

  test("review on a fork's pull request gets a reply and no run", async () => {
    model = await startModelServer(["unused"]);
    app = await startApp(model.baseUrl);
    let reply = "";
    github.api.post(`/repos/${OWNER}/${REPO}/issues/5/comments`).reply(201, (_uri, body: any) => {
      reply = body.body;
      return commentResponse(102, body.body);
    });
    mockInstallationTokenOnce();

    const status = await deliverWebhook(app.webhookUrl, "pull_request_review", reviewPayload({ cloneUrl: remote.url, installationId: INSTALLATION_ID, reviewId: REVIEW_ID, headRepository: "someone/calculator" }));
    await app.server.magic.idle();

    expect(status).toBe(200);
    github.verify();
    expect(reply).toContain("forks");
    expect(model.requests).toHaveLength(0);
  });

  test("approval starts nothing", async () => {
    model = await startModelServer(["unused"]);
    app = await startApp(model.baseUrl);
    mockInstallationTokenOnce();

    await deliverWebhook(app.webhookUrl, "pull_request_review", reviewPayload({ cloneUrl: remote.url, installationId: INSTALLATION_ID, reviewId: REVIEW_ID, state: "approved" }));
    await app.server.magic.idle();

    expect(github.unmatched).toEqual([]);
    expect(model.requests).toHaveLength(0);
  });

  function mockInstallationTokenOnce(): void {
    github.api
      .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
      .optionally()
      .reply(201, { token: "ghs_unused", expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: {} });
  }
});
