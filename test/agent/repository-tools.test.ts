import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { listFolder, readFileRange, searchCode } from "../../src/agent/tools/repository-tools.js";

function repository(): string {
  const root = mkdtempSync(path.join(tmpdir(), "magic-tools-"));
  mkdirSync(path.join(root, "src"));
  mkdirSync(path.join(root, ".git"));
  writeFileSync(path.join(root, "src/math.js"), Array.from({ length: 500 }, (_, index) => `const line${index + 1} = ${index + 1};`).join("\n") + "\n");
  writeFileSync(path.join(root, "src/add.js"), "export function add(a, b) {\n  return a - b;\n}\n");
  writeFileSync(path.join(root, "README.md"), "# demo\n");
  writeFileSync(path.join(root, "image.bin"), Buffer.from([0, 1, 2]));
  symlinkSync(tmpdir(), path.join(root, "outside"));
  return root;
}

describe("repository tools", () => {
  const root = repository();

  test("read range with line numbers", async () => {
    const result = await readFileRange(root, "src/add.js", 2, 2);

    expect(result).toEqual({ ok: true, text: "src/add.js (lines 2-2 of 3)\n2|   return a - b;" });
  });

  test("read capped and continuation named", async () => {
    const result = await readFileRange(root, "src/math.js");

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.text).toContain("lines 1-400 of 500");
    expect(result.text).toContain("start_line 401");
  });

  test.each([
    ["../etc/passwd", 'contains ".."'],
    ["/etc/passwd", "absolute"],
    [".git/config", "inside .git"],
    ["outside/anything", "symbolic link"],
    ["missing.js", "does not exist"],
    ["image.bin", "binary"],
    ["src", "is a folder"],
  ])("read %s rejected", async (requested, message) => {
    const result = await readFileRange(root, requested);

    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.error).toContain(message);
  });

  test("list folder hides .git", async () => {
    const result = await listFolder(root, ".");

    expect(result).toEqual({ ok: true, text: ".:\nsrc/\nREADME.md\nimage.bin\noutside (symbolic link)" });
  });

  test("search finds matches with lines", async () => {
    const result = await searchCode(root, "return a - b", { path: "src" });

    expect(result).toEqual({ ok: true, text: "src/add.js:2:  return a - b;" });
  });

  test("search without matches says so", async () => {
    const result = await searchCode(root, "nothing-like-this");

    expect(result).toEqual({ ok: true, text: 'No matches for "nothing-like-this".' });
  });

  test("invalid regular expression reported", async () => {
    const result = await searchCode(root, "(unclosed");

    expect(result.ok).toBe(false);
    expect(result.ok ? "" : result.error).toContain("The search failed");
  });
});
