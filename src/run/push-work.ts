import type { Worktree } from "../workspace/worktree.js";
import type { PreviousWork } from "./previous-work.js";
import { branchName, fallbackBranchNames, type RunRequest } from "./run-request.js";

export interface PushedWork {
  branch: string;
  headSha: string;
  /** True when someone's push conflicted, so the work went to a fallback branch and the pull request keeps its head. */
  conflict: boolean;
  /** A sentence for the reader when the branch moved during the run. */
  note?: string;
}

/**
 * Pushes the committed work. A first run replaces `magic/issue-N`, and so does a retry, which starts
 * over on purpose. A run that continues the branch pushes on top of it: when someone pushed during the
 * run, the app's commits are rebased onto theirs, or, on a conflict, go to `magic/issue-N-K`.
 */
export async function pushWork(worktree: Worktree, request: RunRequest, token: string, previous: PreviousWork | undefined): Promise<PushedWork> {
  const branch = branchName(request.issue.number);
  if (!previous) {
    await worktree.push(branch, token);
    return { branch, headSha: await worktree.headCommit(), conflict: false };
  }
  const pushed = await worktree.pushOnto(branch, token, { fallbackBranches: () => fallbackBranchNames(request.issue.number) });
  const headSha = await worktree.headCommit();
  if (pushed.conflict) {
    const note = `Someone pushed to \`${branch}\` during this run and this run's commits conflict with theirs, so its work is on \`${pushed.branch}\` and \`${branch}\` is unchanged. Merge the two by hand, or comment here to try again.`;
    return { branch: pushed.branch, headSha, conflict: true, note };
  }
  const note = pushed.rebased ? `Someone pushed to \`${branch}\` during this run, so this run's commits were rebased on top of theirs.` : undefined;
  return { branch: pushed.branch, headSha, conflict: false, ...(note ? { note } : {}) };
}
