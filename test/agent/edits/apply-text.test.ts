import { describe, expect, test } from "vitest";
import { applyDiff, applySearchReplace } from "../../../src/agent/edits/apply-text.js";
import type { DiffEdit, EditFailureCode, EditResult } from "../../../src/agent/edits/edit.js";
import { parseEdits } from "../../../src/agent/edits/parse-edits.js";
import { decodeText, documentText, type TextDocument } from "../../../src/agent/edits/text-document.js";

function documentOf(text: string): TextDocument {
  const decoded = decodeText(Buffer.from(text, "utf8"));
  if (!decoded.ok) throw new Error(decoded.failure.message);
  return decoded.value;
}

function replace(file: string | undefined, search: string, replacement: string): EditResult<TextDocument> {
  return applySearchReplace(file === undefined ? undefined : documentOf(file), { kind: "search-replace", blockNumber: 1, path: "f", search, replace: replacement });
}

function diff(file: string, diffText: string): EditResult<TextDocument> {
  const parsed = parseEdits(diffText);
  expect(parsed.errors).toEqual([]);
  return applyDiff(documentOf(file), parsed.edits[0] as DiffEdit);
}

function textOf(result: EditResult<TextDocument>): string {
  if (!result.ok) throw new Error(`expected success, got ${result.failure.code}: ${result.failure.message}`);
  return documentText(result.value);
}

function failureOf(result: EditResult<TextDocument>): { code: EditFailureCode; message: string } {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(documentText(result.value))}`);
  return result.failure;
}

const NESTED = "function a() {\n  if (x) {\n    return 1;\n  }\n}\n\nfunction b() {\n  return 2;\n}\n";

describe("search/replace matching", () => {
  test.each([
    ["exact match", "one\ntwo\nthree\n", "two", "2", "one\n2\nthree\n"],
    ["file has trailing whitespace", "one\ntwo  \nthree\n", "one\ntwo\nthree", "one\nTWO\nthree", "one\nTWO\nthree\n"],
    ["search has trailing whitespace", "one\ntwo\n", "one \ntwo\t", "one\n2", "one\n2\n"],
    ["kept line keeps file whitespace", "a  \nb\n", "a\nb", "a\nB", "a  \nB\n"],
    ["stripped indentation re-indented", NESTED, "if (x) {\n  return 1;\n}", "if (x) {\n  return 10;\n}", NESTED.replace("return 1;", "return 10;")],
    ["extra indentation re-indented", NESTED, "      return 2;", "      log();\n      return 2;", NESTED.replace("  return 2;", "  log();\n  return 2;")],
    ["dedented added line keeps its distance", "class A:\n    def f(self):\n        return 1\n", "      def f(self):\n          return 1", "      def f(self):\n          return 1\n  def g():\n      pass", "class A:\n    def f(self):\n        return 1\ndef g():\n    pass\n"],
    ["tab indentation re-indented", "f() {\n\tif (y) {\n\t\tgo();\n\t}\n}\n", "if (y) {\n\tgo();\n}", "if (y) {\n\tgo(1);\n}", "f() {\n\tif (y) {\n\t\tgo(1);\n\t}\n}\n"],
    ["elided middle", NESTED, "function a() {\n  ...\n    return 1;", "function first() {\n  ...\n    return 1;", NESTED.replace("function a()", "function first()")],
    ["comment elision", NESTED, "function b() {\n// ... existing code ...\n}", "function second() {\n// ... existing code ...\n}", NESTED.replace("function b()", "function second()")],
    ["literal dots matched first", "x = [\n...\n]\n", "x = [\n...\n]", "x = []", "x = []\n"],
    ["exact match wins over trailing-whitespace match", "go();  \ngo();\n", "go();", "stop();", "go();  \nstop();\n"],
    ["loose match trims new trailing whitespace", "a  \nb\n", "a\nb", "a\nc  \nb", "a  \nc\nb\n"],
    ["exact match keeps new trailing whitespace", "a\nb\n", "a\nb", "a\nc  \nb", "a\nc  \nb\n"],
    ["blank last search line narrows match", "}\nx\n}\n\ny\n", "}\n\n", "}\n// end\n\n", "}\nx\n}\n// end\n\ny\n"],
  ])("%s", (_name, file, search, replacement, expected) => {
    expect(textOf(replace(file, search, replacement))).toBe(expected);
  });

  test("search matching twice lists both lines", () => {
    const failure = failureOf(replace("x = 1\ny = 2\nx = 1\n", "x = 1", "x = 3"));

    expect(failure.code).toBe("ambiguous");
    expect(failure.message).toContain("matches 2 places");
    expect(failure.message).toContain("lines 1, 3");
  });

  test("indentation-insensitive ambiguity named", () => {
    const failure = failureOf(replace("  a();\n    a();\n", "a();", "b();"));

    expect(failure.code).toBe("ambiguous");
    expect(failure.message).toContain("ignoring indentation");
  });

  test("elision with several possible ends rejected", () => {
    const failure = failureOf(replace(NESTED, "function a() {\n...\n}", "function a2() {\n...\n}"));

    expect(failure.code).toBe("ambiguous");
  });

  test("elision count mismatch rejected", () => {
    const failure = failureOf(replace(NESTED, "function a() {\n...\n}", "function a2() {}"));

    expect(failure.code).toBe("invalid-edit");
    expect(failure.message).toContain('"..."');
  });

  test("missing text shows closest lines and diff", () => {
    const failure = failureOf(replace(NESTED, "function b() {\n  return 3;\n}", "x"));

    expect(failure.code).toBe("not-found");
    expect(failure.message).toContain("closest lines in the file are 7-9");
    expect(failure.message).toContain("8 |   return 2;");
    expect(failure.message).toContain("-   return 2;");
    expect(failure.message).toContain("+   return 3;");
  });

  test("whitespace-only difference explained", () => {
    const failure = failureOf(replace("a\n  b\n c\n", "a\nb\nc", "x"));

    expect(failure.message).toContain("differ only in whitespace");
  });
});

describe("search/replace file shape", () => {
  test("CRLF file edited with LF search keeps CRLF", () => {
    const result = replace("one\r\ntwo\r\nthree\r\n", "one\ntwo", "one\nzwei\nzwei");

    expect(textOf(result)).toBe("one\r\nzwei\r\nzwei\r\nthree\r\n");
  });

  test("mixed line endings kept outside the edit", () => {
    const result = replace("a\r\nb\nc\r\nd\n", "c", "C");

    expect(textOf(result)).toBe("a\r\nb\nC\r\nd\n");
  });

  test("missing trailing newline kept on last line edit", () => {
    expect(textOf(replace("a\nb", "b", "B"))).toBe("a\nB");
  });

  test("missing trailing newline kept after appended lines", () => {
    expect(textOf(replace("a\nb", "b", "b\nc"))).toBe("a\nb\nc");
  });

  test("BOM kept", () => {
    expect(textOf(replace("\uFEFFa\nb\n", "a", "A"))).toBe("\uFEFFA\nb\n");
  });

  test("empty search creates missing file", () => {
    expect(textOf(replace(undefined, "", "new"))).toBe("new\n");
  });

  test("empty search on existing content rejected", () => {
    expect(failureOf(replace("x\n", "", "y")).code).toBe("invalid-edit");
  });

  test("search in missing file rejected", () => {
    expect(failureOf(replace(undefined, "x", "y")).code).toBe("file-missing");
  });
});

describe("unified diff placement", () => {
  const file = "import a\n\ndef f():\n    x = 1\n    y = 2\n    return x + y\n\ndef g():\n    return 0\n";
  const clean = "--- a/m.py\n+++ b/m.py\n@@ -3,4 +3,4 @@\n def f():\n     x = 1\n-    y = 2\n+    y = 3\n     return x + y\n";
  const expected = file.replace("y = 2", "y = 3");

  test.each([
    ["correct numbers", clean],
    ["shifted numbers", clean.replace("@@ -3,4 +3,4 @@", "@@ -40,4 +41,4 @@")],
    ["no numbers", clean.replace("@@ -3,4 +3,4 @@", "@@ @@")],
    ["bare @@ line", clean.replace("@@ -3,4 +3,4 @@", "@@")],
    ["wrong counts", clean.replace("@@ -3,4 +3,4 @@", "@@ -3,9 +3,2 @@")],
    ["missing context", "--- a/m.py\n+++ b/m.py\n@@ -5 +5 @@\n-    y = 2\n+    y = 3\n"],
    ["extra context", clean.replace(" def f():\n", " import a\n \n def f():\n") + " \n"],
    ["invented context line", clean.replace(" def f():\n", " # helpers\n def f():\n")],
    ["stripped indentation", "--- a/m.py\n+++ b/m.py\n@@ -4,3 +4,3 @@\n x = 1\n-y = 2\n+y = 3\n return x + y\n"],
    ["blank context without space", clean.replace("@@ -3,4 +3,4 @@\n", "@@ -2,5 +2,5 @@\n\n")],
    ["elided context", "--- a/m.py\n+++ b/m.py\n@@ -3,4 +3,4 @@\n def f():\n ...\n-    y = 2\n+    y = 3\n"],
  ])("%s", (_name, diffText) => {
    expect(textOf(diff(file, diffText))).toBe(expected);
  });

  test("hunks placed against the original", () => {
    const twoHunks = "--- a/m.py\n+++ b/m.py\n@@ -1 +1 @@\n-import a\n+import b\n@@ -8,2 +8,2 @@\n def g():\n-    return 0\n+    return 1\n";

    expect(textOf(diff(file, twoHunks))).toBe(file.replace("import a", "import b").replace("return 0", "return 1"));
  });

  test("ambiguous hunk lists lines", () => {
    const repeated = "x\nend\ny\nend\n";
    const failure = failureOf(diff(repeated, "--- a/r\n+++ b/r\n@@ -2 +2 @@\n-end\n+stop\n"));

    expect(failure.code).toBe("ambiguous");
    expect(failure.message).toContain("hunk 1 (@@ -2 +2 @@)");
    expect(failure.message).toContain("lines 2, 4");
  });

  test("overlapping hunks rejected", () => {
    const failure = failureOf(diff(file, "--- a/m.py\n+++ b/m.py\n@@ -5 +5 @@\n-    y = 2\n+    y = 3\n@@ -5 +5 @@\n-    y = 2\n+    y = 4\n"));

    expect(failure.code).toBe("overlapping-hunks");
  });

  test("unknown hunk names closest lines", () => {
    const failure = failureOf(diff(file, "--- a/m.py\n+++ b/m.py\n@@ -5 +5 @@\n-    z = 2\n+    z = 3\n"));

    expect(failure.code).toBe("not-found");
    expect(failure.message).toContain("hunk 1 (@@ -5 +5 @@)");
  });

  test("CRLF file patched with LF diff", () => {
    const crlf = file.replace(/\n/g, "\r\n");

    expect(textOf(diff(crlf, clean))).toBe(expected.replace(/\n/g, "\r\n"));
  });

  test("no-newline marker adds a newline", () => {
    const result = diff("a\nb", "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n");

    expect(textOf(result)).toBe("a\nb\n");
  });

  test("no-newline marker removes the newline", () => {
    const result = diff("a\nb\n", "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n\\ No newline at end of file\n");

    expect(textOf(result)).toBe("a\nc");
  });

  test("missing newline kept without marker", () => {
    expect(textOf(diff("a\nb", "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n"))).toBe("a\nc");
  });

  test("insertion without context rejected", () => {
    const failure = failureOf(diff(file, "--- a/m.py\n+++ b/m.py\n@@ -3,0 +4 @@\n+# new\n"));

    expect(failure.code).toBe("invalid-edit");
  });

  test("insertion into empty file", () => {
    expect(textOf(diff("", "--- a/e\n+++ b/e\n@@ -0,0 +1,2 @@\n+one\n+two\n"))).toBe("one\ntwo\n");
  });
});

describe("decodeText", () => {
  test("binary rejected", () => {
    const decoded = decodeText(Buffer.from([0x50, 0x4e, 0x47, 0x00, 0x01]));

    expect(decoded.ok ? "ok" : decoded.failure.code).toBe("binary-file");
  });

  test("Latin-1 rejected", () => {
    const decoded = decodeText(Buffer.from("caf\xe9\n", "latin1"));

    expect(decoded.ok ? "ok" : decoded.failure.code).toBe("not-utf8");
  });
});
