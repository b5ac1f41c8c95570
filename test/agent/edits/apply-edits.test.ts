import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import * as fs from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { applyEdits } from "../../../src/agent/edits/apply.js";
import type { Edit } from "../../../src/agent/edits/edit.js";
import { parseEdits } from "../../../src/agent/edits/parse-edits.js";
import type { EditFileSystem } from "../../../src/agent/edits/staged-files.js";

const folders: string[] = [];

afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function worktreeWith(files: Record<string, string | Buffer>): string {
  const directory = mkdtempSync(path.join(tmpdir(), "magic-edit-"));
  folders.push(directory);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(directory, name)), { recursive: true });
    writeFileSync(path.join(directory, name), content);
  }
  return directory;
}

function edits(reply: string): Edit[] {
  const parsed = parseEdits(reply);
  expect(parsed.errors).toEqual([]);
  return parsed.edits;
}

function block(filePath: string, search: string, replace: string): string {
  return `${filePath}\n<<<<<<< SEARCH\n${search}\n=======\n${replace}\n>>>>>>> REPLACE\n`;
}

const read = (worktree: string, name: string) => readFileSync(path.join(worktree, name), "utf8");

describe("applyEdits path safety", () => {
  test.each([
    ["../outside.js", "contains \"..\""],
    ["src/../../outside.js", "contains \"..\""],
    ["/etc/passwd", "absolute"],
    [".git/config", "inside .git"],
    ["sub/.git/hooks/pre-commit", "inside .git"],
    [".github/workflows/ci.yml", "protected"],
    ["link/escape.js", "symbolic link"],
  ])("%s rejected", async (filePath, message) => {
    const outside = mkdtempSync(path.join(tmpdir(), "magic-outside-"));
    folders.push(outside);
    const worktree = worktreeWith({ "a.js": "x\n", ".git/config": "[core]\n" });
    symlinkSync(outside, path.join(worktree, "link"));

    const result = await applyEdits(worktree, edits(`${filePath}\n<<<<<<< WRITE\nevil\n>>>>>>> WRITE\n`));

    expect(result.failures[0]?.code).toBe("unsafe-path");
    expect(result.errors[0]).toContain(message);
    expect(existsSync(path.join(outside, "escape.js"))).toBe(false);
    expect(read(worktree, ".git/config")).toBe("[core]\n");
  });

  test("symbolic link file not followed", async () => {
    const worktree = worktreeWith({ "real.js": "x\n" });
    symlinkSync("real.js", path.join(worktree, "alias.js"));

    const result = await applyEdits(worktree, edits(block("alias.js", "x", "y")));

    expect(result.failures[0]?.code).toBe("not-a-file");
    expect(read(worktree, "real.js")).toBe("x\n");
  });

  test("configured protected glob rejected", async () => {
    const worktree = worktreeWith({ "secrets/key.txt": "k\n" });

    const result = await applyEdits(worktree, edits(block("secrets/key.txt", "k", "leak")), { protectedPaths: ["secrets/**"] });

    expect(result.errors[0]).toContain("protected by the pattern secrets/**");
  });

  test("rename target checked too", async () => {
    const worktree = worktreeWith({ "a.yml": "on: push\n" });

    const result = await applyEdits(worktree, edits("a.yml\n<<<<<<< RENAME\n.github/workflows/a.yml\n>>>>>>> RENAME\n"));

    expect(result.failures[0]?.code).toBe("unsafe-path");
    expect(existsSync(path.join(worktree, "a.yml"))).toBe(true);
  });
});

describe("applyEdits file contents", () => {
  test("BOM and CRLF kept", async () => {
    const worktree = worktreeWith({ "a.cs": "\uFEFFclass A {\r\n  int x = 1;\r\n}\r\n" });

    const result = await applyEdits(worktree, edits(block("a.cs", "int x = 1;", "int x = 2;")));

    expect(result.errors).toEqual([]);
    expect(read(worktree, "a.cs")).toBe("\uFEFFclass A {\r\n  int x = 2;\r\n}\r\n");
  });

  test("binary file rejected unchanged", async () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x0a, 0x78, 0x0a]);
    const worktree = worktreeWith({ "logo.png": bytes });

    const result = await applyEdits(worktree, edits(block("logo.png", "x", "y")));

    expect(result.failures[0]?.code).toBe("binary-file");
    expect(readFileSync(path.join(worktree, "logo.png")).equals(bytes)).toBe(true);
  });

  test("Latin-1 file rejected unchanged", async () => {
    const bytes = Buffer.from("caf\xe9 = 1\n", "latin1");
    const worktree = worktreeWith({ "menu.txt": bytes });

    const result = await applyEdits(worktree, edits(block("menu.txt", "= 1", "= 2")));

    expect(result.failures[0]?.code).toBe("not-utf8");
    expect(result.errors[0]).toContain("not valid UTF-8");
    expect(readFileSync(path.join(worktree, "menu.txt")).equals(bytes)).toBe(true);
  });

  test("file mode kept", async () => {
    const worktree = worktreeWith({ "run.sh": "#!/bin/sh\necho one\n" });
    chmodSync(path.join(worktree, "run.sh"), 0o755);

    await applyEdits(worktree, edits(block("run.sh", "echo one", "echo two")));

    expect(read(worktree, "run.sh")).toBe("#!/bin/sh\necho two\n");
    expect(statSync(path.join(worktree, "run.sh")).mode & 0o777).toBe(0o755);
  });

  test("write keeps line endings and missing newline", async () => {
    const worktree = worktreeWith({ "a.txt": "one\r\ntwo" });

    await applyEdits(worktree, edits("a.txt\n<<<<<<< WRITE\nuno\ndos\ntres\n>>>>>>> WRITE\n"));

    expect(read(worktree, "a.txt")).toBe("uno\r\ndos\r\ntres");
  });

  test("later block sees earlier block", async () => {
    const worktree = worktreeWith({ "a.js": "let a = 1;\n" });

    const result = await applyEdits(worktree, edits(block("a.js", "let a = 1;", "let a = 2;") + block("a.js", "let a = 2;", "let a = 3;")));

    expect(result.changedFiles).toEqual(["a.js"]);
    expect(read(worktree, "a.js")).toBe("let a = 3;\n");
  });
});

describe("applyEdits file operations", () => {
  test("create, delete and rename", async () => {
    const worktree = worktreeWith({ "old.txt": "gone\n", "move.txt": "moving\n" });
    chmodSync(path.join(worktree, "move.txt"), 0o755);
    const reply = "new/dir/made.txt\n<<<<<<< CREATE\nhello\n>>>>>>> CREATE\nold.txt\n<<<<<<< DELETE\nmove.txt\n<<<<<<< RENAME\nmoved/here.txt\n>>>>>>> RENAME\n";

    const result = await applyEdits(worktree, edits(reply));

    expect(result.errors).toEqual([]);
    expect(result.changedFiles).toEqual(["new/dir/made.txt", "old.txt", "move.txt", "moved/here.txt"]);
    expect(read(worktree, "new/dir/made.txt")).toBe("hello\n");
    expect(existsSync(path.join(worktree, "old.txt"))).toBe(false);
    expect(existsSync(path.join(worktree, "move.txt"))).toBe(false);
    expect(read(worktree, "moved/here.txt")).toBe("moving\n");
    expect(statSync(path.join(worktree, "moved/here.txt")).mode & 0o777).toBe(0o755);
  });

  test("diff creates executable file", async () => {
    const worktree = worktreeWith({});

    await applyEdits(worktree, edits("diff --git a/run.sh b/run.sh\nnew file mode 100755\n--- /dev/null\n+++ b/run.sh\n@@ -0,0 +1 @@\n+echo hi\n"));

    expect(statSync(path.join(worktree, "run.sh")).mode & 0o777).toBe(0o755);
  });

  test.each([
    ["create over existing file", "a.txt\n<<<<<<< CREATE\nx\n>>>>>>> CREATE\n", "file-exists"],
    ["delete of missing file", "none.txt\n<<<<<<< DELETE\n", "file-missing"],
    ["rename onto existing file", "a.txt\n<<<<<<< RENAME\nb.txt\n>>>>>>> RENAME\n", "file-exists"],
    ["edit of a directory", block("dir", "x", "y"), "not-a-file"],
  ])("%s rejected", async (_name, reply, code) => {
    const worktree = worktreeWith({ "a.txt": "a\n", "b.txt": "b\n", "dir/inner.txt": "x\n" });

    const result = await applyEdits(worktree, edits(reply));

    expect(result.failures.map((failure) => failure.code)).toEqual([code]);
    expect(read(worktree, "a.txt")).toBe("a\n");
    expect(read(worktree, "b.txt")).toBe("b\n");
  });

  test("git rename with a hunk", async () => {
    const worktree = worktreeWith({ "a.txt": "one\ntwo\n" });
    const reply = "diff --git a/a.txt b/b.txt\nrename from a.txt\nrename to b.txt\n--- a/a.txt\n+++ b/b.txt\n@@ -1,2 +1,2 @@\n one\n-two\n+2\n";

    const result = await applyEdits(worktree, edits(reply));

    expect(result.changedFiles).toEqual(["a.txt", "b.txt"]);
    expect(existsSync(path.join(worktree, "a.txt"))).toBe(false);
    expect(read(worktree, "b.txt")).toBe("one\n2\n");
  });

  test("create then edit in one step", async () => {
    const worktree = worktreeWith({});

    await applyEdits(worktree, edits("n.js\n<<<<<<< CREATE\nlet n = 1;\n>>>>>>> CREATE\n" + block("n.js", "let n = 1;", "let n = 2;")));

    expect(read(worktree, "n.js")).toBe("let n = 2;\n");
  });
});

describe("applyEdits atomicity", () => {
  test("one failed block writes nothing", async () => {
    const worktree = worktreeWith({ "a.js": "alpha\n", "b.js": "beta\n" });

    const result = await applyEdits(worktree, edits(block("a.js", "alpha", "ALPHA") + "new.js\n<<<<<<< CREATE\nx\n>>>>>>> CREATE\n" + block("b.js", "gamma", "GAMMA")));

    expect(result.changedFiles).toEqual([]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toContain("Block 3 (b.js)");
    expect(read(worktree, "a.js")).toBe("alpha\n");
    expect(existsSync(path.join(worktree, "new.js"))).toBe(false);
  });

  test("write failure restores written files", async () => {
    const worktree = worktreeWith({ "a.js": "alpha\n", "b.js": "beta\n", "c.js": "gamma\n" });
    let renames = 0;
    const failingSecondRename: EditFileSystem = {
      ...fs,
      rename: async (from, to) => {
        if (++renames === 2) throw Object.assign(new Error("disk full"), { code: "ENOSPC" });
        await fs.rename(from, to);
      },
    };
    const reply = block("a.js", "alpha", "ALPHA") + block("b.js", "beta", "BETA") + "c.js\n<<<<<<< DELETE\nd/e.js\n<<<<<<< CREATE\nnew\n>>>>>>> CREATE\n";

    await expect(applyEdits(worktree, edits(reply), { fileSystem: failingSecondRename })).rejects.toThrow("disk full");

    expect(read(worktree, "a.js")).toBe("alpha\n");
    expect(read(worktree, "b.js")).toBe("beta\n");
    expect(read(worktree, "c.js")).toBe("gamma\n");
    expect(existsSync(path.join(worktree, "d"))).toBe(false);
    expect((await fs.readdir(worktree)).sort()).toEqual(["a.js", "b.js", "c.js"]);
  });
});
