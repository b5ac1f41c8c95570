import { realpath, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { createGit } from "../workspace/git.js";
import { LocalRunError } from "./errors.js";

/** The repository a local run or benchmark works on. */
export interface RepositorySource {
  /** URL the mirror is cloned from: the given URL, or a `file://` URL of the local repository. */
  cloneUrl: string;
  /** The branch the run starts from: the local repository's current branch, or the remote's default branch. */
  branch: string;
  /** Folder of the local repository; undefined for a URL. */
  localPath?: string;
  /** True when the local repository has changes that are not committed, which the run does not see. */
  uncommittedChanges: boolean;
}

const URL_PATTERN = /^(https?|file):\/\//;

/** Resolves `--repo`: an https://, http:// or file:// URL, or the path of a local git repository. */
export async function resolveRepository(value: string): Promise<RepositorySource> {
  if (URL_PATTERN.test(value)) return { cloneUrl: value, branch: await remoteDefaultBranch(value), uncommittedChanges: false };
  if (/^[\w.-]+@[\w.-]+:/.test(value)) {
    throw new LocalRunError("invalid-option", `--repo ${value} is an SSH address, which is not supported: use the repository's https:// URL or a local path.`);
  }
  return localRepository(value);
}

async function localRepository(value: string): Promise<RepositorySource> {
  const folder = await existingFolder(value);
  const git = createGit(folder);
  let root: string;
  try {
    const bare = (await git.raw(["rev-parse", "--is-bare-repository"])).trim() === "true";
    root = bare ? path.resolve(folder, (await git.raw(["rev-parse", "--git-dir"])).trim()) : (await git.raw(["rev-parse", "--show-toplevel"])).trim();
  } catch (error) {
    throw new LocalRunError("invalid-option", `--repo ${value} is not a git repository: give the folder of a repository or its URL.`, { cause: error });
  }
  const branch = (await createGit(root).raw(["symbolic-ref", "--quiet", "--short", "HEAD"]).catch(() => "")).trim();
  if (!branch) throw new LocalRunError("invalid-option", `--repo ${value} has a detached HEAD: check out the branch the run should start from.`);
  const status = await createGit(root).raw(["status", "--porcelain", "--untracked-files=no"]).catch(() => "");
  return { cloneUrl: pathToFileURL(await realpath(root)).href, branch, localPath: root, uncommittedChanges: status.trim() !== "" };
}

async function existingFolder(value: string): Promise<string> {
  try {
    if ((await stat(value)).isDirectory()) return path.resolve(value);
  } catch {
    // Reported below with the same message as a file.
  }
  throw new LocalRunError("invalid-option", `--repo ${value} was not found: give the folder of a git repository or its https:// URL.`);
}

async function remoteDefaultBranch(url: string): Promise<string> {
  let output: string;
  try {
    output = await createGit(tmpdir()).raw(["ls-remote", "--symref", url, "HEAD"]);
  } catch (error) {
    throw new LocalRunError("repository-unavailable", `Reading ${url} failed: ${(error as Error).message.trim().split("\n")[0]}. Check the URL and your access to it.`, { cause: error });
  }
  const branch = /^ref: refs\/heads\/(\S+)\s+HEAD$/m.exec(output)?.[1];
  if (!branch) throw new LocalRunError("repository-unavailable", `${url} reports no default branch: is the repository empty?`);
  return branch;
}

/** Checks a branch name with git's own rules, and that the local repository has no branch of that name yet. */
export async function checkNewBranch(repository: RepositorySource, branch: string): Promise<void> {
  if (!repository.localPath) throw new LocalRunError("invalid-option", `--branch needs --repo to be a local path; ${repository.cloneUrl} is a URL, so clone it first.`);
  const git = createGit(repository.localPath);
  try {
    if (branch.startsWith("-")) throw new Error("a branch name cannot start with a dash");
    await git.raw(["check-ref-format", "--branch", branch]);
  } catch {
    throw new LocalRunError("invalid-option", `--branch ${branch} is not a valid branch name.`);
  }
  const existing = (await git.raw(["rev-parse", "--verify", "--quiet", `refs/heads/${branch}`]).catch(() => "")).trim();
  if (existing) throw new LocalRunError("invalid-option", `--branch ${branch} already exists in ${repository.localPath}: choose a new branch name.`);
}
