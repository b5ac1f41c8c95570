/** Limits on a command run in a sandbox; a limit is applied where the implementation can enforce it. */
export interface SandboxLimits {
  /** Bytes of captured output kept, head and tail together. */
  maxOutputBytes?: number;
  /** Address space in bytes. */
  memoryBytes?: number;
  /** Processes the command may start. */
  maxProcesses?: number;
}

export interface SandboxRunOptions {
  cwd: string;
  /** Variables added to the scrubbed base environment. */
  env?: Record<string, string>;
  timeoutMs: number;
  /** Whether the command may reach the network; tests never may. */
  network?: boolean;
  limits?: SandboxLimits;
  signal?: AbortSignal;
}

export interface SandboxResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** True when output passed `maxOutputBytes` and its middle was dropped. */
  truncated: boolean;
  /** Standard output and standard error, interleaved as they arrived. */
  output: string;
  durationMs: number;
}

/** Runs untrusted commands from the repository and the model. */
export interface Sandbox {
  readonly kind: string;
  run(command: string[], options: SandboxRunOptions): Promise<SandboxResult>;
}

export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

/** Returns true when a command finished with exit code 0 within its time. */
export function succeeded(result: SandboxResult): boolean {
  return result.exitCode === 0 && !result.timedOut;
}
