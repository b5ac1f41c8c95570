import { sanitiseForModel } from "../text/sanitise.js";
import type { PreviousWork } from "./previous-work.js";
import { digestReview, type ReviewDigest } from "./review-digest.js";
import type { RunRequest } from "./run-request.js";

/** Tokens the review digest may take in the prompt, so a review with a hundred comments still fits. */
export const REVIEW_DIGEST_TOKENS = 8_000;
/** Lines of each comment's diff hunk shown: the lines nearest the comment. */
const HUNK_LINES = 12;

/** The prompt sections of a run that continues earlier work, and the review comments it was given. */
export interface FollowUp {
  text: string;
  review?: ReviewDigest;
}

/**
 * Describes what this run adds to the issue: the branch's diff so far, and the comment or the review
 * that started the run. All text from GitHub passes through {@link sanitiseForModel}.
 */
export function followUpPrompt(request: RunRequest, previous: PreviousWork | undefined): FollowUp {
  const sections: string[] = [];
  if (previous) {
    sections.push(
      `# Work so far\nThe branch \`${previous.branch}\` already changes the repository as below, and your worktree starts from it. Build on it rather than starting over.\n\n\`\`\`diff\n${previous.diff.trimEnd()}\n\`\`\``,
    );
  }
  if (request.instruction && request.trigger !== "explain") {
    sections.push(`# New instruction from @${request.instruction.author}\nThis comment refines the issue. Where it disagrees with the issue, follow the comment.\n\n${sanitiseForModel(request.instruction.text).trim()}`);
  }
  if (!request.review) return { text: sections.join("\n\n") };
  const review = digestReview({
    reviewBody: sanitiseForModel(request.review.body),
    comments: request.review.comments,
    changedFiles: previous?.changedFiles ?? [],
    maxTokens: REVIEW_DIGEST_TOKENS,
    maxHunkLines: HUNK_LINES,
  });
  sections.push(
    `# Review by @${request.review.author} to address\n${review.text.trim()}\n\nWhen you call finish, start the summary with one line per review comment, written as \`#<comment id>: what you changed, or why you changed nothing\`.`,
  );
  return { text: sections.join("\n\n"), review };
}

/** Reads the model's `#<id>: note` lines from a finish summary, by comment id. */
export function commentNotes(summary: string | undefined): Map<number, string> {
  const notes = new Map<number, string>();
  for (const match of (summary ?? "").matchAll(/^\s*[-*]?\s*#(\d+):\s*(.+)$/gm)) notes.set(Number(match[1]), (match[2] ?? "").trim());
  return notes;
}
