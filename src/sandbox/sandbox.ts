/**
 * Limits on a command run in a sandbox. Each implementation applies them with the mechanism it has and
 * says which in its own file; a limit left undefined is not applied.
 */
export interface SandboxLimits {
  /** Bytes of captured output kept, head and tail together. */
  maxOutputBytes?: number;
  /** Private writable memory of each process in bytes (RLIMIT_DATA, or the container's memory limit under Docker). */
  memoryBytes?: number;
  /** Processes and threads the command may run at once. */
  maxProcesses?: number;
  /** CPU time of each process in seconds (RLIMIT_CPU). */
  cpuSeconds?: number;
  /** Largest file a process may write, in bytes (RLIMIT_FSIZE). */
  maxFileBytes?: number;
}

export interface SandboxRunOptions {
  /** The worktree: the command starts here and, in an isolating sandbox, may write only here and in HOME. */
  cwd: string;
  /** Variables added to the sandbox's own allow-listed environment; HOME here names the run's private home. */
  env?: Record<string, string>;
  timeoutMs: number;
  /** Whether the command may reach the network; tests never may. */
  network?: boolean;
  /** Overrides of {@link DEFAULT_LIMITS}, field by field. */
  limits?: SandboxLimits;
  signal?: AbortSignal;
}

export interface SandboxResult {
  /** Exit code; under bubblewrap a command killed by signal N exits with 128 + N. */
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** True when output passed `maxOutputBytes` and its middle was dropped. */
  truncated: boolean;
  /** Standard output and standard error, interleaved as they arrived. */
  output: string;
  durationMs: number;
}

export type SandboxKind = "bubblewrap" | "docker" | "process";

/** Runs untrusted commands from the repository and the model. */
export interface Sandbox {
  readonly kind: string;
  run(command: string[], options: SandboxRunOptions): Promise<SandboxResult>;
}

export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

/**
 * Limits applied when a run asks for none. They are generous for test suites and tight enough that a
 * runaway command cannot exhaust the host before its timeout.
 */
export const DEFAULT_LIMITS: Readonly<SandboxLimits> = {
  maxOutputBytes: DEFAULT_MAX_OUTPUT_BYTES,
  memoryBytes: 4 * 1024 ** 3,
  maxProcesses: 1024,
  maxFileBytes: 1024 ** 3,
};

/** Returns the limits for one run: the run's own values over the defaults. */
export function resolveLimits(limits: SandboxLimits | undefined): SandboxLimits {
  return { ...DEFAULT_LIMITS, ...definedFields(limits ?? {}) };
}

function definedFields(limits: SandboxLimits): SandboxLimits {
  return Object.fromEntries(Object.entries(limits).filter(([, value]) => value !== undefined));
}

export type SandboxErrorCode = "sandbox-unavailable" | "invalid-sandbox-request";

/** A sandbox that cannot start, or a request that no sandbox should run. */
export class SandboxError extends Error {
  constructor(
    readonly code: SandboxErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "SandboxError";
  }
}

/** Returns true when a command finished with exit code 0 within its time. */
export function succeeded(result: SandboxResult): boolean {
  return result.exitCode === 0 && !result.timedOut;
}
