import { readFile, realpath } from "node:fs/promises";
import path from "node:path";
import { WorkspaceError } from "./errors.js";
import { createGit, type WorktreeLocation } from "./git.js";

export interface Credentials {
  token?: string;
  remoteUrl?: string;
}

/**
 * Runs `git worktree add` for a detached checkout of `commit`. In a partial mirror the checkout fetches
 * the missing file contents, so it needs the credentials.
 */
export async function addWorktree(mirror: string, directory: string, commit: string, credentials: Credentials): Promise<WorktreeLocation> {
  await createGit(mirror, credentials).raw(["worktree", "add", "--detach", "--quiet", directory, commit]);
  return readWorktreeLocation(directory, mirror);
}

/**
 * Reads the administrative folder of a worktree that the app has just created, before any untrusted
 * code ran in it, and checks that it lies in the mirror's `worktrees` folder.
 */
export async function readWorktreeLocation(directory: string, mirror: string): Promise<WorktreeLocation> {
  const pointer = await readFile(path.join(directory, ".git"), "utf8");
  const match = /^gitdir: (.+)$/m.exec(pointer);
  const gitDir = match?.[1]?.trim();
  const expectedParent = await realpath(path.join(mirror, "worktrees"));
  if (!gitDir || (await realpath(path.dirname(gitDir))) !== expectedParent) {
    throw new WorkspaceError(`Worktree ${directory} does not belong to the mirror ${mirror}`);
  }
  return { gitDir, commonDir: mirror, workTree: directory };
}
