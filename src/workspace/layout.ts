import { createHash } from "node:crypto";
import path from "node:path";
import { WorkspaceError } from "./errors.js";

/**
 * Paths of the workspace files in the work folder.
 *
 * - `mirrors/<key>.git` is the bare mirror of one repository. `<key>.git.lease` exists while a fetch runs.
 * - `worktrees/<key>/<name>` is one worktree. `<name>.lease` exists while its run is alive.
 * - `worktrees/<key>/.spare-<id>` is a spare worktree, ready for use once `.spare-<id>.ready` exists.
 */
export class WorkFolderLayout {
  readonly mirrorsRoot: string;
  readonly worktreesRoot: string;

  constructor(workDir: string) {
    this.mirrorsRoot = path.join(workDir, "mirrors");
    this.worktreesRoot = path.join(workDir, "worktrees");
  }

  mirror(key: string): string {
    return path.join(this.mirrorsRoot, `${key}.git`);
  }

  worktrees(key: string): string {
    return path.join(this.worktreesRoot, key);
  }

  worktree(key: string, name: string): string {
    return path.join(this.worktreesRoot, key, name);
  }
}

export const MIRROR_SUFFIX = ".git";
export const LEASE_SUFFIX = ".lease";
export const SPARE_PREFIX = ".spare-";
export const READY_SUFFIX = ".ready";
/** Marker file in a mirror whose modification time is the mirror's last use. */
export const LAST_USED_FILE = "magic-last-used";

const ALLOWED_PROTOCOLS = new Set(["https:", "http:", "file:"]);

/** Parses a clone URL and rejects those that could put a secret on disk or reach a non-HTTP transport. */
export function parseCloneUrl(cloneUrl: string): URL {
  let url: URL;
  try {
    url = new URL(cloneUrl);
  } catch (error) {
    throw new WorkspaceError(`Clone URL "${cloneUrl}" is invalid: expected an https:// URL`, { cause: error });
  }
  if (!ALLOWED_PROTOCOLS.has(url.protocol)) {
    throw new WorkspaceError(`Clone URL "${url.protocol}//${url.host}${url.pathname}" uses an unsupported protocol: expected https://, http:// or file://`);
  }
  if (url.username || url.password) {
    // The mirror's config stores the URL, so credentials in it would be written to disk.
    throw new WorkspaceError(`Clone URL for ${url.host}${url.pathname} contains credentials: pass the token separately`);
  }
  return url;
}

/**
 * Derives the folder name of a repository's mirror: a readable part from the host and path, then a hash
 * of the whole URL so that two URLs never share a mirror.
 */
export function mirrorKey(url: URL): string {
  const readable = `${url.host}${url.pathname}`
    .replace(/\.git\/?$/, "")
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "")
    .slice(0, 80);
  const hash = createHash("sha256").update(url.href).digest("hex").slice(0, 12);
  return readable ? `${readable}-${hash}` : hash;
}

const WORKTREE_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$/;

/** Rejects worktree names that could leave the worktree folder or collide with the layout's own files. */
export function checkWorktreeName(name: string): void {
  if (!WORKTREE_NAME.test(name)) {
    throw new WorkspaceError(`Worktree name "${name}" is invalid: use 1 to 100 letters, digits, "-" or "_", starting with a letter or digit`);
  }
}

/**
 * Rejects branch names that git would read as an option or that `git check-ref-format --branch` rejects
 * (git 2.39 rules: no "..", "@{", control characters, spaces, "~^:?*[\", and no component that starts with "." or ends with ".lock").
 */
export function checkBranchName(branch: string): void {
  const invalid =
    branch === "" ||
    branch.startsWith("-") ||
    branch.startsWith("/") ||
    branch.endsWith("/") ||
    branch.endsWith(".") ||
    branch === "@" ||
    branch.includes("..") ||
    branch.includes("@{") ||
    branch.includes("//") ||
    /[\x00-\x20\x7f~^:?*[\\]/.test(branch) ||
    branch.split("/").some((part) => part.startsWith(".") || part.endsWith(".lock"));
  if (invalid) throw new WorkspaceError(`Branch name "${branch}" is invalid`);
}
