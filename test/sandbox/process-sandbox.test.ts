import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { buildSandboxEnvironment } from "../../src/sandbox/environment.js";
import { ProcessSandbox } from "../../src/sandbox/process-sandbox.js";

const sandbox = new ProcessSandbox();
const cwd = mkdtempSync(path.join(tmpdir(), "magic-sandbox-"));

describe("ProcessSandbox", () => {
  test("exit code and output", async () => {
    const result = await sandbox.run(["sh", "-c", "echo out; echo err >&2; exit 3"], { cwd, env: { PATH: process.env.PATH ?? "" }, timeoutMs: 5_000 });

    expect(result.exitCode).toBe(3);
    expect(result.output).toContain("out");
    expect(result.output).toContain("err");
    expect(result.timedOut).toBe(false);
  });

  test("timeout kills background children", async () => {
    const marker = `magic-sleep-${randomUUID()}`;

    const result = await sandbox.run(["sh", "-c", `sleep 300 ${marker} & sleep 300`], { cwd, env: { PATH: process.env.PATH ?? "" }, timeoutMs: 500 });

    expect(result.timedOut).toBe(true);
    expect(result.signal).toBe("SIGKILL");
    expect(() => execFileSync("pgrep", ["-f", marker])).toThrow();
  });

  test("output cap keeps head and tail", async () => {
    const script = "console.log('FIRST'); for (let i = 0; i < 200000; i++) console.log('middle line ' + i); console.log('LAST')";

    const result = await sandbox.run(["node", "-e", script], { cwd, env: { PATH: process.env.PATH ?? "" }, timeoutMs: 20_000, limits: { maxOutputBytes: 10_000 } });

    expect(result.truncated).toBe(true);
    expect(result.output.startsWith("FIRST")).toBe(true);
    expect(result.output.trimEnd().endsWith("LAST")).toBe(true);
    expect(result.output.length).toBeLessThan(11_000);
  });

  test("environment has no app secrets", async () => {
    const environment = buildSandboxEnvironment({ PATH: "/usr/bin:/bin", OPENAI_API_KEY: "sk-secret", PRIVATE_KEY: "pem", GITHUB_TOKEN: "ghs" }, cwd);

    const result = await sandbox.run(["env"], { cwd, env: environment, timeoutMs: 5_000 });

    expect(result.output).not.toContain("sk-secret");
    expect(result.output).not.toContain("PRIVATE_KEY");
    expect(result.output).not.toContain("GITHUB_TOKEN");
    expect(result.output).toContain(`HOME=${cwd}`);
    expect(result.output).toContain("CI=true");
  });

  test("missing program reported", async () => {
    const result = await sandbox.run(["definitely-not-a-program-xyz"], { cwd, env: { PATH: "/usr/bin:/bin" }, timeoutMs: 5_000 });

    expect(result.exitCode).toBe(127);
    expect(result.output).toContain("ENOENT");
  });
});
