import { spawn } from "node:child_process";
import { HeadTailBuffer } from "./output-buffer.js";
import { DEFAULT_MAX_OUTPUT_BYTES, type Sandbox, type SandboxResult, type SandboxRunOptions } from "./sandbox.js";

/** Time given to a killed process group to release its pipes before the result is returned anyway. */
const PIPE_CLOSE_GRACE_MS = 2_000;

/**
 * Runs a command as a plain child process in its own process group. It scrubs the environment and
 * enforces the timeout and output cap, but it does not isolate the file system or the network.
 */
export class ProcessSandbox implements Sandbox {
  readonly kind: string = "process";

  run(command: string[], options: SandboxRunOptions): Promise<SandboxResult> {
    return runProcessGroup(command, options);
  }
}

/** Spawns `command` in a new process group and kills the whole group at the timeout and on exit. */
export function runProcessGroup(command: string[], options: SandboxRunOptions): Promise<SandboxResult> {
  const [file, ...args] = command;
  if (!file) throw new TypeError("Sandbox command is empty: expected at least the program to run");
  const started = Date.now();
  const output = new HeadTailBuffer(options.limits?.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES);

  return new Promise((resolve) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env ?? {},
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
        // The group is already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup();
    }, options.timeoutMs);
    const onAbort = () => killGroup();
    options.signal?.addEventListener("abort", onAbort, { once: true });

    child.stdout.on("data", (chunk: Buffer) => output.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => output.push(chunk));

    const finish = (exitCode: number | null, signal: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
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
      // Background children that the command left behind die with their group.
      killGroup();
      const grace = setTimeout(() => finish(exitCode, signal), PIPE_CLOSE_GRACE_MS);
      child.on("close", () => {
        clearTimeout(grace);
        finish(exitCode, signal);
      });
    });
  });
}
