import { z } from "zod";
import { countO200kTokens, type TokenCounter } from "../context/token-count.js";
import { sanitiseForModel } from "../text/sanitise.js";

export interface ReviewThreadComment {
  id: number;
  path: string;
  body: string;
  author: string;
  line: number | null;
  startLine: number | null;
  originalLine: number | null;
  diffHunk: string;
  inReplyToId?: number;
  /** GitHub sets position/line to null when the diff moved under the comment. */
  outdated: boolean;
  resolved: boolean;
}

export type OmissionReason = "resolved" | "outdated" | "file-not-in-diff" | "over-budget";

export interface ReviewDigest {
  text: string;
  included: ReviewThreadComment[];
  omitted: { comment: ReviewThreadComment; reason: OmissionReason }[];
}

export interface ReviewDigestInput {
  reviewBody?: string;
  comments: ReviewThreadComment[];
  /** Paths the pull request changes. Comments on other files are left out. */
  changedFiles: string[];
  maxTokens: number;
  /** Lines of each diff hunk shown, counted back from the commented line; default 12. */
  maxHunkLines?: number;
  /** Token counter of the model that reads the digest; default o200k_base. */
  countTokens?: TokenCounter;
}

/** A comment that starts a thread, with its replies in the order they were written. */
interface Thread {
  root: ReviewThreadComment;
  replies: ReviewThreadComment[];
}

const DEFAULT_HUNK_LINES = 12;
const TRUNCATED_BODY = "\n[review text truncated]";

/**
 * Renders a pull request review as prompt text of at most `maxTokens` tokens. Threads come in file and
 * line order. Resolved, outdated and off-diff threads are left out, and so is any thread that does not fit
 * the budget, which the last line then counts.
 */
export function digestReview(input: ReviewDigestInput): ReviewDigest {
  if (!Number.isInteger(input.maxTokens) || input.maxTokens < 1) throw new TypeError(`maxTokens must be a positive integer, got ${input.maxTokens}`);
  const count = input.countTokens ?? countO200kTokens;
  const changed = new Set(input.changedFiles);
  const omitted: ReviewDigest["omitted"] = [];
  const eligible: Thread[] = [];
  for (const thread of groupThreads(input.comments)) {
    const reason = omissionReason(thread.root, changed);
    if (reason) for (const comment of [thread.root, ...thread.replies]) omitted.push({ comment, reason });
    else eligible.push(thread);
  }
  const reserve = count(omissionLine(input.comments.length)) + 1;
  const header = fitHeader(input.reviewBody, input.maxTokens - reserve, count);
  const blocks = eligible.map((thread) => ({ thread, text: renderThread(thread, input.maxHunkLines ?? DEFAULT_HUNK_LINES) }));
  const chosen = chooseBlocks(header, blocks, input.maxTokens - reserve, count);
  for (const block of blocks) {
    if (!chosen.includes(block)) for (const comment of [block.thread.root, ...block.thread.replies]) omitted.push({ comment, reason: "over-budget" });
  }
  const overBudget = omitted.filter((entry) => entry.reason === "over-budget").length;
  const parts = [header, ...chosen.map((block) => block.text)].filter(Boolean);
  if (overBudget > 0) parts.push(omissionLine(overBudget));
  return { text: parts.join("\n\n"), included: chosen.flatMap((block) => [block.thread.root, ...block.thread.replies]), omitted };
}

/** Groups replies under the first comment of their thread; a reply whose thread start is missing starts its own. */
function groupThreads(comments: ReviewThreadComment[]): Thread[] {
  const byId = new Map(comments.map((comment) => [comment.id, comment]));
  const threads = new Map<number, Thread>();
  const rootOf = (comment: ReviewThreadComment): ReviewThreadComment => {
    const seen = new Set<number>();
    let current = comment;
    while (current.inReplyToId !== undefined && byId.has(current.inReplyToId) && !seen.has(current.id)) {
      seen.add(current.id);
      current = byId.get(current.inReplyToId) as ReviewThreadComment;
    }
    return current;
  };
  for (const comment of [...comments].sort((a, b) => a.id - b.id)) {
    const root = rootOf(comment);
    const thread = threads.get(root.id) ?? { root, replies: [] };
    if (comment !== root) thread.replies.push(comment);
    threads.set(root.id, thread);
  }
  return [...threads.values()].sort((a, b) => compareByPosition(a.root, b.root));
}

function compareByPosition(a: ReviewThreadComment, b: ReviewThreadComment): number {
  if (a.path !== b.path) return a.path < b.path ? -1 : 1;
  const lineA = a.line ?? a.originalLine ?? 0;
  const lineB = b.line ?? b.originalLine ?? 0;
  return lineA - lineB || a.id - b.id;
}

function omissionReason(root: ReviewThreadComment, changed: Set<string>): OmissionReason | undefined {
  if (root.resolved) return "resolved";
  if (root.outdated) return "outdated";
  if (!changed.has(root.path)) return "file-not-in-diff";
  return undefined;
}

function omissionLine(count: number): string {
  return `${count} more review ${count === 1 ? "comment was" : "comments were"} left out to fit the token budget.`;
}

/** Returns the review's own text, shortened when it alone would take more than `budget` tokens. */
function fitHeader(reviewBody: string | undefined, budget: number, count: TokenCounter): string {
  const body = sanitiseForModel(reviewBody ?? "").trim();
  if (!body) return "";
  let header = `Review:\n${body}`;
  let length = body.length;
  while (length > 0 && count(header) > budget) {
    length = Math.floor((length * budget) / Math.max(count(header), 1) * 0.9);
    header = length > 0 ? `Review:\n${body.slice(0, length)}${TRUNCATED_BODY}` : "";
  }
  return header;
}

/**
 * Picks the blocks that fit in order, skipping any that does not. Counts of separate texts are summed
 * first, then the joined text is counted, because a tokenizer may merge tokens across the joins.
 */
function chooseBlocks<T extends { text: string }>(header: string, blocks: T[], budget: number, count: TokenCounter): T[] {
  const chosen: T[] = [];
  let used = header ? count(header) : 0;
  for (const block of blocks) {
    const cost = count(block.text) + 1;
    if (used + cost > budget) continue;
    chosen.push(block);
    used += cost;
  }
  while (chosen.length > 0 && count([header, ...chosen.map((block) => block.text)].join("\n\n")) > budget) chosen.pop();
  return chosen;
}

function renderThread(thread: Thread, maxHunkLines: number): string {
  const { root } = thread;
  const hunk = lastHunkLines(root.diffHunk, maxHunkLines);
  const fence = codeFence(hunk);
  const lines = [`### Comment ${root.id} on ${root.path} ${lineRange(root)}`];
  if (hunk) lines.push(`${fence}diff`, hunk, fence);
  lines.push(`@${root.author}: ${sanitiseForModel(root.body).trim()}`);
  for (const reply of thread.replies) lines.push(`Reply ${reply.id} by @${reply.author}: ${sanitiseForModel(reply.body).trim()}`);
  return lines.join("\n");
}

function lineRange(comment: ReviewThreadComment): string {
  if (comment.line === null) return comment.originalLine === null ? "(whole file)" : `original line ${comment.originalLine}`;
  if (comment.startLine !== null && comment.startLine !== comment.line) return `lines ${comment.startLine}-${comment.line}`;
  return `line ${comment.line}`;
}

/** Returns the last lines of a hunk, which end at the commented line; the `@@` header counts as a line. */
function lastHunkLines(diffHunk: string, maxLines: number): string {
  if (maxLines <= 0) return "";
  return diffHunk.replace(/\r\n?/g, "\n").replace(/\n+$/, "").split("\n").slice(-maxLines).join("\n");
}

/** Returns a backtick fence longer than any backtick run in `text`, so the text cannot close it. */
function codeFence(text: string): string {
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  return "`".repeat(longest + 1);
}

/** The fields of a `pulls.listReviewComments` item that the digest reads. */
export const RestReviewComment = z.object({
  id: z.number().int(),
  path: z.string(),
  body: z.string(),
  user: z.object({ login: z.string() }).nullable(),
  line: z.number().int().nullable().optional(),
  start_line: z.number().int().nullable().optional(),
  original_line: z.number().int().nullable().optional(),
  diff_hunk: z.string(),
  in_reply_to_id: z.number().int().optional(),
  position: z.number().int().nullable().optional(),
  subject_type: z.string().optional(),
});
export type RestReviewComment = z.infer<typeof RestReviewComment>;

/**
 * Converts a REST review comment. `resolvedIds` contains the ids of comments in resolved threads, which
 * only the GraphQL API reports. A comment counts as outdated when GitHub no longer places it on the
 * diff: `line` and `position` are both null on a line comment.
 */
export function toReviewThreadComment(item: unknown, resolvedIds: ReadonlySet<number>): ReviewThreadComment {
  const parsed = RestReviewComment.safeParse(item);
  if (!parsed.success) throw new TypeError(`Invalid review comment: ${z.prettifyError(parsed.error)}`);
  const comment = parsed.data;
  const line = comment.line ?? null;
  return {
    id: comment.id,
    path: comment.path,
    body: comment.body,
    author: comment.user?.login ?? "ghost",
    line,
    startLine: comment.start_line ?? null,
    originalLine: comment.original_line ?? null,
    diffHunk: comment.diff_hunk,
    ...(comment.in_reply_to_id === undefined ? {} : { inReplyToId: comment.in_reply_to_id }),
    outdated: comment.subject_type !== "file" && line === null && (comment.position ?? null) === null,
    resolved: resolvedIds.has(comment.id),
  };
}
