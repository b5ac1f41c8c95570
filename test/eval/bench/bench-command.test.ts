import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { benchCommand } from "../../../src/cli/bench.js";
import { type ModelServer, startModelServer } from "../../helpers/model-server.js";
import { collectingIo, type CommandResult, createLocalRepository, localCommandEnv, TAP_PLAIN_REPORTER, TAP_PLAIN_TEST_COMMAND, waitFor } from "../../local/local-repository.js";

const MODEL = "openai-compatible:bench-test";

const PACKAGE = JSON.stringify({ name: "calc", version: "1.0.0", type: "module", scripts: { test: "node --test" } }) + "\n";
const nodeTest = (name: string, imports: string, body: string) =>
  `import assert from "node:assert/strict";\nimport { test } from "node:test";\nimport { ${imports} } from "../src/math.js";\n\ntest("${name}", () => {\n  ${body}\n});\n`;

/** A history of six commits: two make tasks, one changes tests for behaviour that already worked, the rest change only docs or tests. */
const HISTORY: Array<{ message: string; files: Record<string, string> }> = [
  { message: "Add add", files: { "tap-plain.mjs": TAP_PLAIN_REPORTER, "package.json": PACKAGE, "src/math.js": "export function add(a, b) {\n  return a + b;\n}\n", "test/add.test.js": nodeTest("add sums", "add", "assert.equal(add(2, 3), 5);") } },
  {
    message: "Add multiply\n\nCallers need the product of two numbers.",
    files: {
      "src/math.js": "export function add(a, b) {\n  return a + b;\n}\n\nexport function multiply(a, b) {\n  return a * b;\n}\n",
      "test/multiply.test.js": nodeTest("multiply multiplies", "multiply", "assert.equal(multiply(2, 4), 8);"),
    },
  },
  { message: "Describe the library", files: { "README.md": "# calc\n" } },
  {
    message: "Make add accept strings of digits",
    files: {
      "src/math.js": "export function add(a, b) {\n  return Number(a) + Number(b);\n}\n\nexport function multiply(a, b) {\n  return a * b;\n}\n",
      "test/strings.test.js": nodeTest("add parses digits", "add", 'assert.equal(add("2", "3"), 5);'),
    },
  },
  { message: "Test add with zero", files: { "test/zero.test.js": nodeTest("add keeps zero", "add", "assert.equal(add(0, 7), 7);") } },
  {
    message: "Name the sum in add\n\nNo change in behaviour.",
    files: {
      "src/math.js": "export function add(a, b) {\n  const sum = Number(a) + Number(b);\n  return sum;\n}\n\nexport function multiply(a, b) {\n  return a * b;\n}\n",
      "test/negative.test.js": nodeTest("add handles negatives", "add", "assert.equal(add(-2, -3), -5);"),
    },
  },
];

describe("magic bench", () => {
  let folder: string;
  let repository: string;
  let model: ModelServer | undefined;
  let env: Record<string, string>;

  beforeEach(() => {
    folder = mkdtempSync(path.join(tmpdir(), "magic-bench-"));
    repository = createLocalRepository(HISTORY);
    env = localCommandEnv(folder, MODEL);
  });

  afterEach(async () => {
    await model?.close();
    model = undefined;
    rmSync(folder, { recursive: true, force: true });
    rmSync(repository, { recursive: true, force: true });
  });

  async function bench(argv: string[]): Promise<CommandResult> {
    const { io, result } = collectingIo();
    const code = await benchCommand(argv, env, new AbortController().signal, io);
    return { code, ...result };
  }

  test("history tasks solved by gold", async () => {
    const out = path.join(folder, "gold");

    const result = await bench(["--from-history", repository, "--limit", "5", "--model", "gold", "--out", out]);

    expect(result.stderr).not.toContain("error:");
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("Make add accept strings of digits: task built with 1 fail_to_pass and 2 pass_to_pass tests");
    expect(result.stderr).toContain("Add multiply: task built with 1 fail_to_pass and 1 pass_to_pass tests");
    expect(result.stderr).toContain("Name the sum in add: skipped, no test fails before the fix and passes after it");
    expect(result.stderr).toContain("Add add: skipped, it is the root commit and has no parent to compare with");
    expect(result.stdout).toContain("bench: tasks=2 solved=2 (100%) usd=0.0000 median-time=");
    const tasks = readFileSync(path.join(out, "tasks.jsonl"), "utf8").trim().split("\n").map((line) => JSON.parse(line));
    expect(tasks.map((task) => task.problem_statement)).toEqual(["Make add accept strings of digits", "Add multiply\n\nCallers need the product of two numbers."]);
    expect(tasks[0].test_patch).toContain("test/strings.test.js");
    expect(tasks[0].gold_patch).toContain("src/math.js");
    expect(tasks[0].gold_patch).not.toContain("test/");
    expect(tasks[1].fail_to_pass).toEqual(["multiply multiplies"]);
    expect(tasks[1].pass_to_pass).toEqual(["add sums"]);
    const report = JSON.parse(readFileSync(path.join(out, "report.json"), "utf8"));
    expect(report.summary).toMatchObject({ tasks: 2, solved: 2 });
    expect(readFileSync(path.join(out, "report.md"), "utf8")).toContain("| yes |");
  });

  test("do-nothing model solves none", async () => {
    model = await startModelServer([{ toolCalls: [{ name: "finish", arguments: { summary: "Nothing to change." } }] }]);
    env.MAGIC_MODEL_BASE_URL = model.baseUrl;
    const out = path.join(folder, "noop");

    const result = await bench(["--from-history", repository, "--limit", "5", "--model", MODEL, "--out", out, "--concurrency", "2"]);

    expect(result.stderr).not.toContain("error:");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("bench: tasks=2 solved=0 (0%) usd=0.0000 median-time=");
    expect(result.stderr).toContain("not solved: no candidate changed any file");
    expect(model.requests.length).toBeGreaterThanOrEqual(2);
  });

  test("recorded bench replays per task", async () => {
    model = await startModelServer([{ toolCalls: [{ name: "finish", arguments: { summary: "Nothing to change." } }] }]);
    env.MAGIC_MODEL_BASE_URL = model.baseUrl;
    const recordings = path.join(folder, "recordings");
    env.MAGIC_RECORD = recordings;
    const live = await bench(["--from-history", repository, "--limit", "2", "--model", MODEL, "--test-command", TAP_PLAIN_TEST_COMMAND, "--out", path.join(folder, "live")]);
    expect(live.code).toBe(0);
    await model.close();
    model = undefined;
    delete env.MAGIC_RECORD;
    writeFileSync(path.join(folder, "tasks.jsonl"), readFileSync(path.join(folder, "live", "tasks.jsonl")));

    const replayed = await bench([path.join(folder, "tasks.jsonl"), "--model", `replay:${recordings}`, "--out", path.join(folder, "replay")]);

    const tasks = readFileSync(path.join(folder, "tasks.jsonl"), "utf8").trim().split("\n").map((line) => JSON.parse(line) as { id: string });
    expect(readdirSync(recordings).sort()).toEqual(tasks.map((task) => `bench-${task.id}.jsonl`).sort());
    expect(replayed.stderr).not.toContain("error:");
    expect(replayed.code).toBe(0);
    expect(replayed.stdout).toContain("bench: tasks=2 solved=0 (0%)");
  });

  test("rerun skips finished tasks", async () => {
    const out = path.join(folder, "resume");
    const first = await bench(["--from-history", repository, "--limit", "1", "--model", "gold", "--out", out]);
    expect(first.stdout).toContain("bench: tasks=1 solved=1 (100%)");
    model = await startModelServer(["this model must not be called"]);
    env.MAGIC_MODEL_BASE_URL = model.baseUrl;

    const second = await bench(["--from-history", repository, "--limit", "1", "--model", MODEL, "--out", out]);

    expect(second.code).toBe(0);
    expect(second.stderr).toContain("history: reusing the tasks built before");
    expect(second.stderr).toContain("finished in an earlier run");
    expect(second.stdout).toContain("bench: tasks=1 solved=1 (100%)");
    expect(model.requests).toHaveLength(0);
  });

  test("tasks built elsewhere rejected", async () => {
    const out = path.join(folder, "built");
    const other = createLocalRepository(HISTORY);
    try {
      expect((await bench(["--from-history", repository, "--limit", "1", "--model", "gold", "--out", out])).code).toBe(0);

      const moreTasks = await bench(["--from-history", repository, "--limit", "2", "--model", "gold", "--out", out]);
      const otherRepository = await bench(["--from-history", other, "--limit", "1", "--model", "gold", "--out", out]);

      expect(moreTasks.code).toBe(2);
      expect(moreTasks.stderr).toContain("--limit 2 (was 1)");
      expect(moreTasks.stderr).toContain(`Choose another --out, or delete ${out} to build the tasks again.`);
      expect(moreTasks.stdout).not.toContain("bench:");
      expect(otherRepository.code).toBe(2);
      expect(otherRepository.stderr).toContain(`repository ${other} (was ${repository})`);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  test("history with only a root commit", async () => {
    const single = createLocalRepository([HISTORY[0] as (typeof HISTORY)[number]]);
    try {
      const result = await bench(["--from-history", single, "--limit", "1", "--model", "gold", "--out", path.join(folder, "root")]);

      expect(result.code).toBe(1);
      expect(result.stderr).toContain("Add add: skipped, it is the root commit and has no parent to compare with");
      expect(result.stderr).toContain("no commit with a parent changes test files and source files together");
      expect(result.stderr).not.toContain("the lines above say why");
    } finally {
      rmSync(single, { recursive: true, force: true });
    }
  });

  test("cancel writes partial report", async () => {
    let release: (() => void) | undefined;
    const heldReply = new Promise<void>((resolve) => (release = resolve));
    model = await startModelServer([
      async () => {
        await heldReply;
        return "";
      },
    ]);
    env.MAGIC_MODEL_BASE_URL = model.baseUrl;
    const out = path.join(folder, "cancelled");
    const controller = new AbortController();
    const { io, result } = collectingIo();
    try {
      const finished = benchCommand(["--from-history", repository, "--limit", "1", "--model", MODEL, "--out", out], env, controller.signal, io);
      await waitFor(() => (model?.requests.length ?? 0) >= 1);

      controller.abort();
      const code = await finished;

      expect(code).toBe(130);
      expect(result.stderr).toContain("Cancelled");
      expect(readdirSync(path.join(out, "tasks"))).toEqual([]);
      expect(readFileSync(path.join(out, "report.md"), "utf8")).toContain("Partial report: the bench was cancelled, and 1 task did not run.");
      expect(JSON.parse(readFileSync(path.join(out, "report.json"), "utf8")).partial).toMatchObject({ cancelled: true, tasksNotRun: 1 });
      expect(readdirSync(path.join(folder, "work", "runs"))).toEqual([]);
    } finally {
      release?.();
    }
  });

  test("tasks file errors name lines", async () => {
    const file = path.join(folder, "tasks.jsonl");
    const valid = { id: "a", repo: ".", base_commit: "abc1234", problem_statement: "Fix it", fail_to_pass: ["t"] };
    writeFileSync(file, [JSON.stringify(valid), "{not json", JSON.stringify({ ...valid, id: "b", base_commit: "main", fail_to_pass: [] }), "", JSON.stringify({ ...valid, colour: "red" }), JSON.stringify(valid)].join("\n"));

    const result = await bench([file, "--model", "gold"]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}:2: not valid JSON`);
    expect(result.stderr).toContain(`${file}:3: base_commit: expected a commit id of 7 to 64 hexadecimal digits`);
    expect(result.stderr).toContain(`${file}:3: fail_to_pass: expected at least one test that the fix makes pass`);
    expect(result.stderr).toContain(`${file}:5: unknown field colour`);
    expect(result.stderr).toContain("the task id a appears more than once");
  });

  test.each([
    { name: "no tasks file", argv: ["--model", "gold"], message: "The tasks file is missing" },
    { name: "missing tasks file", argv: ["/nonexistent/tasks.jsonl", "--model", "gold"], message: "The tasks file /nonexistent/tasks.jsonl was not found" },
    { name: "file and history", argv: ["tasks.jsonl", "--from-history", ".", "--limit", "1", "--model", "gold"], message: "Give either a tasks file or --from-history" },
    { name: "history without limit", argv: ["--from-history", ".", "--model", "gold"], message: "--limit is missing" },
    { name: "limit without history", argv: ["x.jsonl", "--limit", "3", "--model", "gold"], message: "--limit applies only with --from-history" },
    { name: "limit zero", argv: ["--from-history", ".", "--limit", "0", "--model", "gold"], message: "--limit must be a whole number from 1 to 1000" },
    { name: "concurrency text", argv: ["x.jsonl", "--concurrency", "many", "--model", "gold"], message: "--concurrency must be a whole number from 1 to 16" },
    { name: "candidates too many", argv: ["x.jsonl", "--candidates", "12", "--model", "gold"], message: "--candidates must be a whole number from 1 to 8" },
    { name: "test command without history", argv: ["x.jsonl", "--test-command", "make test", "--model", "gold"], message: "--test-command and --setup-command apply only with --from-history" },
    { name: "unknown option", argv: ["x.jsonl", "--fast"], message: "Unknown option '--fast'" },
    { name: "model missing", argv: ["--from-history", ".", "--limit", "1"], message: "--model is missing" },
    { name: "replay file missing", argv: ["--from-history", ".", "--limit", "1", "--model", "replay:/nonexistent/run.jsonl"], message: "/nonexistent/run.jsonl" },
  ])("rejects $name", async ({ argv, message }) => {
    const result = await bench(argv);

    expect(result.stderr).toContain(message);
    expect(result.code).toBe(2);
  });
});
