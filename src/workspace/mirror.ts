import { mkdir } from "node:fs/promises";
import type { Logger } from "pino";
import { WorkspaceError } from "./errors.js";
import { createGit, gitFailure } from "./git.js";
import { checkBranchName, checkWorktreeName, type WorkFolderLayout } from "./layout.js";
import { acquireLease, type Lease } from "./lease.js";
import { exists, removeFolder } from "./folders.js";
import { claimSpare, type SpareContext } from "./spare.js";
import { addWorktree, readWorktreeLocation } from "./worktree-location.js";
import { Worktree } from "./worktree.js";

export interface WorktreeRequest {
  /** Folder name of the worktree, unique among the live worktrees of the mirror, such as the run id. */
  name: string;
  /** Branch of the remote to check out, usually its default branch. */
  baseBranch: string;
  /** Commit to check out instead of the branch's tip; it must be in the branch's history or another fetched ref. */
  baseCommit?: string;
}

export interface MirrorContext {
  layout: WorkFolderLayout;
  key: string;
  directory: string;
  cloneUrl: string;
  token?: string;
  partial: boolean;
  log: Logger;
  /** Called after each new worktree; the manager uses it to check out the next spare in the background. */
  onWorktreeCreated?: (spare: SpareContext, commit: string) => void;
  useSpares: boolean;
}

/** A bare mirror of one repository, fetched for the current run; it hands out worktrees. */
export class Mirror {
  constructor(private readonly context: MirrorContext) {}

  get directory(): string {
    return this.context.directory;
  }

  /** True when the mirror is a partial clone whose file contents are fetched on checkout. */
  get partial(): boolean {
    return this.context.partial;
  }

  /**
   * Checks out `baseBranch` as fetched into a new worktree with a detached HEAD. It claims a spare
   * worktree when one is ready, which only rewrites the files that changed since the spare was made.
   */
  async createWorktree(request: WorktreeRequest): Promise<Worktree> {
    checkWorktreeName(request.name);
    checkBranchName(request.baseBranch);
    const { layout, key, log } = this.context;
    const startedAt = Date.now();
    const commit = request.baseCommit ? await this.resolveCommit(request.baseCommit) : await this.resolveBranch(request.baseBranch);
    const directory = layout.worktree(key, request.name);
    await mkdir(layout.worktrees(key), { recursive: true });
    const lease = await acquireLease(directory, { waitMs: 0, log });
    if (!lease) throw new WorkspaceError(`Worktree ${request.name} is already in use by another run`);
    if (await exists(directory)) {
      await lease.release();
      throw new WorkspaceError(`Worktree folder ${directory} already exists: choose another name, or restart the app to remove stale worktrees`);
    }
    try {
      const fromSpare = await this.checkout(directory, commit);
      const worktree = new Worktree(directory, commit, await readWorktreeLocation(directory, this.context.directory), this.context.cloneUrl, lease);
      log.info({ worktree: request.name, baseCommit: commit, fromSpare, durationMs: Date.now() - startedAt }, "worktree created");
      this.context.onWorktreeCreated?.(this.spareContext(), commit);
      return worktree;
    } catch (error) {
      await this.discardFailed(directory, lease);
      if (error instanceof WorkspaceError) throw error;
      throw new WorkspaceError(`Checking out ${request.baseBranch} failed: ${gitFailure(error, this.context.token)}`, { cause: error });
    }
  }

  private async checkout(directory: string, commit: string): Promise<boolean> {
    if (this.context.useSpares && (await claimSpare(this.spareContext(), directory, commit))) return true;
    await addWorktree(this.context.directory, directory, commit, this.credentials());
    return false;
  }

  private async resolveBranch(branch: string): Promise<string> {
    const commit = (await createGit(this.context.directory).raw(["rev-parse", "--verify", "--quiet", `refs/heads/${branch}^{commit}`])).trim();
    if (!commit) throw new WorkspaceError(`Branch ${branch} was not found in ${this.context.cloneUrl}`);
    return commit;
  }

  private async resolveCommit(revision: string): Promise<string> {
    const commit = (await createGit(this.context.directory).raw(["rev-parse", "--verify", "--quiet", "--end-of-options", `${revision}^{commit}`])).trim();
    if (!commit) throw new WorkspaceError(`Commit ${revision} was not found in ${this.context.cloneUrl}`);
    return commit;
  }

  private async discardFailed(directory: string, lease: Lease): Promise<void> {
    try {
      await removeFolder(directory);
      await createGit(this.context.directory).raw(["worktree", "prune"]);
    } catch (error) {
      this.context.log.warn({ err: error, directory }, "removing a failed worktree failed");
    } finally {
      await lease.release();
    }
  }

  private credentials() {
    return { token: this.context.token, remoteUrl: this.context.cloneUrl };
  }

  private spareContext(): SpareContext {
    return { mirror: this.context.directory, folder: this.context.layout.worktrees(this.context.key), credentials: this.credentials(), log: this.context.log };
  }
}
