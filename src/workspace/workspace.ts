import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { createGit, redact } from "./git.js";

export interface CloneRequest {
  cloneUrl: string;
  token?: string;
  /** Branch to check out, usually the repository's default branch. */
  baseBranch: string;
  /** Folder the clone is made in; it must not exist yet. */
  directory: string;
}

export class WorkspaceError extends Error {
  readonly code = "workspace-failed";
}

/** A clone of the repository for one run; the token is never written into it. */
export class Workspace {
  private constructor(
    readonly directory: string,
    readonly baseCommit: string,
    private readonly cloneUrl: string,
  ) {}

  static async clone(request: CloneRequest): Promise<Workspace> {
    await mkdir(path.dirname(request.directory), { recursive: true });
    const git = createGit(path.dirname(request.directory), { token: request.token, remoteUrl: request.cloneUrl });
    try {
      await git.clone(request.cloneUrl, request.directory, ["--branch", request.baseBranch, "--single-branch", "--no-tags"]);
    } catch (error) {
      throw new WorkspaceError(`Cloning the repository failed: ${redact((error as Error).message, [request.token])}`, { cause: error });
    }
    const baseCommit = (await createGit(request.directory).revparse(["HEAD"])).trim();
    return new Workspace(request.directory, baseCommit, request.cloneUrl);
  }

  async createBranch(name: string): Promise<void> {
    await createGit(this.directory).checkout(["-B", name]);
  }

  /** Returns the diff of the worktree, untracked files included, against the base commit. */
  async diff(): Promise<string> {
    const git = createGit(this.directory);
    await git.raw(["add", "--all", "--intent-to-add"]);
    return git.raw(["diff", "--binary", this.baseCommit]);
  }

  /** Returns the paths that differ from the base commit, untracked files included. */
  async changedFiles(): Promise<string[]> {
    const git = createGit(this.directory);
    await git.raw(["add", "--all", "--intent-to-add"]);
    const names = await git.raw(["diff", "--name-only", "-z", this.baseCommit]);
    return names.split("\0").filter(Boolean);
  }

  /** Commits every change in the worktree; returns the new commit, or undefined when nothing changed. */
  async commitAll(message: string): Promise<string | undefined> {
    const git = createGit(this.directory);
    await git.raw(["add", "--all"]);
    const status = await git.status();
    if (status.isClean()) return undefined;
    await git.commit(message);
    return (await git.revparse(["HEAD"])).trim();
  }

  /** Pushes HEAD to `branch` on the remote, replacing what the app pushed there before. */
  async push(branch: string, token: string | undefined): Promise<void> {
    const git = createGit(this.directory, { token, remoteUrl: this.cloneUrl });
    try {
      await git.push(this.cloneUrl, `HEAD:refs/heads/${branch}`, ["--force"]);
    } catch (error) {
      throw new WorkspaceError(`Pushing branch ${branch} failed: ${redact((error as Error).message, [token])}`, { cause: error });
    }
  }

  async remove(): Promise<void> {
    await rm(this.directory, { recursive: true, force: true });
  }
}
