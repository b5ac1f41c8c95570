import { readlinkSync, realpathSync } from "node:fs";
import path from "node:path";
import { isInside, lstatOrUndefined, SYSTEM_PATHS } from "./mount-paths.js";
import { type HardLimits, prlimitPrefix, readHardLimits } from "./resource-limits.js";
import type { SandboxLimits } from "./sandbox.js";

/**
 * Files hidden behind /dev/null when the app runs as root. Root-owned files then appear owned by the
 * sandbox user, so their mode would not keep the sandbox from reading them.
 */
const ROOT_ONLY_FILES = ["/etc/shadow", "/etc/gshadow"];

/** HOME inside the sandbox when the run names none; it lives in the private /tmp. */
export const FALLBACK_HOME = "/tmp/home";

/**
 * User and group id of commands inside the sandbox when the app runs as root, so that they do not run
 * as uid 0 there. An app of another user keeps its own ids.
 */
const SANDBOX_ID_FOR_ROOT = 1000;

export type SystemMount = { kind: "bind"; path: string } | { kind: "symlink"; path: string; target: string };

/** Mounts and settings of a bubblewrap sandbox for every run, read from the host once at start-up. */
export interface BubblewrapLayout {
  bwrapPath: string;
  /** prlimit(1) as seen inside the sandbox; without it no resource limit is applied. */
  prlimitPath?: string;
  /** The app's hard limits at start-up, which cap the limits that a run requests. */
  hardLimits: HardLimits;
  systemMounts: SystemMount[];
  /** Extra host paths shown read-only, such as toolchains installed outside the system folders. */
  readOnlyPaths: string[];
  maskedFiles: string[];
  /** User and group ids inside the sandbox; undefined keeps the app's own. */
  sandboxUid?: number;
  sandboxGid?: number;
  tmpSizeBytes: number;
  /** Real location of /etc/resolv.conf when it is a symbolic link out of /etc, needed for DNS in setup steps. */
  resolvConfPath?: string;
}

/** One run's paths and switches, already checked. */
export interface BubblewrapRun {
  cwd: string;
  /** The run's private home, bound writable; undefined gives an empty one in /tmp. */
  home?: string;
  /** Git metadata of the worktree, shown read-only so that no command can plant hooks or config for the app's own git. */
  gitPaths: string[];
  network: boolean;
  limits: SandboxLimits;
}

export interface LayoutOptions {
  bwrapPath: string;
  prlimitPath?: string;
  readOnlyPaths?: string[];
  tmpSizeBytes?: number;
  hostUid: number;
}

const DEFAULT_TMP_SIZE_BYTES = 1024 ** 3;

/** Reads which system folders exist on the host and whether they are symbolic links, as bwrap needs. */
export function readBubblewrapLayout(options: LayoutOptions): BubblewrapLayout {
  const systemMounts: SystemMount[] = [];
  for (const systemPath of SYSTEM_PATHS) {
    const stats = lstatOrUndefined(systemPath);
    if (!stats) continue;
    if (stats.isSymbolicLink()) systemMounts.push({ kind: "symlink", path: systemPath, target: readlinkSync(systemPath) });
    else if (stats.isDirectory()) systemMounts.push({ kind: "bind", path: systemPath });
  }
  const isRoot = options.hostUid === 0;
  const visible = (file: string) => isInside(file, SYSTEM_PATHS) || (options.readOnlyPaths ?? []).some((root) => isInside(file, [root]));
  return {
    bwrapPath: options.bwrapPath,
    prlimitPath: options.prlimitPath && visible(options.prlimitPath) ? options.prlimitPath : undefined,
    hardLimits: readHardLimits(),
    systemMounts,
    readOnlyPaths: (options.readOnlyPaths ?? []).map((entry) => path.resolve(entry)),
    maskedFiles: isRoot ? ROOT_ONLY_FILES.filter((file) => lstatOrUndefined(file)) : [],
    sandboxUid: isRoot ? SANDBOX_ID_FOR_ROOT : undefined,
    sandboxGid: isRoot ? SANDBOX_ID_FOR_ROOT : undefined,
    tmpSizeBytes: options.tmpSizeBytes ?? DEFAULT_TMP_SIZE_BYTES,
    resolvConfPath: resolvConfOutsideEtc(),
  };
}

/**
 * Builds the bwrap command line. Order matters: bwrap applies mounts in sequence, so /tmp becomes a
 * fresh tmpfs before the worktree and home are bound, because either may lie below /tmp, and the git
 * metadata is bound read-only over the writable worktree.
 */
export function buildBubblewrapArguments(command: string[], run: BubblewrapRun, layout: BubblewrapLayout): string[] {
  const args = [layout.bwrapPath, "--unshare-all", "--unshare-user", "--disable-userns"];
  // NOTE: a run with network shares the host's network namespace, so it also reaches services that
  // listen on the host's loopback interface. Only setup steps get it, and only when setup_network allows.
  if (run.network) args.push("--share-net");
  if (layout.sandboxUid !== undefined) args.push("--uid", String(layout.sandboxUid));
  if (layout.sandboxGid !== undefined) args.push("--gid", String(layout.sandboxGid));
  args.push("--die-with-parent", "--new-session", "--cap-drop", "ALL", "--hostname", "magic-sandbox");

  for (const mount of layout.systemMounts) {
    if (mount.kind === "symlink") args.push("--symlink", mount.target, mount.path);
    else args.push("--ro-bind", mount.path, mount.path);
  }
  for (const readOnlyPath of layout.readOnlyPaths) args.push("--ro-bind-try", readOnlyPath, readOnlyPath);
  for (const file of layout.maskedFiles) args.push("--ro-bind", "/dev/null", file);
  if (run.network && layout.resolvConfPath) args.push("--ro-bind-try", layout.resolvConfPath, layout.resolvConfPath);

  args.push("--dev", "/dev", "--proc", "/proc", "--size", String(layout.tmpSizeBytes), "--tmpfs", "/tmp");
  if (run.home) args.push("--bind", run.home, run.home);
  else args.push("--dir", FALLBACK_HOME);
  args.push("--bind", run.cwd, run.cwd);
  for (const gitPath of run.gitPaths) args.push("--ro-bind", gitPath, gitPath);
  args.push("--chdir", run.cwd, "--");

  // prlimit runs inside the new user namespace, so RLIMIT_NPROC counts only this sandbox's processes.
  if (layout.prlimitPath) args.push(...prlimitPrefix(layout.prlimitPath, run.limits, layout.hardLimits));
  return [...args, ...command];
}

function resolvConfOutsideEtc(): string | undefined {
  try {
    const real = realpathSync("/etc/resolv.conf");
    return isInside(real, ["/etc"]) ? undefined : real;
  } catch {
    return undefined;
  }
}

