import { mkdtempSync, readFileSync, symlinkSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { applyEdits } from "../../src/agent/edits/apply.js";
import { parseSearchReplace } from "../../src/agent/edits/search-replace.js";

function worktreeWith(files: Record<string, string>): string {
  const directory = mkdtempSync(path.join(tmpdir(), "magic-edit-"));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(directory, name)), { recursive: true });
    writeFileSync(path.join(directory, name), content);
  }
  return directory;
}

describe("parseSearchReplace", () => {
  test("blocks inside code fences", () => {
    const reply = "Here is the fix:\n```js\nsrc/a.js\n<<<<<<< SEARCH\nold\n=======\nnew\n>>>>>>> REPLACE\n```\n";

    const parsed = parseSearchReplace(reply);

    expect(parsed.errors).toEqual([]);
    expect(parsed.edits).toEqual([{ path: "src/a.js", search: "old", replace: "new", blockNumber: 1 }]);
  });

  test("unclosed block named in error", () => {
    const parsed = parseSearchReplace("src/a.js\n<<<<<<< SEARCH\nold\n");

    expect(parsed.edits).toEqual([]);
    expect(parsed.errors[0]).toContain("Block 1 (src/a.js)");
  });
});

describe("applyEdits", () => {
  test("unique match replaced", async () => {
    const worktree = worktreeWith({ "a.js": "one\ntwo\nthree\n" });

    const result = await applyEdits(worktree, [{ path: "a.js", search: "two", replace: "2", blockNumber: 1 }]);

    expect(result.errors).toEqual([]);
    expect(readFileSync(path.join(worktree, "a.js"), "utf8")).toBe("one\n2\nthree\n");
  });

  test("CRLF file keeps CRLF", async () => {
    const worktree = worktreeWith({ "a.txt": "one\r\ntwo\r\n" });

    await applyEdits(worktree, [{ path: "a.txt", search: "one\ntwo", replace: "one\nzwei", blockNumber: 1 }]);

    expect(readFileSync(path.join(worktree, "a.txt"), "utf8")).toBe("one\r\nzwei\r\n");
  });

  test("one failure writes nothing", async () => {
    const worktree = worktreeWith({ "a.js": "alpha\n", "b.js": "beta\n" });

    const result = await applyEdits(worktree, [
      { path: "a.js", search: "alpha", replace: "ALPHA", blockNumber: 1 },
      { path: "b.js", search: "gamma", replace: "GAMMA", blockNumber: 2 },
    ]);

    expect(result.errors[0]).toContain("Block 2 (b.js)");
    expect(readFileSync(path.join(worktree, "a.js"), "utf8")).toBe("alpha\n");
  });

  test.each([
    ["../outside.js", "contains \"..\""],
    ["/etc/passwd", "absolute"],
    [".git/config", "inside .git"],
    [".github/workflows/ci.yml", "protected"],
    ["link/escape.js", "symbolic link"],
  ])("unsafe path %s rejected", async (filePath, message) => {
    const worktree = worktreeWith({ "a.js": "x\n" });
    symlinkSync(tmpdir(), path.join(worktree, "link"));

    const result = await applyEdits(worktree, [{ path: filePath, search: "", replace: "evil", blockNumber: 1 }]);

    expect(result.errors[0]).toContain(message);
  });

  test("ambiguous match rejected", async () => {
    const worktree = worktreeWith({ "a.js": "x = 1\nx = 1\n" });

    const result = await applyEdits(worktree, [{ path: "a.js", search: "x = 1", replace: "x = 2", blockNumber: 1 }]);

    expect(result.errors[0]).toContain("more than once");
  });
});
