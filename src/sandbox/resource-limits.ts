import { readFileSync } from "node:fs";
import { SandboxError, type SandboxLimits } from "./sandbox.js";

/** The app's own hard limits, which a sandboxed command inherits and cannot raise. */
export interface HardLimits {
  memoryBytes?: number;
  maxProcesses?: number;
  cpuSeconds?: number;
  maxFileBytes?: number;
}

const PROC_LIMIT_NAMES: Record<string, keyof HardLimits> = {
  "Max data size": "memoryBytes",
  "Max processes": "maxProcesses",
  "Max cpu time": "cpuSeconds",
  "Max file size": "maxFileBytes",
};

/** Reads the hard limits of the app's process from /proc/self/limits; unlimited ones are left out. */
export function readHardLimits(procLimits = "/proc/self/limits"): HardLimits {
  let text: string;
  try {
    text = readFileSync(procLimits, "utf8");
  } catch {
    return {};
  }
  return parseHardLimits(text);
}

/** Parses the text of /proc/PID/limits; its columns are the limit's name, soft value, hard value and unit. */
export function parseHardLimits(text: string): HardLimits {
  const limits: HardLimits = {};
  for (const line of text.split("\n")) {
    const match = /^(Max [a-z ]+?)\s{2,}(\S+)\s+(\S+)/.exec(line);
    const key = match && PROC_LIMIT_NAMES[match[1] as string];
    if (key && match[3] !== "unlimited") limits[key] = Number(match[3]);
  }
  return limits;
}

/**
 * Builds the prlimit(1) prefix through which the bubblewrap and process sandboxes start a command.
 * prlimit, from util-linux, sets soft and hard limits with setrlimit(2) before it starts the command,
 * so the command cannot raise them again. Cgroups are not used.
 *
 * NOTE: without cgroups the memory limit applies to each process separately, and RLIMIT_NPROC counts
 * every process and thread of the user, the app's own included. Linux never applies RLIMIT_NPROC to
 * root, so the process-count limit holds only when the app runs as another user.
 */
export function prlimitPrefix(prlimitPath: string, limits: SandboxLimits, hardLimits: HardLimits = {}): string[] {
  // A limit above the inherited hard limit would make prlimit fail, so it is lowered to that limit.
  const value = (name: keyof HardLimits, requested: number) => Math.min(checkedLimit(name, requested), hardLimits[name] ?? Number.POSITIVE_INFINITY);
  const args = [prlimitPath, "--core=0"];
  if (limits.memoryBytes !== undefined) args.push(`--data=${value("memoryBytes", limits.memoryBytes)}`);
  if (limits.maxProcesses !== undefined) args.push(`--nproc=${value("maxProcesses", limits.maxProcesses)}`);
  if (limits.cpuSeconds !== undefined) args.push(`--cpu=${value("cpuSeconds", Math.ceil(limits.cpuSeconds))}`);
  if (limits.maxFileBytes !== undefined) args.push(`--fsize=${value("maxFileBytes", limits.maxFileBytes)}`);
  return [...args, "--"];
}

/** Returns `value` as a whole number, or throws when it is not a positive integer. */
export function checkedLimit(name: keyof SandboxLimits, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new SandboxError("invalid-sandbox-request", `Sandbox limit ${name} is ${value}: expected a positive whole number`);
  }
  return value;
}

export interface LimitSupport {
  /** Absolute path of prlimit(1), when the host has it. */
  prlimitPath: string | undefined;
  /** User id the sandboxed commands run as on the host. */
  uid: number;
}

/** Lists, as log messages, the limits that the host cannot enforce on sandboxed commands. */
export function unenforcedLimitWarnings(support: LimitSupport): string[] {
  if (!support.prlimitPath) {
    return ["prlimit was not found on PATH, so sandboxed commands run without memory, CPU, process-count or file-size limits; install util-linux"];
  }
  if (support.uid === 0) {
    return ["the app runs as root, and Linux does not apply RLIMIT_NPROC to root, so a fork bomb in a test is stopped only by the timeout; run the app as a non-root user"];
  }
  return [];
}
