import { describe, expect, test } from "vitest";
import { commentNotes } from "../../src/run/follow-up.js";
import type { ReviewDigest } from "../../src/run/review-digest.js";
import { reviewReplies } from "../../src/run/review-replies.js";
import { renderStatusComment } from "../../src/run/status-comment.js";

function comment(id: number, path: string, inReplyToId?: number): ReviewDigest["included"][number] {
  return { id, path, body: "b", author: "r", line: 1, startLine: null, originalLine: 1, diffHunk: "", outdated: false, resolved: false, ...(inReplyToId ? { inReplyToId } : {}) };
}

const DIGEST: ReviewDigest = { text: "", included: [comment(1, "a.js"), comment(2, "b.js"), comment(3, "a.js", 1), comment(4, "c.js")], omitted: [] };

describe("reviewReplies", () => {
  test("one reply per thread", () => {
    const replies = reviewReplies(DIGEST, undefined, ["a.js"], "Pushed.");

    expect(replies.map((reply) => reply.commentId)).toEqual([1, 2, 4]);
  });

  test("model note wins, with the diff's facts", () => {
    const replies = reviewReplies(DIGEST, "#1: Renamed it.\n#2: Fixed b.\n- #4: Left c alone because it is generated.", ["a.js"], "Pushed.");

    expect(replies[0]?.body).toBe("Renamed it.\n\nPushed.");
    expect(replies[1]?.body).toContain("Fixed b. (This round did not change `b.js`.)");
    expect(replies[2]?.body).toContain("Left c alone because it is generated.");
  });

  test("without notes the diff decides", () => {
    const replies = reviewReplies(DIGEST, "Did things.", ["a.js"], "Pushed.");

    expect(replies[0]?.body).toContain("Changed `a.js`");
    expect(replies[1]?.body).toContain("no change to `b.js`");
  });

  test("a reply's note answers its thread", () => {
    const replies = reviewReplies(DIGEST, "#3: Answered the follow-up.", [], "Pushed.");

    expect(replies[0]?.body).toContain("Answered the follow-up.");
  });

  test("no review, no replies", () => {
    expect(reviewReplies(undefined, "#1: x", ["a.js"], "Pushed.")).toEqual([]);
  });

  test("notes are read by id", () => {
    expect([...commentNotes("intro\n#12: one\n * #13: two\n#x: no")]).toEqual([
      [12, "one"],
      [13, "two"],
    ]);
  });
});

describe("renderStatusComment", () => {
  test("shows the round, links the branch and states the stop reason", () => {
    const body = renderStatusComment({
      phase: "done",
      round: "Refining after @a's comment.",
      branch: "magic/issue-3",
      pullRequestUrl: "https://github.com/o/r/pull/9",
      testsPassing: true,
      spend: { usd: 0.5, usdLimit: 2 },
      stopReason: "tests-pass",
      candidates: [{ id: "1", approach: "direct", steps: 4, tests: "passing" }],
    });

    expect(body).toContain("_Refining after @a's comment._");
    expect(body).toContain("Branch: [`magic/issue-3`](https://github.com/o/r/tree/magic/issue-3)");
    expect(body).toContain("Pull request: https://github.com/o/r/pull/9");
    expect(body).toContain("| 1 | direct | 4 | passing |");
    expect(body).toContain("Spent: $0.50 of $2.00");
    expect(body).toContain("Stop reason: `tests-pass`");
  });

  test("branch without a pull request stays plain", () => {
    expect(renderStatusComment({ phase: "done", branch: "magic/issue-3" })).toContain("Branch: `magic/issue-3`");
  });
});
