import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { fallbackBranchNames } from "../../src/run/run-request.js";
import { WorkspaceManager } from "../../src/workspace/workspace-manager.js";
import type { Worktree } from "../../src/workspace/worktree.js";
import { type BareRemote, createBareRemote, git, writeFiles } from "../helpers/git-repository.js";
import { startHttpRemote } from "./http-remote.js";
import { captureLog, filesContaining, makeTemporaryFolder } from "./fixtures.js";

const FILES = {
  "README.md": "# demo\n",
  "src/math.js": "export function add(a, b) {\n  return a - b;\n}\n",
};
const BRANCH = "magic/issue-7";

/** Adds one commit to `branch` of the remote as another person would, and returns it. */
function pushAsSomeoneElse(remote: BareRemote, branch: string, files: Record<string, string>, message: string): string {
  const checkout = remote.checkout(branch);
  writeFiles(checkout, files);
  git(checkout, "add", "--all");
  git(checkout, "commit", "--quiet", "-m", message);
  git(checkout, "push", "--quiet", "origin", `HEAD:${branch}`);
  return git(checkout, "rev-parse", "HEAD").trim();
}

function branchLog(remote: BareRemote, branch: string): string[] {
  return git(remote.directory, "log", "--format=%s", branch).trim().split("\n");
}

describe("Worktree.pushOnto", () => {
  let remote: BareRemote;
  let work: ReturnType<typeof makeTemporaryFolder>;
  let worktree: Worktree;

  beforeEach(async () => {
    remote = createBareRemote(FILES);
    work = makeTemporaryFolder("magic-push-onto-");
    worktree = await openWorktree(remote.url, "main");
  });

  afterEach(async () => {
    await worktree.remove();
    remote.cleanup();
    work.cleanup();
  });

  async function openWorktree(url: string, baseBranch: string, token?: string, name = "run-1"): Promise<Worktree> {
    const workspaces = new WorkspaceManager({ workDir: work.directory, maxMirrorBytes: 1e9, log: captureLog().log, spareWorktrees: false });
    const mirror = await workspaces.openMirror({ cloneUrl: url, token });
    return mirror.createWorktree({ name, baseBranch });
  }

  async function commitFix(target: Worktree): Promise<void> {
    writeFiles(target.directory, { "src/math.js": FILES["src/math.js"].replace("a - b", "a + b") });
    await target.commitAll("Fix add");
  }

  test("new branch pushed", async () => {
    await commitFix(worktree);

    const result = await worktree.pushOnto(BRANCH, undefined, { fallbackBranches: () => fallbackBranchNames(7) });

    expect(result).toEqual({ branch: BRANCH, rebased: false, conflict: false });
    expect(branchLog(remote, BRANCH)).toEqual(["Fix add", "Initial commit"]);
  });

  test("unmoved branch fast-forwarded", async () => {
    await commitFix(worktree);
    await worktree.pushOnto(BRANCH, undefined, { fallbackBranches: () => fallbackBranchNames(7) });
    writeFiles(worktree.directory, { "src/extra.js": "export const extra = 1;\n" });
    await worktree.commitAll("Add extra");

    const result = await worktree.pushOnto(BRANCH, undefined, { fallbackBranches: () => fallbackBranchNames(7) });

    expect(result).toEqual({ branch: BRANCH, rebased: false, conflict: false });
    expect(branchLog(remote, BRANCH)).toEqual(["Add extra", "Fix add", "Initial commit"]);
  });

  test("other person's commit kept by rebase", async () => {
    await commitFix(worktree);
    await worktree.pushOnto(BRANCH, undefined, { fallbackBranches: () => fallbackBranchNames(7) });
    const theirs = pushAsSomeoneElse(remote, BRANCH, { "docs/usage.md": "Call add(a, b).\n" }, "Document add");
    writeFiles(worktree.directory, { "src/math.js": "export function add(a, b) {\n  return a + b; // sum\n}\n" });
    await worktree.commitAll("Comment add");

    const result = await worktree.pushOnto(BRANCH, undefined, { fallbackBranches: () => fallbackBranchNames(7) });

    expect(result).toEqual({ branch: BRANCH, rebased: true, conflict: false });
    expect(branchLog(remote, BRANCH)).toEqual(["Comment add", "Document add", "Fix add", "Initial commit"]);
    expect(git(remote.directory, "rev-parse", `${BRANCH}~1`).trim()).toBe(theirs);
    expect(remote.readFile(BRANCH, "docs/usage.md")).toBe("Call add(a, b).\n");
    expect(remote.readFile(BRANCH, "src/math.js")).toContain("return a + b; // sum");
    expect(git(worktree.directory, "status", "--porcelain")).toBe("");
  });

  test("branch started elsewhere rebased without its base", async () => {
    git(remote.directory, "branch", BRANCH, "main");
    pushAsSomeoneElse(remote, BRANCH, { "docs/usage.md": "Call add(a, b).\n" }, "Document add");
    pushAsSomeoneElse(remote, "main", { "README.md": "# demo 2\n" }, "Retitle");
    await worktree.remove();
    worktree = await openWorktree(remote.url, "main", undefined, "run-2");
    await commitFix(worktree);

    const result = await worktree.pushOnto(BRANCH, undefined, { fallbackBranches: () => fallbackBranchNames(7) });

    expect(result).toEqual({ branch: BRANCH, rebased: true, conflict: false });
    expect(branchLog(remote, BRANCH)).toEqual(["Fix add", "Document add", "Initial commit"]);
  });

  test("conflict goes to fallback branch", async () => {
    await commitFix(worktree);
    await worktree.pushOnto(BRANCH, undefined, { fallbackBranches: () => fallbackBranchNames(7) });
    const theirs = pushAsSomeoneElse(remote, BRANCH, { "src/math.js": "export function add(a, b) {\n  return b + a;\n}\n" }, "Swap operands");
    writeFiles(worktree.directory, { "src/math.js": "export function add(a, b) {\n  return Number(a) + Number(b);\n}\n" });
    await worktree.commitAll("Convert operands");
    const head = git(worktree.directory, "rev-parse", "HEAD").trim();
    git(remote.directory, "branch", `${BRANCH}-2`, theirs);

    const result = await worktree.pushOnto(BRANCH, undefined, { fallbackBranches: () => fallbackBranchNames(7) });

    expect(result).toEqual({ branch: `${BRANCH}-3`, rebased: false, conflict: true });
    expect(git(remote.directory, "rev-parse", BRANCH).trim()).toBe(theirs);
    expect(git(remote.directory, "rev-parse", `${BRANCH}-2`).trim()).toBe(theirs);
    expect(git(remote.directory, "rev-parse", `${BRANCH}-3`).trim()).toBe(head);
    expect(git(worktree.directory, "rev-parse", "HEAD").trim()).toBe(head);
    expect(git(worktree.directory, "status", "--porcelain")).toBe("");
    expect(readFileSync(path.join(worktree.directory, "src/math.js"), "utf8")).toContain("Number(a) + Number(b)");
  });

  test("branch moved before push retried", async () => {
    await commitFix(worktree);
    await worktree.pushOnto(BRANCH, undefined, { fallbackBranches: () => fallbackBranchNames(7) });
    const theirs = pushAsSomeoneElse(remote, BRANCH, { "src/math.js": "export const add = (a, b) => b + a;\n" }, "Swap operands");
    writeFiles(worktree.directory, { "src/math.js": "export const add = (a, b) => a + b + 0;\n" });
    await worktree.commitAll("Convert operands");
    let moves = 0;
    // Someone creates the first fallback branch after the app listed the remote's branches.
    function* racingFallbacks(): Generator<string> {
      for (const name of fallbackBranchNames(7)) {
        if (moves++ === 0) git(remote.directory, "branch", name, theirs);
        yield name;
      }
    }

    const result = await worktree.pushOnto(BRANCH, undefined, { fallbackBranches: racingFallbacks });

    expect(result).toEqual({ branch: `${BRANCH}-3`, rebased: false, conflict: true });
    expect(git(remote.directory, "rev-parse", `${BRANCH}-2`).trim()).toBe(theirs);
    expect(branchLog(remote, `${BRANCH}-3`)[0]).toBe("Convert operands");
  });

  test("worktree starts from pull request branch", async () => {
    await commitFix(worktree);
    await worktree.pushOnto(BRANCH, undefined, { fallbackBranches: () => fallbackBranchNames(7) });
    const branchTip = git(remote.directory, "rev-parse", BRANCH).trim();

    const continued = await openWorktree(remote.url, BRANCH, undefined, "run-2");

    try {
      expect(continued.baseCommit).toBe(branchTip);
      expect(readFileSync(path.join(continued.directory, "src/math.js"), "utf8")).toContain("a + b");
    } finally {
      await continued.remove();
    }
  });

  test("invalid branch rejected", async () => {
    await expect(worktree.pushOnto("--force", undefined, { fallbackBranches: () => [] })).rejects.toThrow('Branch name "--force" is invalid');
  });

  test("no free fallback reported", async () => {
    await commitFix(worktree);
    await worktree.pushOnto(BRANCH, undefined, { fallbackBranches: () => [] });
    pushAsSomeoneElse(remote, BRANCH, { "src/math.js": "conflict\n" }, "Replace math");
    writeFiles(worktree.directory, { "src/math.js": "other\n" });
    await worktree.commitAll("Rewrite math");

    await expect(worktree.pushOnto(BRANCH, undefined, { fallbackBranches: () => [BRANCH] })).rejects.toThrow("No fallback branch is free: all 1 names checked exist on the remote");
    expect(remote.readFile(BRANCH, "src/math.js")).toBe("conflict\n");
  });

  test("pull request branch continued over HTTP with a token", async () => {
    await commitFix(worktree);
    await worktree.pushOnto(BRANCH, undefined, { fallbackBranches: () => fallbackBranchNames(7) });
    const branchTip = git(remote.directory, "rev-parse", BRANCH).trim();
    await worktree.remove();
    const token = "ghs_pushOntoSecret123";
    const server = await startHttpRemote({ repository: remote.directory, token });
    git(remote.directory, "config", "http.receivepack", "true");
    try {
      worktree = await openWorktree(server.url, BRANCH, token, "run-2");
      pushAsSomeoneElse(remote, BRANCH, { "docs/usage.md": "Call add(a, b).\n" }, "Document add");
      writeFiles(worktree.directory, { "src/extra.js": "export const extra = 1;\n" });
      await worktree.commitAll("Add extra");

      const result = await worktree.pushOnto(BRANCH, token, { fallbackBranches: () => fallbackBranchNames(7) });

      expect(worktree.baseCommit).toBe(branchTip);
      expect(result).toEqual({ branch: BRANCH, rebased: true, conflict: false });
      expect(branchLog(remote, BRANCH)).toEqual(["Add extra", "Document add", "Fix add", "Initial commit"]);
      expect(server.requests.every((request) => request.authorization !== undefined)).toBe(true);
      expect(filesContaining(work.directory, [token, Buffer.from(`x-access-token:${token}`).toString("base64")])).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

describe("fallbackBranchNames", () => {
  test("numbers start at two", () => {
    const names = fallbackBranchNames(12);

    expect([names.next().value, names.next().value, names.next().value]).toEqual(["magic/issue-12-2", "magic/issue-12-3", "magic/issue-12-4"]);
  });
});
