/**
 * Measures how long a run waits for its workspace, against a plain `git clone`, and what the sandbox
 * adds to one command.
 *
 *   npm run bench:workspace -- <repo-path> [--runs N] [--no-filter] [--keep]
 *
 * The repository is copied to a scratch bare remote (hard links where possible), which is served over
 * file:// so that both the clone and the mirror go through git's pack protocol as with a real server.
 * The copy allows partial clone, like GitHub, unless --no-filter is given. The repository itself is
 * never changed: the "new commit" of the warm runs goes to the copy.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { pino } from "pino";
import { buildSandboxEnvironment } from "../src/sandbox/environment.js";
import { selectSandbox } from "../src/sandbox/select.js";
import type { Sandbox } from "../src/sandbox/sandbox.js";
import { WorkspaceManager } from "../src/workspace/workspace-manager.js";

interface BenchOptions {
  repository: string;
  runs: number;
  filter: boolean;
  keep: boolean;
}

const SANDBOX_SAMPLES = 20;
const IDENTITY = { GIT_AUTHOR_NAME: "Bench", GIT_AUTHOR_EMAIL: "bench@example.com", GIT_COMMITTER_NAME: "Bench", GIT_COMMITTER_EMAIL: "bench@example.com" };

function parseArguments(argv: string[]): BenchOptions {
  const options: BenchOptions = { repository: "", runs: 3, filter: true, keep: false };
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index] as string;
    if (argument === "--runs") options.runs = Number.parseInt(argv[++index] ?? "", 10);
    else if (argument === "--no-filter") options.filter = false;
    else if (argument === "--keep") options.keep = true;
    else if (argument.startsWith("-")) fail(`Unknown option ${argument}`);
    else options.repository = path.resolve(argument);
  }
  if (!options.repository) fail("Missing repository path");
  if (!Number.isInteger(options.runs) || options.runs < 1) fail("--runs must be a whole number of 1 or more");
  return options;
}

function fail(message: string): never {
  process.stderr.write(`${message}\nusage: npm run bench:workspace -- <repo-path> [--runs N] [--no-filter] [--keep]\n`);
  process.exit(2);
}

function git(cwd: string, args: string[], input?: string, extraEnvironment: Record<string, string> = {}): string {
  return execFileSync("git", args, { cwd, input, encoding: "utf8", env: { ...process.env, ...extraEnvironment }, stdio: ["pipe", "pipe", "pipe"], maxBuffer: 256 * 1024 * 1024 });
}

async function timed<T>(work: () => Promise<T> | T): Promise<{ value: T; seconds: number }> {
  const started = performance.now();
  const value = await work();
  return { value, seconds: (performance.now() - started) / 1000 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Adds a commit with one new file to `branch` of a bare repository, without a checkout. */
function commitToBareRepository(repository: string, branch: string, scratch: string, fileName: string): void {
  const index = { GIT_INDEX_FILE: path.join(scratch, "bench-index") };
  git(repository, ["read-tree", `refs/heads/${branch}`], undefined, index);
  const blob = git(repository, ["hash-object", "-w", "--stdin"], `${fileName} ${new Date().toISOString()}\n`).trim();
  git(repository, ["update-index", "--add", "--cacheinfo", `100644,${blob},${fileName}`], undefined, index);
  const tree = git(repository, ["write-tree"], undefined, index).trim();
  const commit = git(repository, ["commit-tree", tree, "-p", `refs/heads/${branch}`, "-m", `Add ${fileName}`], undefined, IDENTITY).trim();
  git(repository, ["update-ref", `refs/heads/${branch}`, commit]);
}


async function spawnDirectly(cwd: string, env: Record<string, string>): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn("true", [], { cwd, env, stdio: "ignore" });
    child.once("error", reject);
    child.once("exit", () => resolve());
  });
}

/** Returns the median extra milliseconds of running `true` through the sandbox instead of spawning it. */
async function measureSandboxOverhead(sandbox: Sandbox, cwd: string, home: string): Promise<number> {
  const env = buildSandboxEnvironment(process.env, home);
  const direct: number[] = [];
  const sandboxed: number[] = [];
  for (let sample = 0; sample < SANDBOX_SAMPLES; sample += 1) {
    direct.push((await timed(() => spawnDirectly(cwd, env))).seconds * 1000);
    const run = await timed(() => sandbox.run(["true"], { cwd, env, timeoutMs: 30_000, network: false }));
    if (run.value.exitCode !== 0) throw new Error(`"true" failed in the ${sandbox.kind} sandbox: ${run.value.output}`);
    sandboxed.push(run.seconds * 1000);
  }
  return Math.max(0, median(sandboxed) - median(direct));
}

interface Setup {
  scratch: string;
  remote: string;
  url: string;
  branch: string;
  files: number;
}

function prepareRemote(options: BenchOptions): Setup {
  if (!existsSync(options.repository)) fail(`Repository ${options.repository} does not exist`);
  try {
    git(options.repository, ["rev-parse", "--git-dir"]);
  } catch {
    fail(`${options.repository} is not a git repository`);
  }
  const scratch = mkdtempSync(path.join(tmpdir(), "magic-bench-"));
  const remote = path.join(scratch, "remote.git");
  git(scratch, ["clone", "--bare", "--quiet", options.repository, remote]);
  git(remote, ["config", "uploadpack.allowFilter", String(options.filter)]);
  const branch = git(remote, ["symbolic-ref", "--short", "HEAD"]).trim();
  const files = git(remote, ["ls-tree", "-r", "--name-only", `refs/heads/${branch}`]).split("\n").filter(Boolean).length;
  return { scratch, remote, url: pathToFileURL(remote).href, branch, files };
}

async function main(): Promise<void> {
  const options = parseArguments(process.argv.slice(2));
  const setup = prepareRemote(options);
  const log = pino({ level: process.env.LOG_LEVEL ?? "silent" });
  try {
    console.log(`repository: ${options.repository} (${setup.files} files on ${setup.branch})`);
    console.log(`remote: ${setup.url}, partial clone ${options.filter ? "allowed" : "not allowed"}`);

    const clone = await timed(() => git(setup.scratch, ["clone", "--quiet", setup.url, path.join(setup.scratch, "clone")]));
    console.log(`plain clone:                 ${clone.seconds.toFixed(2)} s`);

    const workDir = path.join(setup.scratch, "work");
    const workspaces = new WorkspaceManager({ workDir, maxMirrorBytes: 1e15, log });
    const first = await timed(async () => {
      const mirror = await workspaces.openMirror({ cloneUrl: setup.url });
      return { partial: mirror.partial, worktree: await mirror.createWorktree({ name: "bench-first", baseBranch: setup.branch }) };
    });
    console.log(`first workspace:             ${first.seconds.toFixed(2)} s (mirror created, ${first.value.partial ? "partial" : "full"} clone)`);
    const spare = await timed(() => workspaces.idle());
    console.log(`spare preparation:           ${spare.seconds.toFixed(2)} s (in the background, after the first workspace)`);

    const sandboxHome = path.join(setup.scratch, "home");
    mkdirSync(sandboxHome);
    // The sandbox the host would pick: bubblewrap where it runs, else the plain process sandbox.
    const sandbox = await selectSandbox({ kind: "auto", log });
    const overheadMs = await measureSandboxOverhead(sandbox, first.value.worktree.directory, sandboxHome);
    await first.value.worktree.remove();

    const warm: number[] = [];
    for (let run = 1; run <= options.runs; run += 1) {
      const fileName = `magic-bench-${run}.txt`;
      commitToBareRepository(setup.remote, setup.branch, setup.scratch, fileName);
      const result = await timed(async () => (await workspaces.openMirror({ cloneUrl: setup.url })).createWorktree({ name: `bench-warm-${run}`, baseBranch: setup.branch }));
      if (!existsSync(path.join(result.value.directory, fileName))) throw new Error(`Warm workspace ${run} lacks ${fileName}: it is not at the new commit`);
      warm.push(result.seconds);
      await workspaces.idle();
      await result.value.remove();
    }
    console.log(`warm workspace:              ${median(warm).toFixed(2)} s (median of ${warm.map((seconds) => seconds.toFixed(2)).join(", ")}; one new commit each)`);

    const noSpare = new WorkspaceManager({ workDir, maxMirrorBytes: 1e15, log, spareWorktrees: false });
    commitToBareRepository(setup.remote, setup.branch, setup.scratch, "magic-bench-no-spare.txt");
    const cold = await timed(async () => (await noSpare.openMirror({ cloneUrl: setup.url })).createWorktree({ name: "bench-no-spare", baseBranch: setup.branch }));
    await cold.value.remove();
    console.log(`warm workspace, no spare:    ${cold.seconds.toFixed(2)} s (full checkout from the warm mirror)`);
    console.log(`sandbox overhead:            ${overheadMs.toFixed(1)} ms (${sandbox.kind} sandbox, median of ${SANDBOX_SAMPLES} runs of true)`);
    console.log(`warm / clone:                ${(median(warm) / clone.seconds).toFixed(3)}`);
    console.log(`workspace: clone=${clone.seconds.toFixed(2)}s first=${first.seconds.toFixed(2)}s warm=${median(warm).toFixed(2)}s sandbox-overhead=${overheadMs.toFixed(1)}ms`);
  } finally {
    if (options.keep) console.log(`kept ${setup.scratch}`);
    else rmSync(setup.scratch, { recursive: true, force: true });
  }
}

await main();
