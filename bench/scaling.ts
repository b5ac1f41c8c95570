/**
 * Shows that a bigger budget buys a better result. It runs synthetic bug-fix tasks through the real
 * candidate pipeline (worktrees, sandboxed tests, budget, selection) at budgets of 1x, 2x, 4x and 8x,
 * with a scripted model whose chance of a right edit per step is fixed.
 *
 *   npm run bench:scaling [-- --tasks 20 --chance 0.15 --base-usd 0.02]
 *
 * The scripted model runs in process and sends nothing anywhere. Whether a step is right depends
 * only on the task, the candidate and the step, so every budget sees the same luck and a larger one
 * only adds steps.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { ModelMessage } from "ai";
import { pino } from "pino";
import { Budget } from "../src/agent/budget.js";
import { parseRepoConfig } from "../src/config/repo-config.js";
import type { ModelFacts } from "../src/llm/model-facts.js";
import type { ModelClient, ModelReply, ModelRequest } from "../src/llm/model-client.js";
import { priceUsage } from "../src/llm/pricing.js";
import { prepareCandidates } from "../src/run/prepare-candidates.js";
import type { RunRequest } from "../src/run/run-request.js";
import { workOnIssue } from "../src/run/work-on-issue.js";
import { ProcessSandbox } from "../src/sandbox/process-sandbox.js";
import type { Worktree } from "../src/workspace/worktree.js";
import { WorkspaceManager } from "../src/workspace/workspace-manager.js";

const MULTIPLIERS = [1, 2, 4, 8];
const FACTS: ModelFacts = { contextWindow: 128_000, maxOutputTokens: 1_024, supportsTools: true, promptCaching: "none", prices: { input: 1, output: 4 } };
const log = pino({ level: "silent" });

interface Options {
  tasks: number;
  chance: number;
  baseUsd: number;
}

function parseOptions(argv: string[]): Options {
  const options: Options = { tasks: 20, chance: 0.15, baseUsd: 0.02 };
  for (let index = 0; index < argv.length; index += 2) {
    const value = Number(argv[index + 1]);
    if (argv[index] === "--tasks" && Number.isInteger(value) && value > 0) options.tasks = value;
    else if (argv[index] === "--chance" && value > 0 && value <= 1) options.chance = value;
    else if (argv[index] === "--base-usd" && value > 0) options.baseUsd = value;
    else {
      process.stderr.write(`Invalid option ${argv[index]} ${argv[index + 1] ?? ""}\nusage: npm run bench:scaling -- [--tasks N] [--chance 0..1] [--base-usd USD]\n`);
      process.exit(2);
    }
  }
  return options;
}

/** Maps its inputs to a number in [0, 1): the first 32 bits of their SHA-256, so equal inputs give equal luck. */
function luck(...parts: Array<string | number>): number {
  return createHash("sha256").update(parts.join("/")).digest().readUInt32BE(0) / 4294967296;
}

/** One synthetic task: a function that must return `expected` but returns something else. */
function createTask(root: string, task: number): string {
  const seed = path.join(root, `task-${task}-seed`);
  mkdirSync(path.join(seed, "test"), { recursive: true });
  const expected = 10 + task;
  writeFileSync(path.join(seed, "package.json"), JSON.stringify({ name: `task-${task}`, type: "module", scripts: { test: "node --test" } }));
  writeFileSync(path.join(seed, "value.js"), `export function value() {\n  return ${expected - 1};\n}\n`);
  writeFileSync(path.join(seed, "test/value.test.js"), `import assert from "node:assert/strict";\nimport { test } from "node:test";\nimport { value } from "../value.js";\n\ntest("value is ${expected}", () => {\n  assert.equal(value(), ${expected});\n});\n`);
  const git = (cwd: string, ...args: string[]) => execFileSync("git", ["-c", "user.name=Bench", "-c", "user.email=bench@example.com", ...args], { cwd, stdio: "ignore" });
  git(seed, "init", "--quiet", "--initial-branch=main");
  git(seed, "add", "--all");
  git(seed, "commit", "--quiet", "-m", "Task");
  const bare = path.join(root, `task-${task}.git`);
  git(root, "clone", "--quiet", "--bare", seed, bare);
  return pathToFileURL(bare).href;
}

/** A model that writes the right file with a fixed chance per step, else a wrong one, then runs the tests. */
class ScriptedModel implements ModelClient {
  readonly modelId = "scripted:bench";
  readonly facts = FACTS;

  constructor(
    private readonly task: number,
    private readonly chance: number,
  ) {}

  async complete(request: ModelRequest): Promise<ModelReply> {
    const conversation = JSON.stringify(request.messages);
    const candidate = /You are candidate (\d+)\./.exec(conversation)?.[1] ?? "1";
    const step = request.messages.filter((message) => message.role === "assistant").length;
    const right = luck(this.task, candidate, step) < this.chance;
    const expected = 10 + this.task;
    const content = `export function value() {\n  return ${right ? expected : expected + 1 + step};\n}\n`;
    const calls = [
      { toolCallId: `c${candidate}-s${step}-write`, toolName: "write_file", input: { path: "value.js", content } },
      { toolCallId: `c${candidate}-s${step}-test`, toolName: "run_tests", input: {} },
    ];
    const usage = { inputTokens: Math.ceil((request.system.length + (request.prefix?.length ?? 0) + conversation.length) / 4), cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens: 120 };
    const assistant: ModelMessage = { role: "assistant", content: calls.map((call) => ({ type: "tool-call" as const, ...call })) };
    return { text: "", toolCalls: calls, invalidToolCalls: [], responseMessages: [assistant], finishReason: "tool-calls", usage, costUsd: priceUsage(FACTS, usage), attempts: 1, modelId: this.modelId };
  }
}

function requestFor(task: number, cloneUrl: string): RunRequest {
  // Both candidates fix directly: a reproduce-first candidate could not edit value.js before writing a test.
  const config = parseRepoConfig({ candidates: 2, approaches: ["direct"] });
  if (!config.ok) throw new Error("the benchmark's repository config is invalid");
  return {
    runId: `bench-${task}-${Date.now().toString(36)}`,
    deliveryId: `bench-${task}`,
    installationId: 1,
    trigger: "label",
    repository: { owner: "bench", name: `task-${task}`, cloneUrl, defaultBranch: "main" },
    issue: { number: task, title: `value() should return ${10 + task}`, body: "" },
    sender: "bench",
    config: config.config,
    requestedAt: new Date().toISOString(),
  };
}

/** Runs one task at one budget; returns whether the selected candidate's tests pass, and the spend. */
async function runTask(root: string, workspaces: WorkspaceManager, cloneUrl: string, task: number, usd: number, chance: number): Promise<{ solved: boolean; usd: number }> {
  const request = requestFor(task, cloneUrl);
  const runFolder = path.join(root, "runs", request.runId);
  const budget = new Budget({ usd, inputTokens: 10_000_000, outputTokens: 1_000_000, durationMs: 10 * 60_000, testRuns: 1_000, modelCalls: 1_000 });
  const worktrees: Worktree[] = [];
  try {
    const mirror = await workspaces.openMirror({ cloneUrl });
    const sandbox = new ProcessSandbox();
    const prepared = await prepareCandidates({ request, mirror, sandbox, runFolder, log, onWorktree: (worktree) => worktrees.push(worktree) });
    const work = await workOnIssue(request, { model: new ScriptedModel(task, chance), sandbox, budget, workDir: root, log }, prepared, () => {});
    const winner = work.agent.candidates.find((candidate) => candidate.id === work.agent.selection.winner?.candidate.id);
    return { solved: Boolean(winner?.finalTest?.passed && !winner.untestedChanges), usd: budget.spent.usd };
  } catch (error) {
    // A budget too small for the baseline leaves the task unsolved.
    if ((error as { code?: string }).code === "budget-exhausted") return { solved: false, usd: budget.spent.usd };
    throw error;
  } finally {
    for (const worktree of worktrees) await worktree.remove();
    rmSync(runFolder, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const root = mkdtempSync(path.join(tmpdir(), "magic-bench-scaling-"));
  const workspaces = new WorkspaceManager({ workDir: root, maxMirrorBytes: 1e12, log, spareWorktrees: false });
  const shares: string[] = [];
  try {
    const urls = Array.from({ length: options.tasks }, (_unused, task) => createTask(root, task));
    process.stdout.write(`scaling: ${options.tasks} tasks, 2 candidates, chance of a right edit per step ${options.chance}, base budget $${options.baseUsd}\n`);
    for (const multiplier of MULTIPLIERS) {
      const usd = options.baseUsd * multiplier;
      let solved = 0;
      let spent = 0;
      for (const [task, url] of urls.entries()) {
        const result = await runTask(root, workspaces, url, task, usd, options.chance);
        if (result.solved) solved += 1;
        spent += result.usd;
      }
      const share = (100 * solved) / options.tasks;
      shares.push(`${multiplier}x=${share.toFixed(0)}%`);
      process.stdout.write(`budget ${multiplier}x ($${usd.toFixed(3)}): solved ${solved}/${options.tasks} (${share.toFixed(0)}%), mean spend $${(spent / options.tasks).toFixed(4)}\n`);
    }
    process.stdout.write(`scaling: ${shares.join(" ")}\n`);
  } finally {
    await workspaces.idle();
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
