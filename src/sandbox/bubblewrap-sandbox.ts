import { type BubblewrapLayout, buildBubblewrapArguments, FALLBACK_HOME } from "./bubblewrap-layout.js";
import { buildSandboxEnvironment, type HostEnvironment } from "./environment.js";
import { checkWritableFolder, findGitPaths } from "./mount-paths.js";
import { runProcessGroup } from "./process-group.js";
import { DEFAULT_MAX_OUTPUT_BYTES, resolveLimits, type Sandbox, type SandboxResult, type SandboxRunOptions } from "./sandbox.js";

/**
 * Runs each command in bubblewrap with new mount, PID, network, user, IPC and UTS namespaces. The
 * command can read the system folders, write its worktree, its home and a private /tmp, and reach no
 * other file of the host. The network is off unless the run requests it. Killing the process group at
 * the timeout kills bwrap, and `--die-with-parent` then ends the PID namespace with every process in it.
 */
export class BubblewrapSandbox implements Sandbox {
  readonly kind = "bubblewrap";

  constructor(
    readonly layout: BubblewrapLayout,
    private readonly hostEnvironment: HostEnvironment = {},
  ) {}

  async run(command: string[], options: SandboxRunOptions): Promise<SandboxResult> {
    if (command.length === 0) throw new TypeError("Sandbox command is empty: expected at least the program to run");
    const limits = resolveLimits(options.limits);
    const cwd = checkWritableFolder(options.cwd, "the working folder", this.layout.readOnlyPaths);
    const home = options.env?.HOME ? checkWritableFolder(options.env.HOME, "HOME", this.layout.readOnlyPaths) : undefined;
    const argv = buildBubblewrapArguments(
      command,
      { cwd, home, gitPaths: findGitPaths(cwd), network: options.network ?? false, limits },
      this.layout,
    );
    const env = buildSandboxEnvironment(this.hostEnvironment, home ?? FALLBACK_HOME, { ...options.env, ...(home ? { HOME: home } : {}) });
    return runProcessGroup(argv, {
      cwd,
      env,
      timeoutMs: options.timeoutMs,
      maxOutputBytes: limits.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
      signal: options.signal,
    });
  }
}
