import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { WorkspaceManager } from "../../src/workspace/workspace-manager.js";
import { type BareRemote, createBareRemote, git, writeFiles } from "../helpers/git-repository.js";
import { captureLog, commitToRemote, listTree, makeTemporaryFolder } from "./fixtures.js";

const FILES = {
  "README.md": "# demo\n",
  "src/math.js": "export function add(a, b) {\n  return a - b;\n}\n",
  "src/old.js": "export const old = true;\n",
};

/** Writes a filter program that leaves a marker file when git runs it. */
function writeMarkerProgram(folder: string): { marker: string; script: string } {
  const marker = path.join(folder, "program-ran");
  const script = path.join(folder, "evil.sh");
  writeFileSync(script, `#!/bin/sh\ntouch '${marker}'\ncat\n`, { mode: 0o755 });
  return { marker, script };
}

describe("Mirror.createWorktree", () => {
  let remote: BareRemote;
  let work: ReturnType<typeof makeTemporaryFolder>;

  beforeEach(() => {
    remote = createBareRemote(FILES);
    work = makeTemporaryFolder("magic-worktree-");
  });

  afterEach(() => {
    remote.cleanup();
    work.cleanup();
  });

  function manager(options: { spares?: boolean; log?: ReturnType<typeof captureLog>["log"] } = {}) {
    return new WorkspaceManager({ workDir: work.directory, maxMirrorBytes: 1e9, log: options.log ?? captureLog().log, spareWorktrees: options.spares ?? false });
  }

  test("worktree created and removed", async () => {
    const mirror = await manager().openMirror({ cloneUrl: remote.url });

    const worktree = await mirror.createWorktree({ name: "run-1", baseBranch: "main" });

    expect(worktree.baseCommit).toBe(git(remote.directory, "rev-parse", "main").trim());
    expect(listTree(worktree.directory).filter((file) => file !== ".git").sort()).toEqual(Object.keys(FILES).sort());
    expect(git(worktree.directory, "status", "--porcelain")).toBe("");
    expect(git(mirror.directory, "worktree", "list")).toContain(worktree.directory);

    await worktree.remove();

    expect(existsSync(worktree.directory)).toBe(false);
    expect(existsSync(`${worktree.directory}.lease`)).toBe(false);
    expect(git(mirror.directory, "worktree", "list").trim().split("\n")).toHaveLength(1);
    await worktree.remove();
  });

  test("duplicate worktree name rejected", async () => {
    const mirror = await manager().openMirror({ cloneUrl: remote.url });
    const worktree = await mirror.createWorktree({ name: "run-1", baseBranch: "main" });

    await expect(mirror.createWorktree({ name: "run-1", baseBranch: "main" })).rejects.toThrow("Worktree run-1 is already in use by another run");
    expect(readFileSync(path.join(worktree.directory, "README.md"), "utf8")).toBe(FILES["README.md"]);
    await worktree.remove();
  });

  test.each([["../escape"], [".spare-x"], [""], ["a/b"]])("worktree name %j rejected", async (name) => {
    const mirror = await manager().openMirror({ cloneUrl: remote.url });

    await expect(mirror.createWorktree({ name, baseBranch: "main" })).rejects.toThrow("is invalid");
  });

  test.each([["--upload-pack=touch pwned"], ["main..other"], ["feature branch"]])("base branch %j rejected", async (baseBranch) => {
    const mirror = await manager().openMirror({ cloneUrl: remote.url });

    await expect(mirror.createWorktree({ name: "run-1", baseBranch })).rejects.toThrow(`Branch name "${baseBranch}" is invalid`);
  });

  test("diff, commit and push of changes", async () => {
    const mirror = await manager().openMirror({ cloneUrl: remote.url });
    const worktree = await mirror.createWorktree({ name: "run-1", baseBranch: "main" });
    expect(await worktree.commitAll("Nothing yet")).toBeUndefined();

    writeFiles(worktree.directory, { "src/math.js": FILES["src/math.js"].replace("a - b", "a + b"), "src/new.js": "export const added = 1;\n" });
    const changed = await worktree.changedFiles();
    const diff = await worktree.diff();
    const commit = await worktree.commitAll("Fix add");
    await worktree.push("magic/issue-1", undefined);

    expect(changed.sort()).toEqual(["src/math.js", "src/new.js"]);
    expect(diff).toContain("+  return a + b;");
    expect(diff).toContain("+export const added = 1;");
    expect(commit).toMatch(/^[0-9a-f]{40}$/);
    expect(remote.readFile("magic/issue-1", "src/math.js")).toContain("a + b");
    expect(git(remote.directory, "log", "-1", "--format=%an <%ae>%n%s", "magic/issue-1").trim()).toBe("magic-pr[bot] <magic-pr[bot]@users.noreply.github.com>\nFix add");
    await worktree.remove();
  });

  test("rewritten .git file is ignored", async () => {
    const mirror = await manager().openMirror({ cloneUrl: remote.url });
    const worktree = await mirror.createWorktree({ name: "run-1", baseBranch: "main" });
    const { marker, script } = writeMarkerProgram(work.directory);
    // Code in the worktree points .git at a repository of its own whose config names programs to run.
    const evil = path.join(worktree.directory, "evil-git");
    git(worktree.directory, "init", "--quiet", "--bare", evil);
    for (const [key, value] of [
      ["filter.evil.clean", script],
      ["filter.evil.smudge", script],
      ["diff.external", script],
      ["core.fsmonitor", script],
      ["core.hooksPath", path.join(work.directory, "hooks")],
    ] as const) {
      git(evil, "config", key, value);
    }
    writeFileSync(path.join(worktree.directory, ".git"), `gitdir: ${evil}\n`);
    writeFiles(worktree.directory, { ".gitattributes": "* filter=evil diff=evil\n", "src/math.js": "export const changed = true;\n" });

    const diff = await worktree.diff();
    const commit = await worktree.commitAll("Change math");

    expect(existsSync(marker)).toBe(false);
    expect(diff).toContain("+export const changed = true;");
    expect(git(mirror.directory, "cat-file", "-t", commit ?? "missing").trim()).toBe("commit");
    await worktree.remove();
  });

  test("nested repository runs none of its programs", async () => {
    const mirror = await manager().openMirror({ cloneUrl: remote.url });
    const worktree = await mirror.createWorktree({ name: "run-1", baseBranch: "main" });
    const { marker, script } = writeMarkerProgram(work.directory);
    const nested = path.join(worktree.directory, "vendor", "nested");
    mkdirSync(nested, { recursive: true });
    git(nested, "init", "--quiet");
    writeFiles(nested, { ".gitattributes": "* filter=evil\n", "file.txt": "one\n" });
    git(nested, "add", "--all");
    git(nested, "commit", "--quiet", "-m", "Nested");
    git(nested, "config", "filter.evil.clean", script);
    git(nested, "config", "core.fsmonitor", script);
    writeFileSync(path.join(nested, "file.txt"), "two\n");

    await worktree.changedFiles();
    await worktree.diff();
    await worktree.commitAll("Add nested");

    expect(existsSync(marker)).toBe(false);
    await worktree.remove();
  });

  test("spare worktree claimed by next worktree", async () => {
    const { log, records } = captureLog();
    const workspaces = manager({ spares: true, log });
    const first = await (await workspaces.openMirror({ cloneUrl: remote.url })).createWorktree({ name: "run-1", baseBranch: "main" });
    await workspaces.idle();
    await first.remove();
    const newCommit = commitToRemote(remote, { write: { "src/math.js": "export const fixed = true;\n", "src/added.js": "added\n" }, remove: ["src/old.js"] });

    const second = await (await workspaces.openMirror({ cloneUrl: remote.url })).createWorktree({ name: "run-2", baseBranch: "main" });

    const created = records.filter((record) => record.msg === "worktree created");
    expect(created.map((record) => record.fromSpare)).toEqual([false, true]);
    expect(second.baseCommit).toBe(newCommit);
    expect(git(second.directory, "rev-parse", "HEAD").trim()).toBe(newCommit);
    expect(git(second.directory, "status", "--porcelain", "--ignored")).toBe("");
    expect(listTree(second.directory).filter((file) => file !== ".git").sort()).toEqual(["README.md", "src/added.js", "src/math.js"]);
    expect(readFileSync(path.join(second.directory, "src/math.js"), "utf8")).toBe("export const fixed = true;\n");
    await workspaces.idle();
    const folder = path.dirname(second.directory);
    expect(listTree(folder).filter((file) => file.endsWith(".ready"))).toHaveLength(1);
    await second.remove();
  });
});
