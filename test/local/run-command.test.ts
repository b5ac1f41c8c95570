import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { pino } from "pino";
import { runCommand } from "../../src/cli/run-local.js";
import { acquireLease } from "../../src/workspace/lease.js";
import { BUGGY_PROJECT, git, writeFiles } from "../helpers/git-repository.js";
import { strictGitHub } from "../helpers/github-api.js";
import { type ChatReply, type ModelServer, startModelServer, type ToolCallReply } from "../helpers/model-server.js";
import { collectingIo, type CommandResult, createLocalRepository, localCommandEnv, TAP_PLAIN_REPORTER, TAP_PLAIN_TEST_COMMAND, waitFor } from "./local-repository.js";

const MODEL = "openai-compatible:run-test";
const MAGIC = fileURLToPath(new URL("../../bin/magic.js", import.meta.url));

const FIX_ADD: ToolCallReply = {
  toolCalls: [
    { name: "edit_file", arguments: { path: "src/math.js", search: "  return a - b;", replace: "  return a + b;" } },
    { name: "run_tests", arguments: {} },
  ],
};

describe("magic run", () => {
  let folder: string;
  let repository: string;
  let model: ModelServer | undefined;
  let env: Record<string, string>;

  beforeEach(() => {
    folder = mkdtempSync(path.join(tmpdir(), "magic-run-"));
    repository = createLocalRepository([{ message: "Add a calculator", files: BUGGY_PROJECT }]);
    env = localCommandEnv(folder, MODEL);
  });

  afterEach(async () => {
    await model?.close();
    model = undefined;
    rmSync(folder, { recursive: true, force: true });
    rmSync(repository, { recursive: true, force: true });
  });

  async function run(argv: string[], signal = new AbortController().signal): Promise<CommandResult> {
    const { io, result } = collectingIo();
    const code = await runCommand(argv, env, signal, io);
    return { code, ...result };
  }

  async function startModel(replies: ChatReply[]): Promise<void> {
    model = await startModelServer(replies);
    env.MAGIC_MODEL_BASE_URL = model.baseUrl;
  }

  test("scripted fix ends with passing patch", async () => {
    await startModel([FIX_ADD]);
    const out = path.join(folder, "out");

    const result = await run(["--repo", repository, "--issue", "add() subtracts\n\nadd(2, 3) returns -1.", "--model", MODEL, "--candidates", "1", "--out", out]);

    expect(result.stderr).not.toContain("failed");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("run: tests pass, stop reason tests-pass");
    expect(result.stdout).toContain(", 1 model call, ");
    const patch = readFileSync(path.join(out, "patch.diff"), "utf8");
    expect(patch).toContain("+  return a + b;");
    const report = readFileSync(path.join(out, "report.md"), "utf8");
    expect(report).toContain("# add() subtracts");
    expect(report).toContain("- Tests on the base commit: failing (1 named failure)");
    expect(report).toContain("1 model call, ");
    const record = JSON.parse(readFileSync(path.join(out, "run.json"), "utf8"));
    expect(record.testsPass).toBe(true);
    expect(record.candidates[0].steps[0].toolCalls).toEqual(["edit_file", "run_tests"]);
    const kinds = record.events.map((event: { type: string }) => event.type);
    expect(kinds).toContain("model-call");
    expect(kinds).toContain("command");
    expect(record.events.find((event: { type: string }) => event.type === "model-call").candidate).toBe("1");
    const phases = record.events.filter((event: { type: string }) => event.type === "phase").map((event: { phase: string }) => event.phase);
    expect(phases).toEqual(["preparing", "indexing", "baseline", "attempt", "selecting"]);
    expect(result.stderr).toContain("run: phase baseline");
    expect(git(repository, "status", "--porcelain")).toBe("");
  });

  test("stale run folders removed", async () => {
    const runs = path.join(folder, "work", "runs");
    const stale = path.join(runs, "local-2026-01-01T00-00-00-000Z");
    const live = path.join(runs, "local-live");
    writeFiles(stale, { "home/notes.txt": "left by a process that exited on a second Ctrl-C\n" });
    writeFiles(live, { "home/notes.txt": "used by a process that still runs\n" });
    const lease = await acquireLease(live, { waitMs: 0, log: pino({ level: "silent" }) });
    await startModel([FIX_ADD]);
    try {
      const result = await run(["--repo", repository, "--issue", "add() subtracts", "--model", MODEL, "--candidates", "1", "--out", path.join(folder, "out")]);

      expect(result.code).toBe(0);
      expect(existsSync(stale)).toBe(false);
      expect(existsSync(live)).toBe(true);
      expect(readdirSync(runs).sort()).toEqual(["local-live", "local-live.lease"]);
    } finally {
      await lease?.release();
    }
  });

  test("branch option commits the patch", async () => {
    await startModel([FIX_ADD]);

    const result = await run(["--repo", repository, "--issue", "add() subtracts", "--model", MODEL, "--candidates", "1", "--out", path.join(folder, "out"), "--branch", "fix/add"]);

    expect(result.code).toBe(0);
    expect(git(repository, "show", "fix/add:src/math.js")).toContain("return a + b;");
    expect(git(repository, "log", "-1", "--format=%s", "fix/add").trim()).toBe("add() subtracts");
    expect(git(repository, "rev-parse", "--abbrev-ref", "HEAD").trim()).toBe("main");
  });

  test("issue read from GitHub URL", async () => {
    const github = strictGitHub();
    github.api.get("/repos/octo-org/calculator/issues/7").matchHeader("authorization", "token secret-token").reply(200, { number: 7, title: "add() is wrong", body: "It subtracts." });
    await startModel([FIX_ADD]);
    env.GITHUB_TOKEN = "secret-token";
    const out = path.join(folder, "out");
    try {
      const result = await run(["--repo", repository, "--issue", "https://github.com/octo-org/calculator/issues/7", "--model", MODEL, "--candidates", "1", "--out", out]);

      expect(result.code).toBe(0);
      github.verify();
      expect(JSON.stringify(model?.requests[0]?.messages)).toContain("It subtracts.");
      expect(readFileSync(path.join(out, "report.md"), "utf8")).toContain("# add() is wrong");
    } finally {
      github.reset();
    }
  });

  test("recorded run replays without model", async () => {
    await startModel([FIX_ADD]);
    const recordings = path.join(folder, "recordings");
    env.MAGIC_RECORD = recordings;
    const first = await run(["--repo", repository, "--issue", "add() subtracts", "--model", MODEL, "--candidates", "1", "--out", path.join(folder, "live")]);
    expect(first.code).toBe(0);
    await model?.close();
    model = undefined;
    delete env.MAGIC_RECORD;
    const [recording] = readdirSync(recordings);
    expect(readFileSync(path.join(recordings, recording as string), "utf8")).toContain("duration_ms: <time>");

    const replayed = await run(["--repo", repository, "--issue", "add() subtracts", "--model", `replay:${path.join(recordings, recording as string)}`, "--candidates", "1", "--out", path.join(folder, "replay")]);

    expect(replayed.stderr).not.toContain("differs from the recording");
    expect(replayed.code).toBe(0);
    expect(readFileSync(path.join(folder, "replay", "patch.diff"), "utf8")).toBe(readFileSync(path.join(folder, "live", "patch.diff"), "utf8"));
  });

  test("rejected model call explained", async () => {
    await startModel([
      { status: 500, body: { error: { message: "upstream crashed", type: "server_error" } } },
      { status: 400, body: { error: { message: "max_tokens is too large: 8192", type: "invalid_request_error" } } },
    ]);
    delete env.LOG_LEVEL;

    const result = await run(["--repo", repository, "--issue", "add() subtracts", "--model", MODEL, "--candidates", "1", "--out", path.join(folder, "out")]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain("The last problem: The model call failed after 2 attempts on openai-compatible:run-test: rejected (HTTP 400): max_tokens is too large: 8192.");
    expect(result.stderr).toContain('"msg":"model call failed, retrying"');
    expect(result.stderr).toContain("[request body omitted]");
    expect(result.stderr).not.toContain("You are Magic PR");
  });

  test("repository config applies", async () => {
    writeFiles(repository, { ".github/magic.yml": "candidates: 1\nbudget:\n  usd: 0.5\n" });
    git(repository, "add", ".github/magic.yml");
    git(repository, "commit", "--quiet", "-m", "Configure the app");
    await startModel([FIX_ADD]);
    const out = path.join(folder, "out");

    const result = await run(["--repo", repository, "--issue", "add() subtracts", "--model", MODEL, "--out", out]);

    expect(result.code).toBe(0);
    const record = JSON.parse(readFileSync(path.join(out, "run.json"), "utf8"));
    expect(record.candidates).toHaveLength(1);
    expect(record.limits.usd).toBe(0.5);
  });

  test("invalid repository config rejected", async () => {
    writeFiles(repository, { ".github/magic.yml": "candidates: many\ncolour: red\n" });
    git(repository, "add", ".github/magic.yml");
    git(repository, "commit", "--quiet", "-m", "Configure the app badly");
    env.MAGIC_MODEL_BASE_URL = "http://127.0.0.1:9/v1";

    const result = await run(["--repo", repository, "--issue", "add() subtracts", "--model", MODEL, "--out", path.join(folder, "out")]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("candidates: found \"many\", expected a whole number of candidates from 1 to 8");
    expect(result.stderr).toContain("colour: found an unknown key");
    expect(liveWorktrees(path.join(folder, "work", "worktrees"))).toEqual([]);
  });

  test("issue read from a file", async () => {
    await startModel([FIX_ADD]);
    const issueFile = path.join(folder, "issue.md");
    writeFileSync(issueFile, "# Sum is wrong\n\nadd(2, 3) should be 5.\n");

    const result = await run(["--repo", repository, "--issue", issueFile, "--model", MODEL, "--candidates", "1", "--out", path.join(folder, "out")]);

    expect(result.code).toBe(0);
    expect(JSON.stringify(model?.requests[0]?.messages)).toContain("add(2, 3) should be 5.");
  });

  test.each([
    { name: "unknown option", argv: ["--repo", ".", "--issue", "x", "--colour"], message: "Unknown option '--colour'" },
    { name: "missing repo", argv: ["--issue", "x"], message: "--repo is missing" },
    { name: "missing issue", argv: ["--repo", "."], message: "--issue is missing" },
    { name: "empty issue", argv: ["--repo", "REPO", "--issue", "  ", "--model", MODEL], message: "is empty" },
    { name: "issue URL of a pull request", argv: ["--repo", "REPO", "--issue", "https://github.com/o/r/pull/1", "--model", MODEL], message: "is not a GitHub issue URL" },
    { name: "repo not found", argv: ["--repo", "/nonexistent/repo", "--issue", "x", "--model", MODEL], message: "--repo /nonexistent/repo was not found" },
    { name: "repo not git", argv: ["--repo", "FOLDER", "--issue", "x", "--model", MODEL], message: "is not a git repository" },
    { name: "ssh repo", argv: ["--repo", "git@github.com:o/r.git", "--issue", "x", "--model", MODEL], message: "SSH address" },
    { name: "budget text", argv: ["--repo", "REPO", "--issue", "x", "--budget-usd", "lots", "--model", MODEL], message: "--budget-usd must be an amount of US dollars" },
    { name: "budget zero", argv: ["--repo", "REPO", "--issue", "x", "--budget-usd", "0", "--model", MODEL], message: "--budget-usd must be above 0" },
    { name: "budget too high", argv: ["--repo", "REPO", "--issue", "x", "--budget-usd", "5000", "--model", MODEL], message: "--budget-usd must be at most 1000" },
    { name: "candidates zero", argv: ["--repo", "REPO", "--issue", "x", "--candidates", "0", "--model", MODEL], message: "--candidates must be a whole number from 1 to 8" },
    { name: "candidates fraction", argv: ["--repo", "REPO", "--issue", "x", "--candidates", "1.5", "--model", MODEL], message: "--candidates must be a whole number from 1 to 8" },
    { name: "candidates too many", argv: ["--repo", "REPO", "--issue", "x", "--candidates", "9", "--model", MODEL], message: "--candidates must be a whole number from 1 to 8" },
    { name: "model missing", argv: ["--repo", "REPO", "--issue", "x"], message: "--model is missing" },
    { name: "model unknown provider", argv: ["--repo", "REPO", "--issue", "x", "--model", "mistral:large"], message: 'unknown provider "mistral"' },
    { name: "model without key", argv: ["--repo", "REPO", "--issue", "x", "--model", "anthropic:claude-sonnet-4-5"], message: "ANTHROPIC_API_KEY" },
    { name: "gold model", argv: ["--repo", "REPO", "--issue", "x", "--model", "gold"], message: "--model gold works only with magic bench" },
    { name: "model empty", argv: ["--repo", "REPO", "--issue", "x", "--model", ""], message: "--model is empty" },
    { name: "out empty", argv: ["--repo", "REPO", "--issue", "x", "--out", "", "--model", MODEL], message: "--out is empty" },
    { name: "branch invalid", argv: ["--repo", "REPO", "--issue", "x", "--model", MODEL, "--branch", "a..b"], message: "--branch a..b is not a valid branch name" },
    { name: "branch exists", argv: ["--repo", "REPO", "--issue", "x", "--model", MODEL, "--branch", "main"], message: "--branch main already exists" },
    { name: "branch with URL", argv: ["--repo", "URL", "--issue", "x", "--model", MODEL, "--branch", "fix"], message: "--branch needs --repo to be a local path" },
    { name: "test command empty", argv: ["--repo", "REPO", "--issue", "x", "--test-command", " ", "--model", MODEL], message: "--test-command is empty" },
  ])("rejects $name", async ({ argv, message }) => {
    const nonRepository = mkdtempSync(path.join(folder, "plain-"));
    const placeholders: Record<string, string> = { REPO: repository, FOLDER: nonRepository, URL: `file://${repository}` };
    const replaced = argv.map((arg) => placeholders[arg] ?? arg);
    env.MAGIC_MODEL_BASE_URL = "http://127.0.0.1:9/v1";

    const result = await run(replaced);

    expect(result.stderr).toContain(message);
    expect(result.code).toBe(2);
    expect(existsSync(path.join(folder, "work", "runs"))).toBe(false);
  });

  test("Ctrl-C removes worktrees", async () => {
    let release: (() => void) | undefined;
    const heldReply = new Promise<void>((resolve) => (release = resolve));
    await startModel([
      async () => {
        await heldReply;
        return "";
      },
    ]);
    const child = spawn(process.execPath, [MAGIC, "run", "--repo", repository, "--issue", "add() subtracts", "--model", MODEL, "--candidates", "2", "--out", path.join(folder, "out")], {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    child.stderr.on("data", (chunk: Buffer) => void (stderr += chunk.toString()));
    try {
      await waitFor(() => stderr.includes("run: phase attempt") && (model?.requests.length ?? 0) >= 2);

      child.kill("SIGINT");
      const code = await exited;

      expect(code).toBe(130);
      expect(stderr).toContain("Cancelled: the worktrees were removed");
      expect(liveWorktrees(path.join(folder, "work", "worktrees"))).toEqual([]);
      expect(readdirSync(path.join(folder, "work", "runs"))).toEqual([]);
      expect(existsSync(path.join(folder, "out"))).toBe(false);
    } finally {
      release?.();
      child.kill("SIGKILL");
    }
  });
});

/** Worktree folders left under the worktrees root: entries without a dot, as lock files have one. */
function liveWorktrees(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((key) => readdirSync(path.join(root, key)).filter((entry) => !entry.includes(".")).map((entry) => `${key}/${entry}`));
}
