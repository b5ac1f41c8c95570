import { simpleGit, type SimpleGit } from "simple-git";

/** Identity of the commits the app makes. */
export const COMMIT_AUTHOR = { name: "magic-pr[bot]", email: "magic-pr[bot]@users.noreply.github.com" };

/**
 * Config for every git command of the app: it disables repository-controlled programs that git would
 * otherwise run with the app's privileges, because a worktree's files come from untrusted code.
 */
const SAFE_CONFIG = ["core.fsmonitor=false", "core.hooksPath=/dev/null", "protocol.ext.allow=never"];

/**
 * Keeps automatic garbage collection in the foreground, so no git process is still writing to a mirror
 * when the app removes or evicts it. Git releases that know `maintenance.autoDetach` read it in place
 * of `gc.autoDetach` for automatic maintenance, and older ones ignore the unknown key.
 */
const FOREGROUND_CONFIG = ["gc.autoDetach=false", "maintenance.autoDetach=false"];

/**
 * Folders of one worktree, passed to git as GIT_DIR, GIT_COMMON_DIR and GIT_WORK_TREE. Git then ignores
 * the worktree's `.git` file and the `commondir` file, which untrusted code in the worktree can rewrite
 * to point git at a config that names programs to run.
 */
export interface WorktreeLocation {
  /** The worktree's administrative folder, `<mirror>/worktrees/<id>`. */
  gitDir: string;
  /** The bare mirror, which contains the objects, refs and config. */
  commonDir: string;
  workTree: string;
}

export interface GitOptions {
  /** Installation token, sent only as an HTTP header on this instance's commands. */
  token?: string;
  /** URL whose origin receives the token header; other hosts never see it. */
  remoteUrl?: string;
  timeoutMs?: number;
  worktree?: WorktreeLocation;
}

/** Creates a simple-git instance for one folder with a minimal environment and optional credentials. */
export function createGit(baseDir: string, options: GitOptions = {}): SimpleGit {
  const config = [...SAFE_CONFIG, ...FOREGROUND_CONFIG, `user.name=${COMMIT_AUTHOR.name}`, `user.email=${COMMIT_AUTHOR.email}`];
  const header = options.token && options.remoteUrl ? authorizationHeaderConfig(options.remoteUrl, options.token) : undefined;
  if (header) config.push(header);
  return simpleGit({
    baseDir,
    config,
    allowConfig: [
      ...["core.hooksPath", "core.fsmonitor", "protocol.ext.allow", "gc.autoDetach", "maintenance.autoDetach", "http.*.extraheader"],
      // Written by the app itself into a new mirror's config.
      ...["remote.origin.url", "remote.origin.fetch", "remote.origin.promisor", "remote.origin.partialclonefilter"],
    ],
    allowEnvironment: ["GIT_TERMINAL_PROMPT", "GIT_DIR", "GIT_COMMON_DIR", "GIT_WORK_TREE"],
    timeout: { block: options.timeoutMs ?? 10 * 60_000 },
  }).env(gitEnvironment(options.worktree));
}

/** Scopes the token to the remote's origin, as `http.<url>.extraheader`, so redirects elsewhere do not carry it. */
function authorizationHeaderConfig(remoteUrl: string, token: string): string | undefined {
  const url = new URL(remoteUrl);
  if (url.protocol !== "https:" && url.protocol !== "http:") return undefined;
  const basic = Buffer.from(`x-access-token:${token}`).toString("base64");
  return `http.${url.origin}/.extraheader=AUTHORIZATION: basic ${basic}`;
}

function gitEnvironment(worktree: WorktreeLocation | undefined): Record<string, string> {
  const environment: Record<string, string> = { GIT_TERMINAL_PROMPT: "0", LANG: "C.UTF-8" };
  for (const name of ["PATH", "HOME"]) {
    const value = process.env[name];
    if (value !== undefined) environment[name] = value;
  }
  if (worktree) {
    environment.GIT_DIR = worktree.gitDir;
    environment.GIT_COMMON_DIR = worktree.commonDir;
    environment.GIT_WORK_TREE = worktree.workTree;
  }
  return environment;
}

/** Removes a secret from text before it reaches a log line or a comment. */
export function redact(text: string, secrets: Array<string | undefined>): string {
  let result = text;
  for (const secret of secrets) {
    if (!secret) continue;
    result = result.split(secret).join("***");
    const basic = Buffer.from(`x-access-token:${secret}`).toString("base64");
    result = result.split(basic).join("***");
  }
  return result;
}

/** Returns the message of a failed git command with the token removed. */
export function gitFailure(error: unknown, token: string | undefined): string {
  const message = error instanceof Error ? error.message : String(error);
  return redact(message, [token]).trim();
}
