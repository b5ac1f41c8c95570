import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { startApp, type AppHarness } from "../helpers/app-harness.js";
import { BUGGY_PROJECT, createBareRemote, type BareRemote } from "../helpers/git-repository.js";
import { INSTALLATION_ID, mockLabeledRun, strictGitHub } from "../helpers/github-api.js";
import { type RecordedChatRequest, startModelServer, type ModelServer, type ToolCallReply } from "../helpers/model-server.js";
import { deliverWebhook, labeledIssuePayload } from "../helpers/webhooks.js";

const OWNER = "octo-org";
const REPO = "calculator";

type Turn = string | ToolCallReply;

function call(name: string, args: unknown): ToolCallReply["toolCalls"][number] {
  return { name, arguments: args };
}

function edit(search: string, replace: string, file = "src/math.js"): ToolCallReply["toolCalls"][number] {
  return call("edit_file", { path: file, search, replace });
}

const RUN_TESTS = call("run_tests", {});

/** Answers each request from the script of the candidate that sent it, one turn per step. */
function byCandidate(scripts: Record<string, Turn[]>): (request: RecordedChatRequest) => Turn {
  return (request) => {
    const text = JSON.stringify(request.messages);
    const candidate = /You are candidate (\d+)\./.exec(text)?.[1] ?? "1";
    const step = request.messages.filter((message) => message.role === "assistant").length;
    const script = scripts[candidate] ?? [];
    return script[Math.min(step, script.length - 1)] ?? "";
  };
}

/** A calculator whose add, subtract and multiply are all wrong, each with its own failing test. */
const THREE_BUGS: Record<string, string> = {
  ...BUGGY_PROJECT,
  "src/math.js": "export function add(a, b) {\n  return a - b;\n}\n\nexport function subtract(a, b) {\n  return a + b;\n}\n\nexport function multiply(a, b) {\n  return a + b;\n}\n",
  "test/math.test.js":
    'import assert from "node:assert/strict";\nimport { test } from "node:test";\nimport { add, multiply, subtract } from "../src/math.js";\n\n' +
    'test("add sums", () => {\n  assert.equal(add(2, 3), 5);\n});\n\n' +
    'test("subtract takes away", () => {\n  assert.equal(subtract(5, 3), 2);\n});\n\n' +
    'test("multiply multiplies", () => {\n  assert.equal(multiply(2, 4), 8);\n});\n',
};

describe("budgeted agent loop", () => {
  let github: ReturnType<typeof strictGitHub>;
  let remote: BareRemote;
  let model: ModelServer;
  let app: AppHarness;

  beforeEach(() => {
    github = strictGitHub();
  });

  afterEach(async () => {
    await app?.close();
    await model?.close();
    remote?.cleanup();
    github.reset();
  });

  async function run(files: Record<string, string>, config: string, reply: (request: RecordedChatRequest) => Turn | Promise<Turn>, expectPullRequest = true) {
    remote = createBareRemote(files);
    model = await startModelServer([reply]);
    app = await startApp(model.baseUrl);
    const mocks = mockLabeledRun(github.api, { owner: OWNER, repo: REPO, config, expectPullRequest });
    const status = await deliverWebhook(app.webhookUrl, "issues", labeledIssuePayload({ cloneUrl: remote.url, installationId: INSTALLATION_ID }));
    expect(status).toBe(200);
    return mocks;
  }

  test("candidate green on third step", async () => {
    const mocks = await run(
      BUGGY_PROJECT,
      "candidates: 1\n",
      byCandidate({
        "1": [
          { toolCalls: [call("read_file", { path: "src/math.js" })] },
          { toolCalls: [edit("  return a - b;", "  return a * b;"), RUN_TESTS] },
          { toolCalls: [edit("  return a * b;", "  return a + b;"), RUN_TESTS] },
        ],
      }),
    );
    await app.server.magic.idle();

    github.verify();
    expect(model.requests).toHaveLength(3);
    expect(JSON.stringify(model.requests[1]?.messages)).toContain("export function add(a, b)");
    expect(JSON.stringify(model.requests[2]?.messages)).toContain("add sums two numbers");
    expect(mocks.pullRequests).toHaveLength(1);
    expect(mocks.pullRequests[0]?.draft).toBe(false);
    expect(mocks.pullRequests[0]?.body).toContain("| 1 (chosen) | direct | 3 | passing |");
    expect(mocks.statusBodies.at(-1)).toContain("Done");
    expect(remote.readFile("magic/issue-1", "src/math.js")).toContain("return a + b;");
  });

  test("second candidate wins on fewer failures", async () => {
    const fixAdd = edit("  return a - b;", "  return a + b;");
    const fixSubtract = edit("export function subtract(a, b) {\n  return a + b;", "export function subtract(a, b) {\n  return a - b;");
    const mocks = await run(
      THREE_BUGS,
      "candidates: 2\napproaches: [direct]\n",
      byCandidate({
        "1": [{ toolCalls: [fixAdd, RUN_TESTS] }, { toolCalls: [call("finish", { summary: "Fixed add." })] }],
        "2": [{ toolCalls: [fixAdd, fixSubtract, RUN_TESTS] }, { toolCalls: [call("finish", { summary: "Fixed add and subtract." })] }],
      }),
    );
    await app.server.magic.idle();

    github.verify();
    const body = String(mocks.pullRequests[0]?.body);
    expect(mocks.pullRequests[0]?.draft).toBe(true);
    expect(body).toContain("Candidate 2 (direct) won with 1 failing tests against 2.");
    expect(body).toContain("| 2 (chosen) | direct | 2 | 1 failing |");
    expect(body).toContain("| 1 | direct | 2 | 2 failing |");
    expect(body).toContain("Fixed add and subtract.");
    expect(remote.readFile("magic/issue-1", "src/math.js")).toContain("export function subtract(a, b) {\n  return a - b;");
  });

  test("reproduce-first confirms then fixes", async () => {
    const reproduction = 'import assert from "node:assert/strict";\nimport { test } from "node:test";\nimport { add } from "../src/math.js";\n\ntest("issue: add(2, 3) is 5", () => {\n  assert.equal(add(2, 3), 5);\n});\n';
    const mocks = await run(
      BUGGY_PROJECT,
      "candidates: 1\napproaches: [reproduce-first]\n",
      byCandidate({
        "1": [
          { toolCalls: [edit("  return a - b;", "  return a + b;")] },
          { toolCalls: [call("write_file", { path: "test/issue.test.js", content: reproduction }), RUN_TESTS] },
          { toolCalls: [edit("  return a - b;", "  return a + b;"), RUN_TESTS] },
        ],
      }),
    );
    await app.server.magic.idle();

    github.verify();
    expect(JSON.stringify(model.requests[1]?.messages)).toContain("change test files only");
    expect(JSON.stringify(model.requests[2]?.messages)).toContain("The reproduction is confirmed");
    expect(mocks.pullRequests[0]?.draft).toBe(false);
    expect(mocks.pullRequests[0]?.body).toContain("| 1 (chosen) | reproduce-first | 3 | passing |");
    expect(remote.readFile("magic/issue-1", "test/issue.test.js")).toContain("issue: add(2, 3) is 5");
  });

  test("endless model stops on dollars", async () => {
    const mocks = await run(
      BUGGY_PROJECT,
      "candidates: 1\nbudget:\n  usd: 0.1\n",
      byCandidate({ "1": [{ toolCalls: [edit("  return a - b;", "  return a * b;"), RUN_TESTS] }, { toolCalls: [call("read_file", { path: "README.md" })] }] }),
    );
    await app.server.magic.idle();

    github.verify();
    expect(model.requests.length).toBeGreaterThan(2);
    expect(mocks.pullRequests[0]?.draft).toBe(true);
    expect(mocks.pullRequests[0]?.body).toContain("Stop reason: `budget:usd`");
    const finalStatus = mocks.statusBodies.at(-1) ?? "";
    expect(finalStatus).toContain("Out of budget");
    expect(finalStatus).toContain("`budget:usd` limit");
    expect(remote.readFile("magic/issue-1", "src/math.js")).toContain("return a * b;");
  });

  test("malformed tool calls are answered", async () => {
    const mocks = await run(
      BUGGY_PROJECT,
      "candidates: 1\n",
      byCandidate({
        "1": [
          { toolCalls: [call("edit_file", "{not json"), call("delete_everything", {}), call("read_file", { start_line: 1 })] },
          { toolCalls: [edit("  return a - b;", "  return a + b;"), RUN_TESTS] },
        ],
      }),
    );
    await app.server.magic.idle();

    github.verify();
    const second = JSON.stringify(model.requests[1]?.messages);
    expect(second).toContain("JSON parsing failed");
    expect(second).toContain("unavailable tool 'delete_everything'");
    expect(second).toContain("Invalid input for tool read_file");
    expect(mocks.pullRequests).toHaveLength(1);
    expect(mocks.pullRequests[0]?.draft).toBe(false);
  });

  test("cancel mid-step cleans up", async () => {
    let releaseHeldRequest: (() => void) | undefined;
    const held = new Promise<void>((resolve) => (releaseHeldRequest = resolve));
    const mocks = await run(
      BUGGY_PROJECT,
      "candidates: 2\n",
      async () => {
        await held;
        return "";
      },
      false,
    );
    await waitFor(() => model.requests.length === 2);

    const cancelled = app.server.magic.cancel({ repository: { owner: OWNER, name: REPO }, issue: { number: 1 } });
    await app.server.magic.idle();
    releaseHeldRequest?.();

    github.verify();
    expect(cancelled).toBe(true);
    expect(mocks.statusBodies.at(-1)).toContain("Cancelled");
    expect(leftoverCandidateWorktrees(app.workDir)).toEqual([]);
    expect(remote.hasBranch("magic/issue-1")).toBe(false);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Candidate worktrees under the work folder; spare worktrees the manager keeps are not counted. */
function leftoverCandidateWorktrees(workDir: string): string[] {
  const root = path.join(workDir, "worktrees");
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((mirror) => readdirSync(path.join(root, mirror)).filter((name) => /-c\d+$/.test(name)));
}
