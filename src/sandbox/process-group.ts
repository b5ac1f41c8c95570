import { spawn } from "node:child_process";
import { HeadTailBuffer } from "./output-buffer.js";
import type { SandboxResult } from "./sandbox.js";

/** Time given to a killed process group to release its pipes before the result is returned anyway. */
const PIPE_CLOSE_GRACE_MS = 2_000;

export interface ProcessGroupOptions {
  cwd: string;
  /** The complete environment of the started program; nothing is inherited from the app. */
  env: Record<string, string>;
  timeoutMs: number;
  maxOutputBytes: number;
  signal?: AbortSignal;
  /** Called after the group was killed at the timeout or on abort, to stop what lives outside the group. */
  onKill?: () => void;
}

/**
 * Spawns `argv` as the leader of a new process group and captures its output up to a cap. The whole
 * group is killed with SIGKILL at the timeout, on abort, and when the leader exits, so that background
 * children do not outlive the command.
 */
export function runProcessGroup(argv: string[], options: ProcessGroupOptions): Promise<SandboxResult> {
  const [file, ...args] = argv;
  if (!file) throw new TypeError("Sandbox command is empty: expected at least the program to run");
  const started = Date.now();
  const output = new HeadTailBuffer(options.maxOutputBytes);

  return new Promise((resolve) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let timedOut = false;
    let settled = false;
    const killGroup = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // ESRCH: every process of the group has already exited.
      }
    };
    const stop = () => {
      killGroup();
      options.onKill?.();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutMs);
    options.signal?.addEventListener("abort", stop, { once: true });
    if (options.signal?.aborted) stop();

    child.stdout.on("data", (chunk: Buffer) => output.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => output.push(chunk));

    const finish = (exitCode: number | null, signal: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", stop);
      resolve({
        exitCode,
        signal,
        timedOut,
        truncated: output.truncated,
        output: output.toString(),
        durationMs: Date.now() - started,
      });
    };
    child.on("error", (error) => {
      output.push(Buffer.from(`${error.message}\n`));
      finish(127, null);
    });
    child.on("exit", (exitCode, signal) => {
      killGroup();
      const grace = setTimeout(() => finish(exitCode, signal), PIPE_CLOSE_GRACE_MS);
      child.on("close", () => {
        clearTimeout(grace);
        finish(exitCode, signal);
      });
    });
  });
}
