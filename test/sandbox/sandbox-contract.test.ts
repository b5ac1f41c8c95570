import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { SandboxError } from "../../src/sandbox/sandbox.js";
import { APP_SECRETS, availableSandboxes, createRunFolders, type RunFolders } from "./sandbox-kinds.js";

const sandboxes = await availableSandboxes();

/** Returns the ids of host processes whose command line contains `marker`. */
function processesWith(marker: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, "utf8").includes(marker)) found.push(Number(entry));
    } catch {
      // The process exited while the list was read.
    }
  }
  return found;
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return condition();
}

describe.each(sandboxes.map((sandbox) => [sandbox.kind, sandbox] as const))("%s sandbox", (_kind, sandbox) => {
  let folders: RunFolders;
  let worktree: string;
  let home: string;

  beforeEach(() => {
    folders = createRunFolders("magic-contract-");
    ({ worktree, home } = folders);
  });

  afterEach(() => folders.remove());

  test("exit code and output", async () => {
    const result = await sandbox.run(["sh", "-c", "echo out; echo err >&2; exit 3"], { cwd: worktree, env: { HOME: home }, timeoutMs: 10_000 });

    expect(result.exitCode).toBe(3);
    expect(result.output).toContain("out");
    expect(result.output).toContain("err");
    expect(result.timedOut).toBe(false);
    expect(result.truncated).toBe(false);
  });

  test("environment has no app secrets", async () => {
    const result = await sandbox.run(["sh", "-c", "env; tr '\\0' '\\n' < /proc/self/environ"], { cwd: worktree, env: { HOME: home }, timeoutMs: 10_000 });

    expect(result.exitCode).toBe(0);
    for (const [name, value] of Object.entries(APP_SECRETS)) {
      expect(result.output).not.toContain(value);
      expect(result.output).not.toContain(`${name}=`);
    }
    expect(result.output).toContain("CI=true");
    expect(result.output).toMatch(new RegExp(`^HOME=${home}$`, "m"));
  });

  test("timeout kills background child", async () => {
    const marker = `magic-background-${randomUUID()}`;
    const script = "(echo child-started; while :; do sleep 1; done) & sleep 300";

    const result = await sandbox.run(["sh", "-c", script, marker], { cwd: worktree, env: { HOME: home }, timeoutMs: 1_500 });

    expect(result.output).toContain("child-started");
    expect(result.timedOut).toBe(true);
    expect(result.signal).toBe("SIGKILL");
    expect(result.durationMs).toBeLessThan(10_000);
    expect(await waitUntil(() => processesWith(marker).length === 0, 3_000)).toBe(true);
  });

  test("100 MB of output keeps head and tail", async () => {
    const script = "echo FIRST; head -c 100000000 /dev/zero | tr '\\0' x; echo; echo LAST";

    const result = await sandbox.run(["sh", "-c", script], { cwd: worktree, env: { HOME: home }, timeoutMs: 60_000, limits: { maxOutputBytes: 64 * 1024 } });

    expect(result.exitCode).toBe(0);
    expect(result.truncated).toBe(true);
    expect(result.output.startsWith("FIRST\n")).toBe(true);
    expect(result.output.trimEnd().endsWith("LAST")).toBe(true);
    expect(result.output.length).toBeLessThan(70 * 1024);
    expect(result.output).toMatch(/\[\.\.\. 999\d{5} bytes of output omitted \.\.\.\]/);
  });

  test("missing program exits with 127", async () => {
    const result = await sandbox.run(["definitely-not-a-program-xyz"], { cwd: worktree, env: { HOME: home }, timeoutMs: 10_000 });

    expect(result.exitCode).toBe(127);
    expect(result.output).toContain("definitely-not-a-program-xyz");
  });

  test("abort signal stops the command", async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);

    const result = await sandbox.run(["sleep", "30"], { cwd: worktree, env: { HOME: home }, timeoutMs: 30_000, signal: controller.signal });

    expect(result.timedOut).toBe(false);
    expect(result.exitCode).not.toBe(0);
    expect(result.durationMs).toBeLessThan(10_000);
  });

  test("memory limit stops a large allocation", async () => {
    const allocate = "const b = Buffer.allocUnsafe(512 * 1024 * 1024); console.log('allocated', b.length)";

    const limited = await sandbox.run(["node", "-e", allocate], { cwd: worktree, env: { HOME: home }, timeoutMs: 30_000, limits: { memoryBytes: 256 * 1024 * 1024 } });
    const unlimited = await sandbox.run(["node", "-e", allocate], { cwd: worktree, env: { HOME: home }, timeoutMs: 30_000 });

    expect(limited.exitCode).not.toBe(0);
    expect(limited.output).not.toContain("allocated");
    expect(unlimited.exitCode).toBe(0);
    expect(unlimited.output).toContain("allocated 536870912");
  });

  test("file size limit stops a large write", async () => {
    const result = await sandbox.run(["sh", "-c", "head -c 3000000 /dev/zero > big.bin"], {
      cwd: worktree,
      env: { HOME: home },
      timeoutMs: 10_000,
      limits: { maxFileBytes: 1_000_000 },
    });

    expect(result.exitCode).not.toBe(0);
    expect(statSync(path.join(worktree, "big.bin")).size).toBeLessThanOrEqual(1_000_000);
  });

  test("private home when none given", async () => {
    const result = await sandbox.run(["sh", "-c", 'touch "$HOME/cache" && echo "home=$HOME"'], { cwd: worktree, timeoutMs: 10_000 });

    expect(result.exitCode).toBe(0);
    expect(result.output).toMatch(/^home=\/\S+$/m);
    expect(result.output).not.toContain(`home=${process.env.HOME}\n`);
  });

  test("root folder rejected as working folder", async () => {
    const run = sandbox.run(["true"], { cwd: "/", timeoutMs: 10_000 });

    await expect(run).rejects.toBeInstanceOf(SandboxError);
    await expect(run).rejects.toMatchObject({ code: "invalid-sandbox-request" });
  });

  test("missing working folder rejected", async () => {
    const run = sandbox.run(["true"], { cwd: path.join(worktree, "missing"), timeoutMs: 10_000 });

    await expect(run).rejects.toThrow(/does not exist/);
  });
});
