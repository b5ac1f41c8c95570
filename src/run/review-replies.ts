import { commentNotes } from "./follow-up.js";
import type { ReviewDigest } from "./review-digest.js";

export interface ThreadReply {
  /** The thread's first comment, which GitHub's reply endpoint needs. */
  commentId: number;
  body: string;
}

/**
 * Writes one reply per review thread the run was given: the model's own note for the comment when its
 * finish summary has one, else what the pushed change did to the comment's file. A note that claims a
 * change to a file the round did not touch is shown with that fact, so the reply never overstates.
 */
export function reviewReplies(review: ReviewDigest | undefined, summary: string | undefined, changedFiles: string[], where: string): ThreadReply[] {
  if (!review) return [];
  const notes = commentNotes(summary);
  const replies = new Map<number, ThreadReply>();
  for (const comment of review.included) {
    const root = comment.inReplyToId ?? comment.id;
    const note = notes.get(comment.id) ?? notes.get(root);
    const changed = changedFiles.includes(comment.path);
    const previous = replies.get(root);
    if (previous && !note) continue;
    let body: string;
    if (note) body = changed ? note : `${note} (This round did not change \`${comment.path}\`.)`;
    else body = changed ? `Changed \`${comment.path}\` for this comment.` : `This round made no change to \`${comment.path}\`.`;
    replies.set(root, { commentId: root, body: `${body}\n\n${where}` });
  }
  return [...replies.values()];
}
