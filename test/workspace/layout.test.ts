import { describe, expect, test } from "vitest";
import { checkBranchName, mirrorKey, parseCloneUrl } from "../../src/workspace/layout.js";

describe("mirrorKey", () => {
  test("readable and stable", () => {
    const key = mirrorKey(parseCloneUrl("https://github.com/octo-org/calculator.git"));

    expect(key).toMatch(/^github\.com-octo-org-calculator-[0-9a-f]{12}$/);
    expect(mirrorKey(parseCloneUrl("https://github.com/octo-org/calculator.git"))).toBe(key);
  });

  test("distinct for similar URLs", () => {
    const keys = ["https://github.com/a/b-c.git", "https://github.com/a-b/c.git", "https://github.com/a/b/c.git", "http://github.com/a/b-c.git"].map((url) =>
      mirrorKey(parseCloneUrl(url)),
    );

    expect(new Set(keys).size).toBe(keys.length);
  });

  test("safe folder name for odd paths", () => {
    const key = mirrorKey(parseCloneUrl("file:///tmp/../weird path/repo.git"));

    expect(key).toMatch(/^[A-Za-z0-9][A-Za-z0-9._-]*$/);
    expect(key).not.toContain("..");
  });
});

describe("checkBranchName", () => {
  test.each([["main"], ["release/1.2"], ["feature_x-y"], ["magic/issue-12"]])("%s accepted", (branch) => {
    expect(() => checkBranchName(branch)).not.toThrow();
  });

  test.each([["-f"], ["a..b"], ["a b"], ["a~1"], ["a:b"], [".hidden"], ["x/.y"], ["x.lock"], ["x/"], ["a@{1}"], ["@"], [""], ["a\nb"]])("%j rejected", (branch) => {
    expect(() => checkBranchName(branch)).toThrow("is invalid");
  });
});
