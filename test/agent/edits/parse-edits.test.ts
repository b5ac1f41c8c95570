import { describe, expect, test } from "vitest";
import { parseEdits } from "../../../src/agent/edits/parse-edits.js";
import { parseSearchReplace } from "../../../src/agent/edits/search-replace.js";

describe("parseEdits marker blocks", () => {
  test("search/replace inside code fence", () => {
    const parsed = parseEdits("Here is the fix:\n```js\nsrc/a.js\n<<<<<<< SEARCH\nold\n=======\nnew\n>>>>>>> REPLACE\n```\n");

    expect(parsed.errors).toEqual([]);
    expect(parsed.edits).toEqual([{ kind: "search-replace", blockNumber: 1, path: "src/a.js", search: "old\n", replace: "new\n" }]);
  });

  test.each([
    ["**src/a.js**", "src/a.js"],
    ["`src/a.js`:", "src/a.js"],
    ["### src/a.js", "src/a.js"],
    ["File: src/a.js", "src/a.js"],
  ])("path written as %s", (pathLine, expected) => {
    const parsed = parseEdits(`${pathLine}\n<<<<<<< SEARCH\nx\n=======\ny\n>>>>>>> REPLACE\n`);

    expect(parsed.edits[0]?.path).toBe(expected);
  });

  test("blank last search line kept", () => {
    const parsed = parseEdits("a.js\n<<<<<<< SEARCH\nx\n\n=======\ny\n>>>>>>> REPLACE\n");

    expect(parsed.edits[0]).toMatchObject({ search: "x\n\n", replace: "y\n" });
  });

  test("block after a block reuses its path", () => {
    const parsed = parseEdits("a.js\n<<<<<<< SEARCH\n1\n=======\n2\n>>>>>>> REPLACE\n<<<<<<< SEARCH\n3\n=======\n4\n>>>>>>> REPLACE\n");

    expect(parsed.edits.map((edit) => [edit.blockNumber, edit.path])).toEqual([
      [1, "a.js"],
      [2, "a.js"],
    ]);
  });

  test("unclosed block named in error", () => {
    const parsed = parseEdits("src/a.js\n<<<<<<< SEARCH\nold\n");

    expect(parsed.edits).toEqual([]);
    expect(parsed.errors).toEqual(['Block 1 (src/a.js): expected "=======" and then ">>>>>>> REPLACE" to close the block.']);
  });

  test("block without path named in error", () => {
    const parsed = parseEdits("<<<<<<< WRITE\nx\n>>>>>>> WRITE\n");

    expect(parsed.errors[0]).toContain("Block 1: expected the file path");
  });

  test("write, create, delete and rename", () => {
    const reply = [
      "a.txt",
      "<<<<<<< WRITE",
      "all new",
      ">>>>>>> WRITE",
      "b.txt",
      "<<<<<<< CREATE",
      ">>>>>>> CREATE",
      "c.txt",
      "<<<<<<< DELETE",
      "d.txt",
      "<<<<<<< RENAME",
      "e.txt",
      ">>>>>>> RENAME",
    ].join("\n");

    const parsed = parseEdits(reply);

    expect(parsed.errors).toEqual([]);
    expect(parsed.edits).toEqual([
      { kind: "write", blockNumber: 1, path: "a.txt", content: "all new\n" },
      { kind: "create", blockNumber: 2, path: "b.txt", content: "" },
      { kind: "delete", blockNumber: 3, path: "c.txt" },
      { kind: "rename", blockNumber: 4, path: "d.txt", newPath: "e.txt" },
    ]);
  });

  test("rename without target rejected", () => {
    const parsed = parseEdits("d.txt\n<<<<<<< RENAME\n>>>>>>> RENAME\n");

    expect(parsed.errors[0]).toContain("Block 1 (d.txt): expected exactly one line with the new path");
  });

  test("parseSearchReplace keeps only search/replace", () => {
    const parsed = parseSearchReplace("a\n<<<<<<< DELETE\nb\n<<<<<<< SEARCH\n1\n=======\n2\n>>>>>>> REPLACE\n");

    expect(parsed.edits).toEqual([{ kind: "search-replace", blockNumber: 2, path: "b", search: "1\n", replace: "2\n" }]);
  });
});

describe("parseEdits unified diffs", () => {
  test("git diff with two files", () => {
    const reply = [
      "```diff",
      "diff --git a/src/x.ts b/src/x.ts",
      "index 1234567..89abcde 100644",
      "--- a/src/x.ts",
      "+++ b/src/x.ts",
      "@@ -1,2 +1,2 @@ export function x() {",
      " keep",
      "-old",
      "+new",
      "--- src/y.ts\t2024-01-01 00:00:00",
      "+++ src/y.ts\t2024-01-02 00:00:00",
      "@@ -5 +5 @@",
      "-a",
      "+b",
      "```",
      "That fixes it.",
    ].join("\n");

    const parsed = parseEdits(reply);

    expect(parsed.errors).toEqual([]);
    expect(parsed.edits).toEqual([
      {
        kind: "diff",
        blockNumber: 1,
        path: "src/x.ts",
        hunks: [
          {
            oldStart: 1,
            header: "@@ -1,2 +1,2 @@ export function x() {",
            lines: [
              { kind: " ", text: "keep" },
              { kind: "-", text: "old" },
              { kind: "+", text: "new" },
            ],
            oldNoNewlineAtEnd: false,
            newNoNewlineAtEnd: false,
          },
        ],
      },
      {
        kind: "diff",
        blockNumber: 2,
        path: "src/y.ts",
        hunks: [{ oldStart: 5, header: "@@ -5 +5 @@", lines: [{ kind: "-", text: "a" }, { kind: "+", text: "b" }], oldNoNewlineAtEnd: false, newNoNewlineAtEnd: false }],
      },
    ]);
  });

  test("new executable file", () => {
    const parsed = parseEdits("diff --git a/run.sh b/run.sh\nnew file mode 100755\n--- /dev/null\n+++ b/run.sh\n@@ -0,0 +1,2 @@\n+#!/bin/sh\n+echo hi\n");

    expect(parsed.edits).toEqual([{ kind: "create", blockNumber: 1, path: "run.sh", content: "#!/bin/sh\necho hi\n", executable: true }]);
  });

  test("deleted file", () => {
    const parsed = parseEdits("--- a/old.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-gone\n");

    expect(parsed.edits).toEqual([{ kind: "delete", blockNumber: 1, path: "old.txt" }]);
  });

  test("rename with a hunk", () => {
    const parsed = parseEdits("diff --git a/a.txt b/b.txt\nsimilarity index 90%\nrename from a.txt\nrename to b.txt\n--- a/a.txt\n+++ b/b.txt\n@@ -1 +1 @@\n-x\n+y\n");

    expect(parsed.edits.map((edit) => edit.kind)).toEqual(["rename", "diff"]);
    expect(parsed.edits[0]).toMatchObject({ path: "a.txt", newPath: "b.txt" });
    expect(parsed.edits[1]).toMatchObject({ path: "b.txt" });
  });

  test("no-newline markers set per side", () => {
    const parsed = parseEdits("--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n");

    expect(parsed.edits[0]).toMatchObject({ hunks: [{ oldNoNewlineAtEnd: true, newNoNewlineAtEnd: false }] });
  });

  test("blank line inside hunk is context", () => {
    const parsed = parseEdits("--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n\n-b\n+c\n\nSome prose.\n");

    expect(parsed.edits[0]).toMatchObject({
      hunks: [{ lines: [{ kind: " ", text: "a" }, { kind: " ", text: "" }, { kind: "-", text: "b" }, { kind: "+", text: "c" }] }],
    });
  });

  test("trailing blank context kept when counts say so", () => {
    const parsed = parseEdits("--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n-b\n+c\n\n");

    expect(parsed.edits[0]).toMatchObject({ hunks: [{ lines: [{ kind: "-" }, { kind: "+" }, { kind: " ", text: "" }] }] });
  });

  test("hunk without file header rejected", () => {
    const parsed = parseEdits("@@ -1 +1 @@\n-a\n+b\n");

    expect(parsed.edits).toEqual([]);
    expect(parsed.errors[0]).toContain('Block 1: the hunk "@@ -1 +1 @@" has no file header');
  });

  test("hunk without changes rejected", () => {
    const parsed = parseEdits("--- a/f\n+++ b/f\n@@ -1 +1 @@\n a\n");

    expect(parsed.errors[0]).toContain('Block 1 (f): hunk 1 (@@ -1 +1 @@) has no lines starting with "-" or "+"');
  });

  test("context line without prefix rejected", () => {
    const parsed = parseEdits("--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\nkeep\n-old\n+new\n");

    expect(parsed.edits).toEqual([]);
    expect(parsed.errors[0]).toContain('hunk 1 (@@ -1,2 +1,2 @@) has a line without a " ", "-" or "+" prefix: "keep"');
  });

  test("bullet list after complete hunk ignored", () => {
    const parsed = parseEdits("--- a/f\n+++ b/f\n@@ -1 +1 @@\n-old\n+new\nChanges:\n- renamed old to new\n");

    expect(parsed.errors).toEqual([]);
    expect(parsed.edits[0]).toMatchObject({ hunks: [{ lines: [{ kind: "-", text: "old" }, { kind: "+", text: "new" }] }] });
  });

  test("diff without hunks rejected", () => {
    const parsed = parseEdits("--- a/f\n+++ b/f\nnothing here\n");

    expect(parsed.errors[0]).toContain("Block 1 (f): expected at least one hunk");
  });

  test("mixed formats numbered in order", () => {
    const reply = "a.js\n<<<<<<< SEARCH\n1\n=======\n2\n>>>>>>> REPLACE\n\n--- a/b.js\n+++ b/b.js\n@@\n-3\n+4\n\nc.js\n<<<<<<< DELETE\n";

    const parsed = parseEdits(reply);

    expect(parsed.edits.map((edit) => [edit.blockNumber, edit.kind, edit.path])).toEqual([
      [1, "search-replace", "a.js"],
      [2, "diff", "b.js"],
      [3, "delete", "c.js"],
    ]);
  });
});
