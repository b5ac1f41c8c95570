import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { WorkspaceError } from "./errors.js";
import { createGit, gitFailure, type WorktreeLocation } from "./git.js";
import { checkBranchName } from "./layout.js";
import type { Lease } from "./lease.js";
import { removeFolder } from "./folders.js";

/** Maximum number of pushes of one `pushOnto` call that may find the branch moved since its fetch. */
const MAX_PUSH_ATTEMPTS = 4;
/** Maximum number of fallback branch names that `pushOnto` reads from the caller's sequence. */
const MAX_FALLBACK_NAMES = 100;
/**
 * Messages of a push rejected because the remote branch's tip is not an ancestor of the pushed commit,
 * such as `! [rejected] HEAD -> b (fetch first)`. `[remote rejected]`, from a hook or a protected branch,
 * does not match, because retrying cannot help.
 */
const STALE_PUSH = /\[rejected\]|\(fetch first\)|\(non-fast-forward\)|\(stale info\)/;

export interface PushOntoOptions {
  /** Branch names to publish to, in order, when the app's commits conflict with the remote branch. */
  fallbackBranches: () => Iterable<string>;
}

export interface PushOntoResult {
  /** Branch that received the commits: the requested one, or a fallback after a conflict. */
  branch: string;
  /** True when the app's commits were rebased onto commits someone else pushed. */
  rebased: boolean;
  /** True when the rebase conflicted, so the commits went to a fallback branch. */
  conflict: boolean;
}

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

  /** Returns the commit HEAD points at, which moves when a commit is made or rebased. */
  async headCommit(): Promise<string> {
    return (await this.git().raw(["rev-parse", "--verify", "HEAD"])).trim();
  }

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
   * Publishes HEAD's commits on top of `branch` as it is on the remote now, without force. When someone
   * else pushed to the branch, the app's commits are rebased onto theirs. When that rebase conflicts, it
   * is aborted and HEAD goes unchanged to the first fallback branch that does not exist on the remote. A
   * push that finds the branch moved again since the fetch starts over, up to `MAX_PUSH_ATTEMPTS` times.
   */
  async pushOnto(branch: string, token: string | undefined, options: PushOntoOptions): Promise<PushOntoResult> {
    checkBranchName(branch);
    for (let attempt = 1; ; attempt += 1) {
      const plan = await this.preparePush(branch, token, options);
      try {
        await this.git({ token, remoteUrl: this.cloneUrl }).raw(["push", "--quiet", "--no-verify", this.cloneUrl, `HEAD:refs/heads/${plan.branch}`]);
        return plan;
      } catch (error) {
        const message = gitFailure(error, token);
        if (!STALE_PUSH.test(message)) throw new WorkspaceError(`Pushing branch ${plan.branch} failed: ${message}`, { cause: error });
        if (attempt >= MAX_PUSH_ATTEMPTS) {
          throw new WorkspaceError(`Pushing branch ${plan.branch} failed ${attempt} times because others kept pushing to it: ${message}`, { cause: error });
        }
      }
    }
  }

  /** Fetches the remote branch and moves HEAD onto it. Returns the branch that HEAD goes to and how HEAD got there. */
  private async preparePush(branch: string, token: string | undefined, options: PushOntoOptions): Promise<PushOntoResult> {
    const heads = await this.remoteHeads(token);
    const tip = heads.has(branch) ? await this.fetchBranch(branch, token) : undefined;
    if (tip === undefined || (await this.isAncestor(tip, "HEAD"))) return { branch, rebased: false, conflict: false };
    if (await this.rebaseOnto(tip, token)) return { branch, rebased: true, conflict: false };
    return { branch: firstFreeBranch(options.fallbackBranches(), heads), rebased: false, conflict: true };
  }

  /** Returns the remote's branch names and their commits. */
  private async remoteHeads(token: string | undefined): Promise<Map<string, string>> {
    const listing = await this.remoteCommand(["ls-remote", "--heads", this.cloneUrl], token, "Listing the branches of the remote");
    const heads = new Map<string, string>();
    for (const line of listing.split("\n")) {
      const [commit, ref] = line.split("\t");
      if (commit && ref?.startsWith("refs/heads/")) heads.set(ref.slice("refs/heads/".length), commit);
    }
    return heads;
  }

  /** Fetches the branch's commits without touching the mirror's refs, and returns its tip. */
  private async fetchBranch(branch: string, token: string | undefined): Promise<string> {
    // FETCH_HEAD lives in the worktree's own git folder, so concurrent runs of the mirror do not share it.
    await this.remoteCommand(["fetch", "--quiet", "--no-tags", this.cloneUrl, `refs/heads/${branch}`], token, `Fetching branch ${branch}`);
    return (await this.git().raw(["rev-parse", "--verify", "FETCH_HEAD^{commit}"])).trim();
  }

  private async remoteCommand(args: string[], token: string | undefined, action: string): Promise<string> {
    try {
      return await this.git({ token, remoteUrl: this.cloneUrl }).raw(args);
    } catch (error) {
      throw new WorkspaceError(`${action} failed: ${gitFailure(error, token)}`, { cause: error });
    }
  }

  /** True when commit `ancestor` (a full hash) is `descendant` or one of its ancestors. */
  private async isAncestor(ancestor: string, descendant: string): Promise<boolean> {
    let mergeBase: string;
    try {
      mergeBase = await this.git().raw(["merge-base", ancestor, descendant]);
    } catch {
      // merge-base exits with 1 when the histories share no commit.
      return false;
    }
    return mergeBase.trim() === ancestor;
  }

  /**
   * Rebases the app's commits onto `tip`. Those are the commits of HEAD after the base commit that `tip`
   * does not contain. Returns false after aborting a rebase that conflicts.
   */
  private async rebaseOnto(tip: string, token: string | undefined): Promise<boolean> {
    // When the remote branch contains the base commit, git finds the app's commits from their merge base
    // with the tip. Otherwise the branch started elsewhere, and only commits after the base commit are the app's.
    const upstream = (await this.isAncestor(this.baseCommit, tip)) ? tip : this.baseCommit;
    const git = this.git({ token, remoteUrl: this.cloneUrl });
    try {
      await git.raw(["rebase", "--quiet", "--no-autostash", "--onto", tip, upstream]);
      return true;
    } catch (error) {
      if (!this.rebaseInProgress()) throw new WorkspaceError(`Rebasing onto ${tip} failed: ${gitFailure(error, token)}`, { cause: error });
      await this.abortRebase(token);
      return false;
    }
  }

  private async abortRebase(token: string | undefined): Promise<void> {
    try {
      await this.git().raw(["rebase", "--abort"]);
    } catch (error) {
      throw new WorkspaceError(`Aborting a conflicting rebase failed: ${gitFailure(error, token)}`, { cause: error });
    }
  }

  private rebaseInProgress(): boolean {
    return ["rebase-merge", "rebase-apply"].some((folder) => existsSync(path.join(this.location.gitDir, folder)));
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

/** Returns the first name of `candidates` that is not a branch in `heads`. */
function firstFreeBranch(candidates: Iterable<string>, heads: Map<string, string>): string {
  let checked = 0;
  for (const candidate of candidates) {
    checkBranchName(candidate);
    if (!heads.has(candidate)) return candidate;
    if (++checked >= MAX_FALLBACK_NAMES) break;
  }
  throw new WorkspaceError(`No fallback branch is free: all ${checked} names checked exist on the remote. Delete the fallback branches that are no longer needed`);
}
