import { rm } from "node:fs/promises";
import path from "node:path";
import { WorkspaceError } from "./errors.js";
import { createGit, gitFailure, type WorktreeLocation } from "./git.js";
import { checkBranchName } from "./layout.js";
import type { Lease } from "./lease.js";
import { removeFolder } from "./folders.js";

/** Flags that keep `git diff` from running programs named by the repository's attributes or config. */
const PLAIN_DIFF = ["--no-ext-diff", "--no-textconv", "--ignore-submodules=dirty"];

/**
 * A git worktree of one candidate, checked out at `baseCommit` with a detached HEAD. Every command runs
 * with explicit git folders, so a `.git` file rewritten by the repository's code changes nothing, and the
 * token is never written into the worktree or the mirror.
 */
export class Worktree {
  private removed = false;

  constructor(
    readonly directory: string,
    readonly baseCommit: string,
    private readonly location: WorktreeLocation,
    private readonly cloneUrl: string,
    private readonly lease: Lease,
  ) {}

  /** Returns the diff of the worktree, untracked files included, against the base commit. */
  async diff(): Promise<string> {
    const git = this.git();
    await git.raw(["add", "--all", "--intent-to-add"]);
    return git.raw(["diff", "--binary", ...PLAIN_DIFF, this.baseCommit]);
  }

  /** Returns the paths that differ from the base commit, untracked files included. */
  async changedFiles(): Promise<string[]> {
    const git = this.git();
    await git.raw(["add", "--all", "--intent-to-add"]);
    const names = await git.raw(["diff", "--name-only", "-z", ...PLAIN_DIFF, this.baseCommit]);
    return names.split("\0").filter(Boolean);
  }

  /** Applies a patch file with `git apply`, binary hunks included; a patch that does not apply is an error with git's message. */
  async applyPatch(patchFile: string): Promise<void> {
    try {
      await this.git().raw(["apply", "--whitespace=nowarn", "--", patchFile]);
    } catch (error) {
      throw new WorkspaceError(`The patch ${patchFile} does not apply: ${gitFailure(error, undefined)}`, { cause: error });
    }
  }

  /** Puts paths back as they are in the base commit, deleting those that the base commit lacks. */
  async restoreFromBase(paths: string[]): Promise<void> {
    if (paths.length === 0) return;
    const outside = paths.find((filePath) => path.isAbsolute(filePath) || path.normalize(filePath).startsWith(".."));
    if (outside) throw new WorkspaceError(`The path ${outside} is outside the worktree`);
    const git = this.git();
    const listed = await git.raw(["ls-tree", "-z", "--name-only", this.baseCommit, "--", ...paths]);
    const inBase = new Set(listed.split("\0").filter(Boolean));
    const existing = paths.filter((filePath) => inBase.has(filePath));
    if (existing.length > 0) await git.raw(["checkout", this.baseCommit, "--", ...existing]);
    for (const filePath of paths.filter((candidate) => !inBase.has(candidate))) await rm(path.join(this.directory, filePath), { force: true });
  }

  /** Commits every change in the worktree; returns the new commit, or undefined when nothing changed. */
  async commitAll(message: string): Promise<string | undefined> {
    const git = this.git();
    await git.raw(["add", "--all"]);
    const tree = (await git.raw(["write-tree"])).trim();
    const headTree = (await git.raw(["rev-parse", "--verify", "HEAD^{tree}"])).trim();
    if (tree === headTree) return undefined;
    await git.raw(["commit", "--quiet", "--no-verify", "--message", message]);
    return (await git.raw(["rev-parse", "--verify", "HEAD"])).trim();
  }

  /** Pushes HEAD to `branch` on the remote, replacing what the app pushed there before. */
  async push(branch: string, token: string | undefined): Promise<void> {
    checkBranchName(branch);
    const git = this.git({ token, remoteUrl: this.cloneUrl });
    try {
      await git.raw(["push", "--force", "--quiet", "--no-verify", this.cloneUrl, `HEAD:refs/heads/${branch}`]);
    } catch (error) {
      throw new WorkspaceError(`Pushing branch ${branch} failed: ${gitFailure(error, token)}`, { cause: error });
    }
  }

  /**
   * Deletes the worktree's files and its administrative folder in the mirror, then gives up its lease.
   * Calling it again does nothing.
   */
  async remove(): Promise<void> {
    if (this.removed) return;
    this.removed = true;
    try {
      await removeFolder(this.directory);
      await removeFolder(this.location.gitDir);
    } finally {
      await this.lease.release();
    }
  }

  private git(credentials: { token?: string; remoteUrl?: string } = {}) {
    return createGit(this.directory, { ...credentials, worktree: this.location });
  }
}
