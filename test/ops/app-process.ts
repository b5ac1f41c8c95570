import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { testPrivateKey } from "../helpers/app-key.js";
import { APP_ID } from "../helpers/github-api.js";
import { WEBHOOK_SECRET } from "../helpers/webhooks.js";
import { writeTestFactsFile } from "../helpers/settings.js";

const MAGIC_BIN = fileURLToPath(new URL("../../bin/magic.js", import.meta.url));

export interface AppProcess {
  /** URL of the process's HTTP server: webhooks for `serve`, operations routes for both. */
  url: string;
  child: ChildProcess;
  /** Parsed JSON log lines, in order. */
  logs: Array<Record<string, any>>;
  /** Resolves with the exit code, or the signal name when a signal ended the process. */
  exited: Promise<number | string>;
  waitForLog(predicate: (line: Record<string, any>) => boolean, timeoutMs?: number): Promise<Record<string, any>>;
  /** Sends SIGKILL unless the process has exited, and waits for it to end. */
  stop(): Promise<void>;
}

/** Environment of an app process: test credentials, a loopback model and GitHub, and `extra`. */
export function appEnvironment(options: { githubUrl: string; modelBaseUrl: string; workDir: string; extra?: Record<string, string> }): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "",
    HOME: process.env.HOME ?? "",
    APP_ID: String(APP_ID),
    PRIVATE_KEY: testPrivateKey(),
    WEBHOOK_SECRET,
    MAGIC_MODEL: "openai-compatible:scripted-model",
    MAGIC_MODEL_BASE_URL: options.modelBaseUrl,
    MAGIC_MODEL_FACTS_FILE: writeTestFactsFile(["openai-compatible:scripted-model"]),
    GITHUB_API_URL: options.githubUrl,
    MAGIC_WORK_DIR: options.workDir,
    MAGIC_STATUS_INTERVAL_SECONDS: "0",
    HOST: "127.0.0.1",
    PORT: "0",
    LOG_LEVEL: "info",
    MAGIC_GITHUB_WRITE_THROTTLE: "off",
    ...options.extra,
  };
}

/** Starts `magic serve` or `magic worker` as a child process and waits until it listens. */
export async function startAppProcess(command: "serve" | "worker", env: Record<string, string>): Promise<AppProcess> {
  const child = spawn(process.execPath, [MAGIC_BIN, command], { env, cwd: path.dirname(path.dirname(MAGIC_BIN)), stdio: ["ignore", "pipe", "pipe"] });
  const logs: Array<Record<string, any>> = [];
  const waiters = new Set<() => void>();
  let stderr = "";
  let buffered = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    buffered += chunk.toString("utf8");
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) {
      if (!line.trim()) continue;
      try {
        logs.push(JSON.parse(line));
      } catch {
        logs.push({ msg: line, unparsed: true });
      }
    }
    for (const wake of waiters) wake();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8");
  });
  const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(signal ?? code ?? -1)));
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
    for (const wake of waiters) wake();
  });

  const waitForLog = (predicate: (line: Record<string, any>) => boolean, timeoutMs = 30_000) =>
    new Promise<Record<string, any>>((resolve, reject) => {
      const check = () => {
        const found = logs.find(predicate);
        if (found) return finish(() => resolve(found));
        if (hasExited) return finish(() => reject(new Error(`magic ${command} exited before the expected log line.\nstderr:\n${stderr}\nlogs:\n${logs.map((line) => JSON.stringify(line)).join("\n")}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`timed out waiting for a log line of magic ${command}.\nstderr:\n${stderr}`))), timeoutMs);
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        waiters.delete(check);
        settle();
      };
      waiters.add(check);
      check();
    });

  const ready = await waitForLog((line) => line.msg === "Magic PR is listening" || line.msg === "Magic PR worker is running");
  return {
    url: String(ready.url),
    child,
    logs,
    exited,
    waitForLog,
    stop: async () => {
      if (!hasExited) child.kill("SIGKILL");
      await exited;
    },
  };
}

/** Polls `condition` every 50 ms until it returns true. Fails with `description` after `timeoutMs`. */
export async function waitUntil(description: string, condition: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${description}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
