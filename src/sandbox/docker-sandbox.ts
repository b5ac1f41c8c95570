import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import type { Logger } from "pino";
import { buildSandboxEnvironment, type HostEnvironment } from "./environment.js";
import { checkWritableFolder, findGitPaths } from "./mount-paths.js";
import { runProcessGroup } from "./process-group.js";
import { checkedLimit } from "./resource-limits.js";
import { DEFAULT_MAX_OUTPUT_BYTES, resolveLimits, type Sandbox, type SandboxLimits, type SandboxResult, type SandboxRunOptions } from "./sandbox.js";

/** HOME inside the container when the run names none; a tmpfs of its own. */
const CONTAINER_HOME = "/home/sandbox";
const DEFAULT_TMP_SIZE_BYTES = 1024 ** 3;
/** Time given to `docker rm --force` after a timeout before the app stops waiting for it. */
const REMOVE_TIMEOUT_MS = 30_000;

/** Variables the docker client needs to find and reach its engine; none of them is passed into the container. */
const CLIENT_VARIABLES = ["PATH", "HOME", "DOCKER_HOST", "DOCKER_CONTEXT", "DOCKER_CONFIG", "DOCKER_CERT_PATH", "DOCKER_TLS_VERIFY", "XDG_RUNTIME_DIR"];

export interface DockerSandboxOptions {
  dockerPath: string;
  /** Image that provides the toolchains of the repositories under test. */
  image: string;
  /** The app's environment: the container gets its allow-listed variables, the docker client its own. */
  hostEnvironment?: HostEnvironment;
  /** User and group the container runs as, so that files it writes in the worktree belong to the app. */
  uid: number;
  gid: number;
  tmpSizeBytes?: number;
  /** Receives a warning when a timed-out container cannot be removed. */
  log?: Logger;
}

/** One container run, with paths already checked. */
export interface DockerRun {
  containerName: string;
  cwd: string;
  home?: string;
  gitPaths: string[];
  network: boolean;
  limits: SandboxLimits;
  environment: Record<string, string>;
}

/**
 * Runs each command in a fresh container with a read-only root file system, a private /tmp, no
 * capabilities and no network unless the run requests it. The worktree and home are bound writable at
 * their host paths. Memory and process limits are the container's cgroup limits, so the memory limit
 * covers the whole container, unlike RLIMIT_DATA.
 *
 * NOTE: no container engine runs where this project is developed, so the tests check the command lines
 * this class builds and drive it with a stand-in `docker` program; no test has started a real container.
 */
export class DockerSandbox implements Sandbox {
  readonly kind = "docker";

  constructor(private readonly options: DockerSandboxOptions) {}

  async run(command: string[], options: SandboxRunOptions): Promise<SandboxResult> {
    if (command.length === 0) throw new TypeError("Sandbox command is empty: expected at least the program to run");
    const limits = resolveLimits(options.limits);
    const cwd = checkWritableFolder(options.cwd, "the working folder");
    const home = options.env?.HOME ? checkWritableFolder(options.env.HOME, "HOME") : undefined;
    const hostEnvironment = this.options.hostEnvironment ?? {};
    const run: DockerRun = {
      containerName: `magic-sandbox-${randomUUID()}`,
      cwd,
      home,
      gitPaths: findGitPaths(cwd),
      network: options.network ?? false,
      limits,
      environment: buildSandboxEnvironment(hostEnvironment, home ?? CONTAINER_HOME, { ...options.env, ...(home ? { HOME: home } : {}) }),
    };
    const clientEnvironment = pickDefined(hostEnvironment, CLIENT_VARIABLES);
    return runProcessGroup(buildDockerRunArguments(command, run, this.options), {
      cwd,
      env: clientEnvironment,
      timeoutMs: options.timeoutMs,
      maxOutputBytes: limits.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES,
      signal: options.signal,
      // Killing the docker client does not stop its container, so `docker rm --force` removes it.
      onKill: () => removeContainer(this.options, run.containerName, clientEnvironment),
    });
  }
}

/** Builds the `docker run` command line for one command. */
export function buildDockerRunArguments(command: string[], run: DockerRun, options: Pick<DockerSandboxOptions, "dockerPath" | "image" | "uid" | "gid" | "tmpSizeBytes">): string[] {
  const tmpSize = options.tmpSizeBytes ?? DEFAULT_TMP_SIZE_BYTES;
  const args = [options.dockerPath, "run", "--rm", "--name", run.containerName, "--label", "magic-pr.sandbox=true", "--init"];
  args.push("--network", run.network ? "bridge" : "none");
  args.push("--user", `${options.uid}:${options.gid}`, "--cap-drop", "ALL", "--security-opt", "no-new-privileges");
  args.push("--read-only", "--tmpfs", `/tmp:rw,exec,size=${tmpSize}`);
  if (!run.home) args.push("--tmpfs", `${CONTAINER_HOME}:rw,exec,size=${tmpSize},mode=1777`);
  args.push(...limitArguments(run.limits));

  if (run.home) args.push("--mount", bindMount(run.home, false));
  args.push("--mount", bindMount(run.cwd, false));
  for (const gitPath of run.gitPaths) args.push("--mount", bindMount(gitPath, true));
  args.push("--workdir", run.cwd);
  for (const [name, value] of Object.entries(run.environment)) args.push("--env", `${name}=${value}`);
  return [...args, "--", options.image, ...command];
}

/** Builds the command that stops and deletes a container by name. */
export function buildDockerRemoveArguments(dockerPath: string, containerName: string): string[] {
  return [dockerPath, "rm", "--force", containerName];
}

function limitArguments(limits: SandboxLimits): string[] {
  const args = ["--ulimit", "core=0:0"];
  if (limits.memoryBytes !== undefined) {
    const bytes = checkedLimit("memoryBytes", limits.memoryBytes);
    args.push("--memory", String(bytes), "--memory-swap", String(bytes));
  }
  if (limits.maxProcesses !== undefined) args.push("--pids-limit", String(checkedLimit("maxProcesses", limits.maxProcesses)));
  if (limits.cpuSeconds !== undefined) {
    const seconds = checkedLimit("cpuSeconds", Math.ceil(limits.cpuSeconds));
    args.push("--ulimit", `cpu=${seconds}:${seconds}`);
  }
  if (limits.maxFileBytes !== undefined) {
    const bytes = checkedLimit("maxFileBytes", limits.maxFileBytes);
    args.push("--ulimit", `fsize=${bytes}:${bytes}`);
  }
  return args;
}

/** Formats a `--mount` value; docker reads it as CSV, so a path with a comma or quote is quoted. */
function bindMount(hostPath: string, readOnly: boolean): string {
  const fields = ["type=bind", `source=${hostPath}`, `target=${hostPath}`, ...(readOnly ? ["readonly"] : [])];
  return fields.map((field) => (/[",\n]/.test(field) ? `"${field.replaceAll('"', '""')}"` : field)).join(",");
}

function removeContainer(options: DockerSandboxOptions, containerName: string, env: Record<string, string>): void {
  const [file, ...args] = buildDockerRemoveArguments(options.dockerPath, containerName);
  const child = spawn(file as string, args, { env, stdio: "ignore", timeout: REMOVE_TIMEOUT_MS });
  const warn = (detail: Record<string, unknown>) =>
    options.log?.warn({ containerName, ...detail }, "could not remove a timed-out sandbox container; `docker ps --filter label=magic-pr.sandbox` lists leftovers");
  child.on("error", (error) => warn({ err: error }));
  child.on("exit", (exitCode, signal) => {
    if (exitCode !== 0) warn({ exitCode, signal });
  });
}

function pickDefined(environment: HostEnvironment, names: string[]): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of names) {
    const value = environment[name];
    if (value !== undefined) picked[name] = value;
  }
  return picked;
}
