import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import type { Sandbox } from "../../src/sandbox/sandbox.js";
import { git } from "../helpers/git-repository.js";
import { APP_SECRETS, availableSandboxes, createLinkedWorktree, createRunFolders, type RunFolders } from "./sandbox-kinds.js";

const bubblewrap: Sandbox | undefined = (await availableSandboxes()).find((sandbox) => sandbox.kind === "bubblewrap");

describe.skipIf(!bubblewrap)("bubblewrap isolation", () => {
  const sandbox = bubblewrap as Sandbox;
  let folders: RunFolders;
  let worktree: string;
  let home: string;

  beforeEach(() => {
    folders = createRunFolders("magic-isolation-");
    ({ worktree, home } = folders);
  });

  afterEach(() => folders.remove());

  describe("loopback port outside the sandbox", () => {
    let server: Server;
    let connections: number;
    let port: number;

    beforeEach(async () => {
      connections = 0;
      server = createServer((socket) => {
        connections++;
        socket.end("hello from the host\n");
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      port = (server.address() as { port: number }).port;
    });

    afterEach(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    const connect = (port: number) =>
      `const s = require("net").connect(${port}, "127.0.0.1"); s.on("data", (d) => { process.stdout.write("received " + d); process.exit(0); }); s.on("error", (e) => { console.log("connection failed: " + e.code); process.exit(1); });`;

    test("unreachable without network", async () => {
      const result = await sandbox.run(["node", "-e", connect(port)], { cwd: worktree, env: { HOME: home }, timeoutMs: 15_000 });

      expect(result.exitCode).toBe(1);
      expect(result.output).toContain("connection failed: ECONNREFUSED");
      expect(connections).toBe(0);
    });

    test("reachable when the run allows network", async () => {
      const result = await sandbox.run(["node", "-e", connect(port)], { cwd: worktree, env: { HOME: home }, timeoutMs: 15_000, network: true });

      expect(result.exitCode).toBe(0);
      expect(result.output).toContain("received hello from the host");
      expect(connections).toBe(1);
    });
  });

  test("writes outside the worktree fail", async () => {
    const outside = path.join(folders.root, "outside");
    mkdirSync(outside);
    const privateTmpFile = `/tmp/magic-private-${randomUUID()}`;
    const script = [
      `echo x > ${outside}/planted && echo wrote-outside`,
      "echo x > /etc/magic-planted && echo wrote-etc",
      "echo x > /usr/magic-planted && echo wrote-usr",
      `echo x > ${privateTmpFile} && echo wrote-private-tmp`,
      "echo x > inside.txt && echo wrote-worktree",
      'echo x > "$HOME/inside.txt" && echo wrote-home',
    ].join("; ");

    const result = await sandbox.run(["sh", "-c", script], { cwd: worktree, env: { HOME: home }, timeoutMs: 10_000 });

    expect(result.output).not.toContain("wrote-outside");
    expect(result.output).not.toContain("wrote-etc");
    expect(result.output).not.toContain("wrote-usr");
    expect(existsSync(path.join(outside, "planted"))).toBe(false);
    expect(existsSync("/etc/magic-planted")).toBe(false);
    expect(result.output).toContain("wrote-private-tmp");
    expect(existsSync(privateTmpFile)).toBe(false);
    expect(result.output).toContain("wrote-worktree");
    expect(readFileSync(path.join(worktree, "inside.txt"), "utf8")).toBe("x\n");
    expect(result.output).toContain("wrote-home");
    expect(existsSync(path.join(home, "inside.txt"))).toBe(true);
  });

  test("host files outside the system folders are hidden", async () => {
    const hostFile = path.join(folders.root, ".env");
    writeFileSync(hostFile, `PRIVATE_KEY=${APP_SECRETS.PRIVATE_KEY}\n`);

    const result = await sandbox.run(["sh", "-c", `cat ${hostFile}; ls /; cat /etc/shadow`], { cwd: worktree, env: { HOME: home }, timeoutMs: 10_000 });

    expect(result.output).not.toContain(APP_SECRETS.PRIVATE_KEY);
    expect(result.output).toContain("No such file or directory");
    expect(result.output).not.toMatch(/^root:/m);
  });

  test("host processes and their environments hidden", async () => {
    const decoy = spawn("sleep", ["30"], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...APP_SECRETS }, stdio: "ignore" });
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const decoyEnvironment = readFileSync(`/proc/${decoy.pid}/environ`, "utf8");

      const result = await sandbox.run(["sh", "-c", "ls /proc | grep -c '^[0-9]'; cat /proc/[0-9]*/environ | tr '\\0' '\\n'"], {
        cwd: worktree,
        env: { HOME: home },
        timeoutMs: 10_000,
      });

      expect(decoyEnvironment).toContain(APP_SECRETS.GITHUB_TOKEN);
      expect(Number(result.output.split("\n")[0])).toBeLessThan(10);
      for (const value of Object.values(APP_SECRETS)) expect(result.output).not.toContain(value);
    } finally {
      decoy.kill("SIGKILL");
    }
  });

  test("git metadata readable but read-only", async () => {
    git(worktree, "init", "--quiet");
    writeFileSync(path.join(worktree, "a.txt"), "a\n");
    git(worktree, "add", "a.txt");
    git(worktree, "commit", "--quiet", "-m", "First commit");
    const script = [
      "git log -1 --format=subject=%s",
      "git config core.hooksPath /tmp/hooks && echo changed-config",
      "echo 'curl evil' > .git/hooks/pre-commit && echo planted-hook",
      "rm -rf .git && echo removed-git",
    ].join("; ");

    const result = await sandbox.run(["sh", "-c", script], { cwd: worktree, env: { HOME: home }, timeoutMs: 10_000 });

    expect(result.output).toContain("subject=First commit");
    expect(result.output).not.toContain("changed-config");
    expect(result.output).not.toContain("planted-hook");
    expect(result.output).not.toContain("removed-git");
    expect(readFileSync(path.join(worktree, ".git", "config"), "utf8")).not.toContain("hooksPath");
    expect(existsSync(path.join(worktree, ".git", "hooks", "pre-commit"))).toBe(false);
  });

  test("linked worktree sees its mirror", async () => {
    const { linked } = createLinkedWorktree(folders.root, "Commit in the mirror");

    const result = await sandbox.run(["sh", "-c", "git log -1 --format=subject=%s; git status --short && echo status-ok"], { cwd: linked, env: { HOME: home }, timeoutMs: 10_000 });

    expect(result.output).toContain("subject=Commit in the mirror");
    expect(result.output).toContain("status-ok");
  });
});
