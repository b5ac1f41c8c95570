import type { PullRequestInfo } from "../publish/github-gateway.js";

/** Branches the app pushes: `magic/issue-N`, and `magic/issue-N-K` after a conflict with a human push. */
const APP_BRANCH = /^magic\/issue-(\d+)(?:-\d+)?$/;

/** Returns the issue a branch of the app works on, or undefined for any other branch. */
export function issueNumberOfBranch(ref: string): number | undefined {
  const match = APP_BRANCH.exec(ref);
  return match ? Number(match[1]) : undefined;
}

export type PullRequestTarget =
  | { kind: "issue"; issueNumber: number }
  | { kind: "not-ours" }
  | { kind: "rejected"; message: string };

/**
 * Decides whether a pull request is one the app opened and may work on. Pull requests from forks are
 * rejected, because the app cannot push to a fork's branch and must not run a fork's code with its token.
 */
export function pullRequestTarget(pull: Pick<PullRequestInfo, "headRef" | "headRepository" | "state" | "locked">, repository: { owner: string; name: string }): PullRequestTarget {
  const issueNumber = issueNumberOfBranch(pull.headRef);
  const fromFork = pull.headRepository?.toLowerCase() !== `${repository.owner}/${repository.name}`.toLowerCase();
  if (fromFork) {
    return issueNumber === undefined ? { kind: "not-ours" } : { kind: "rejected", message: "Magic PR does not work on pull requests from forks. Open the issue in this repository and add the label there." };
  }
  if (issueNumber === undefined) return { kind: "not-ours" };
  if (pull.state !== "open") return { kind: "rejected", message: "This pull request is closed, so Magic PR does not work on it. Reopen it to continue." };
  if (pull.locked) return { kind: "rejected", message: "This pull request is locked, so Magic PR does not work on it. Unlock it to continue." };
  return { kind: "issue", issueNumber };
}
