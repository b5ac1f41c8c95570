import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildSandboxEnvironment, type HostEnvironment } from "./environment.js";
import { findProgram } from "./host-programs.js";
import { checkWritableFolder } from "./mount-paths.js";
import { runProcessGroup } from "./process-group.js";
import { type HardLimits, prlimitPrefix, readHardLimits } from "./resource-limits.js";
import { DEFAULT_MAX_OUTPUT_BYTES, resolveLimits, type Sandbox, type SandboxResult, type SandboxRunOptions } from "./sandbox.js";

export interface ProcessSandboxOptions {
  /** The app's environment; only the allow-listed variables reach commands. */
  hostEnvironment?: HostEnvironment;
  /** Path of prlimit(1); null runs commands without resource limits. Found in /usr/bin or /bin when absent. */
  prlimitPath?: string | null;
}

/**
 * Runs a command as a plain child process in its own process group. It scrubs the environment and
 * enforces the timeout, output cap and resource limits, but it does not isolate the file system or the
 * network: a command can read any file the app can, including the app's own `/proc/<pid>/environ`.
 *
 * NOTE: a command that starts a new session with setsid(2) leaves the process group, so the kill at
 * the timeout misses it. Only the bubblewrap and Docker sandboxes contain such processes.
 */
export class ProcessSandbox implements Sandbox {
  readonly kind: string = "process";
  private readonly hostEnvironment: HostEnvironment;
  private readonly prlimitPath: string | undefined;
  private readonly hardLimits: HardLimits = readHardLimits();

  constructor(options: ProcessSandboxOptions = {}) {
    this.hostEnvironment = options.hostEnvironment ?? {};
    this.prlimitPath = options.prlimitPath === null ? undefined : (options.prlimitPath ?? findProgram("prlimit", "/usr/bin:/bin"));
  }

  async run(command: string[], options: SandboxRunOptions): Promise<SandboxResult> {
    if (command.length === 0) throw new TypeError("Sandbox command is empty: expected at least the program to run");
    const limits = resolveLimits(options.limits);
    const cwd = checkWritableFolder(options.cwd, "the working folder");
    const privateHome = options.env?.HOME ? undefined : await mkdtemp(path.join(tmpdir(), "magic-home-"));
    try {
      const env = buildSandboxEnvironment(this.hostEnvironment, options.env?.HOME ?? (privateHome as string), options.env);
      const argv = this.prlimitPath ? [...prlimitPrefix(this.prlimitPath, limits, this.hardLimits), ...command] : command;
      return await runProcessGroup(argv, {
        cwd,
        env,
        timeoutMs: options.timeoutMs,
        maxOutputBytes: limits.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
        signal: options.signal,
      });
    } finally {
      if (privateHome) await rm(privateHome, { recursive: true, force: true });
    }
  }
}
