import { countO200kTokens } from "../context/token-count.js";
import { createGit } from "../workspace/git.js";
import type { Mirror } from "../workspace/mirror.js";
import { branchName, type RunRequest } from "./run-request.js";

/** The app's earlier work on an issue: its branch and what that branch changes against the default branch. */
export interface PreviousWork {
  branch: string;
  /** The branch's commit when the run started, which carries the run's check while it works. */
  tip: string;
  /** `git diff` of the branch since it left the default branch, cut to fit the prompt. */
  diff: string;
  /** Paths the branch changes, which is what a review of its pull request can comment on. */
  changedFiles: string[];
}

/** Tokens of the earlier diff shown to the model; the rest is cut with a note, and the model can read the files. */
const MAX_DIFF_TOKENS = 12_000;

/** Returns true for runs that continue the issue's branch rather than start over from the default branch. */
export function continuesBranch(request: RunRequest): boolean {
  return request.trigger === "comment" || request.trigger === "review" || request.trigger === "explain";
}

/**
 * Reads the issue's branch from the freshly fetched mirror. Returns undefined when the branch does not
 * exist, such as for a comment on an issue whose first run opened nothing.
 */
export async function readPreviousWork(mirror: Mirror, request: RunRequest, token: string | undefined): Promise<PreviousWork | undefined> {
  const branch = branchName(request.issue.number);
  const git = createGit(mirror.directory, { token, remoteUrl: request.repository.cloneUrl });
  const tip = (await git.raw(["rev-parse", "--verify", "--quiet", `refs/heads/${branch}^{commit}`]).catch(() => "")).trim();
  if (!tip) return undefined;
  const range = `refs/heads/${request.repository.defaultBranch}...refs/heads/${branch}`;
  const plain = ["--no-ext-diff", "--no-textconv"];
  const diff = await git.raw(["diff", ...plain, range]);
  const names = await git.raw(["diff", "--name-only", "-z", ...plain, range]);
  return { branch, tip, diff: capTokens(diff, MAX_DIFF_TOKENS), changedFiles: names.split("\0").filter(Boolean) };
}

function capTokens(text: string, maxTokens: number): string {
  if (countO200kTokens(text) <= maxTokens) return text;
  // Four characters per token is an estimate; the loop only shortens, so the result always fits.
  let cut = text.slice(0, maxTokens * 4);
  while (countO200kTokens(cut) > maxTokens) cut = cut.slice(0, Math.floor(cut.length * 0.9));
  return `${cut.slice(0, cut.lastIndexOf("\n") + 1)}[the rest of the diff is cut; read the files for it]\n`;
}
