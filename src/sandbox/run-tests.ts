import type { Sandbox, SandboxResult } from "./sandbox.js";

export interface TestResult {
  passed: boolean;
  timedOut: boolean;
  exitCode: number | null;
  /** The end of the output, where runners print failures and summaries. */
  outputTail: string;
  durationMs: number;
}

const TAIL_CHARACTERS = 4_000;

export interface TestRunOptions {
  worktree: string;
  environment: Record<string, string>;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** Runs the test command in the sandbox, without network, and reduces the result to what the model needs. */
export async function runTests(sandbox: Sandbox, command: string[], options: TestRunOptions): Promise<TestResult> {
  const result = await sandbox.run(command, {
    cwd: options.worktree,
    env: options.environment,
    timeoutMs: options.timeoutMs,
    network: false,
    signal: options.signal,
  });
  return toTestResult(result, options.timeoutMs);
}

export function toTestResult(result: SandboxResult, timeoutMs: number): TestResult {
  const tail = result.output.length > TAIL_CHARACTERS ? result.output.slice(-TAIL_CHARACTERS) : result.output;
  const timeoutNote = result.timedOut ? `\n[the test command timed out after ${Math.round(timeoutMs / 1000)} s and was killed]` : "";
  return {
    passed: result.exitCode === 0 && !result.timedOut,
    timedOut: result.timedOut,
    exitCode: result.exitCode,
    outputTail: tail + timeoutNote,
    durationMs: result.durationMs,
  };
}
