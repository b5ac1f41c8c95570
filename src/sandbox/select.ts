import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Logger } from "pino";
import { readBubblewrapLayout } from "./bubblewrap-layout.js";
import { BubblewrapSandbox } from "./bubblewrap-sandbox.js";
import { DockerSandbox } from "./docker-sandbox.js";
import type { HostEnvironment } from "./environment.js";
import { findProgram } from "./host-programs.js";
import { runProcessGroup } from "./process-group.js";
import { ProcessSandbox } from "./process-sandbox.js";
import { unenforcedLimitWarnings } from "./resource-limits.js";
import { type Sandbox, SandboxError, type SandboxKind } from "./sandbox.js";

export type SandboxChoice = "auto" | SandboxKind;

/** Image used by the Docker sandbox when the operator names none: Debian with Node.js, git, Python and a C toolchain. */
export const DEFAULT_DOCKER_IMAGE = "node:20-bookworm";

const PROBE_TIMEOUT_MS = 10_000;
const PROBE_OUTPUT_BYTES = 4_096;

export interface SelectSandboxOptions {
  /** `auto` tries bubblewrap, then Docker, then plain processes; a named kind that cannot run is an error. */
  kind?: SandboxChoice;
  dockerImage?: string;
  log: Logger;
  /** The app's environment: PATH locates the programs, and allow-listed variables reach commands. Defaults to `process.env`. */
  hostEnvironment?: HostEnvironment;
  /** Host paths that bubblewrap shows read-only besides the system folders, such as toolchains in /opt. */
  readOnlyPaths?: string[];
  /** Paths of the host programs; searched on PATH when absent. */
  programs?: { bwrap?: string; docker?: string; prlimit?: string };
}

type ProbeResult<T> = { ok: true; sandbox: T } | { ok: false; reason: string };

/**
 * Chooses the sandbox at start-up from what the host offers. Each candidate is tried by running a real
 * command, so a bubblewrap without user namespaces or a docker client without an engine is skipped with
 * its reason in the log.
 */
export async function selectSandbox(options: SelectSandboxOptions): Promise<Sandbox> {
  const kind = options.kind ?? "auto";
  const host = options.hostEnvironment ?? process.env;
  const log = options.log;
  const prlimitPath = options.programs?.prlimit ?? findProgram("prlimit", host.PATH);
  const user = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };

  if (kind === "auto" || kind === "bubblewrap") {
    const probe = await probeBubblewrap(options, host, prlimitPath, user);
    if (probe.ok) {
      log.info({ sandbox: "bubblewrap", limits: probe.sandbox.layout.prlimitPath ? "prlimit" : "none" }, "sandbox selected");
      for (const warning of unenforcedLimitWarnings({ prlimitPath: probe.sandbox.layout.prlimitPath, uid: user.uid })) log.warn(warning);
      return probe.sandbox;
    }
    if (kind === "bubblewrap") throw unavailable("bubblewrap", probe.reason, "Install bubblewrap 0.8 or later and allow user namespaces, or set MAGIC_SANDBOX=auto.");
    log.info({ reason: probe.reason }, "bubblewrap sandbox not available");
  }

  if (kind === "auto" || kind === "docker") {
    const probe = await probeDocker(options, host, user);
    if (probe.ok) {
      log.info({ sandbox: "docker", image: options.dockerImage ?? DEFAULT_DOCKER_IMAGE }, "sandbox selected");
      return probe.sandbox;
    }
    if (kind === "docker") throw unavailable("docker", probe.reason, "Start a Docker engine that the app's user may use, or set MAGIC_SANDBOX=auto.");
    log.info({ reason: probe.reason }, "docker sandbox not available");
  }

  log.warn({ sandbox: "process" }, "sandbox selected: tests run as plain processes, not isolated from the host's files and network; install bubblewrap to isolate them");
  for (const warning of unenforcedLimitWarnings({ prlimitPath, uid: user.uid })) log.warn(warning);
  return new ProcessSandbox({ hostEnvironment: host, prlimitPath: prlimitPath ?? null });
}

interface HostUser {
  uid: number;
  gid: number;
}

async function probeBubblewrap(
  options: SelectSandboxOptions,
  host: HostEnvironment,
  prlimitPath: string | undefined,
  user: HostUser,
): Promise<ProbeResult<BubblewrapSandbox>> {
  const bwrapPath = options.programs?.bwrap ?? findProgram("bwrap", host.PATH);
  if (!bwrapPath) return { ok: false, reason: "bwrap was not found on PATH" };
  const layout = readBubblewrapLayout({
    bwrapPath,
    prlimitPath,
    readOnlyPaths: options.readOnlyPaths,
    hostUid: user.uid,
  });
  const sandbox = new BubblewrapSandbox(layout, host);
  const folder = await mkdtemp(path.join(tmpdir(), "magic-sandbox-probe-"));
  try {
    const result = await sandbox.run(["true"], { cwd: folder, timeoutMs: PROBE_TIMEOUT_MS, limits: { maxOutputBytes: PROBE_OUTPUT_BYTES } });
    if (result.exitCode === 0) return { ok: true, sandbox };
    return { ok: false, reason: `a test run of bwrap failed: ${describeFailure(result)}` };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

async function probeDocker(options: SelectSandboxOptions, host: HostEnvironment, user: HostUser): Promise<ProbeResult<DockerSandbox>> {
  const dockerPath = options.programs?.docker ?? findProgram("docker", host.PATH);
  if (!dockerPath) return { ok: false, reason: "docker was not found on PATH" };
  const result = await runProcessGroup([dockerPath, "version", "--format", "{{.Server.Version}}"], {
    cwd: tmpdir(),
    env: Object.fromEntries(Object.entries(host).filter((entry): entry is [string, string] => entry[1] !== undefined)),
    timeoutMs: PROBE_TIMEOUT_MS,
    maxOutputBytes: PROBE_OUTPUT_BYTES,
  });
  if (result.exitCode !== 0 || !result.output.trim()) return { ok: false, reason: `\`docker version\` found no engine: ${describeFailure(result)}` };
  const sandbox = new DockerSandbox({
    dockerPath,
    image: options.dockerImage ?? DEFAULT_DOCKER_IMAGE,
    hostEnvironment: host,
    uid: user.uid,
    gid: user.gid,
    log: options.log,
  });
  return { ok: true, sandbox };
}

function describeFailure(result: { exitCode: number | null; timedOut: boolean; output: string }): string {
  const output = result.output.trim().split("\n").slice(-3).join(" ").slice(0, 300);
  const status = result.timedOut ? "timed out" : `exit code ${result.exitCode}`;
  return output ? `${status}, ${output}` : status;
}

function unavailable(kind: SandboxKind, reason: string, hint: string): SandboxError {
  const sentence = reason.replace(/[.?!]+$/, "");
  return new SandboxError("sandbox-unavailable", `MAGIC_SANDBOX is ${kind}, but ${sentence}. ${hint}`);
}
