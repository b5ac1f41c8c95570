import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { WorkspaceError } from "../../src/workspace/errors.js";
import { WorkspaceManager } from "../../src/workspace/workspace-manager.js";
import { type BareRemote, createBareRemote, git } from "../helpers/git-repository.js";
import { captureLog, commitToRemote, makeTemporaryFolder } from "./fixtures.js";
import { startHttpRemote } from "./http-remote.js";

const FILES = { "README.md": "# demo\n", "src/index.js": "export const answer = 42;\n", "docs/guide.md": "Read me.\n" };

describe("WorkspaceManager.openMirror", () => {
  let remote: BareRemote;
  let work: ReturnType<typeof makeTemporaryFolder>;

  beforeEach(() => {
    remote = createBareRemote(FILES);
    work = makeTemporaryFolder("magic-mirror-");
  });

  afterEach(() => {
    remote.cleanup();
    work.cleanup();
  });

  function manager(log = captureLog().log, overrides: Partial<ConstructorParameters<typeof WorkspaceManager>[0]> = {}) {
    return new WorkspaceManager({ workDir: work.directory, maxMirrorBytes: 1e9, log, spareWorktrees: false, ...overrides });
  }

  test("mirror created then fetched incrementally", async () => {
    const { log, records } = captureLog();
    const workspaces = manager(log);

    const first = await workspaces.openMirror({ cloneUrl: remote.url });
    const packsBefore = readdirSync(path.join(first.directory, "objects", "pack")).filter((file) => file.endsWith(".pack"));
    const newCommit = commitToRemote(remote, { write: { "src/extra.js": "export const extra = 1;\n" } });
    const second = await workspaces.openMirror({ cloneUrl: remote.url });

    expect(second.directory).toBe(first.directory);
    expect(readdirSync(path.join(work.directory, "mirrors")).filter((entry) => entry.endsWith(".git"))).toHaveLength(1);
    expect(git(second.directory, "rev-parse", "refs/heads/main").trim()).toBe(newCommit);
    const packsAfter = readdirSync(path.join(second.directory, "objects", "pack")).filter((file) => file.endsWith(".pack"));
    for (const pack of packsBefore) expect(packsAfter).toContain(pack);
    const messages = records.map((record) => record.msg);
    expect(messages).toEqual(expect.arrayContaining(["mirror created", "mirror fetched"]));
    expect(records.find((record) => record.msg === "mirror fetched")?.created).toBe(false);
  });

  test("branch deleted on the remote is pruned", async () => {
    git(remote.directory, "branch", "feature", "main");
    const workspaces = manager();
    const mirror = await workspaces.openMirror({ cloneUrl: remote.url });
    expect(git(mirror.directory, "branch", "--list", "feature").trim()).toBe("feature");

    git(remote.directory, "branch", "-D", "feature");
    await workspaces.openMirror({ cloneUrl: remote.url });

    expect(git(mirror.directory, "branch", "--list", "feature").trim()).toBe("");
  });

  test("partial clone used when the remote allows filters", async () => {
    git(remote.directory, "config", "uploadpack.allowFilter", "true");

    const mirror = await manager().openMirror({ cloneUrl: remote.url });

    expect(mirror.partial).toBe(true);
    const missing = git(mirror.directory, "rev-list", "--objects", "--missing=print", "--all").split("\n").filter((line) => line.startsWith("?"));
    expect(missing).toHaveLength(Object.keys(FILES).length);
    expect(git(mirror.directory, "config", "remote.origin.partialclonefilter").trim()).toBe("blob:none");
    const worktree = await mirror.createWorktree({ name: "partial", baseBranch: "main" });
    expect(readFileSync(path.join(worktree.directory, "src/index.js"), "utf8")).toBe(FILES["src/index.js"]);
    await worktree.remove();
  });

  test("full clone when the remote rejects filters", async () => {
    git(remote.directory, "config", "uploadpack.allowFilter", "false");

    const mirror = await manager().openMirror({ cloneUrl: remote.url });

    expect(mirror.partial).toBe(false);
    const missing = git(mirror.directory, "rev-list", "--objects", "--missing=print", "--all").split("\n").filter((line) => line.startsWith("?"));
    expect(missing).toEqual([]);
    expect(git(mirror.directory, "config", "--list", "--local")).not.toContain("promisor");
    const reopened = await manager().openMirror({ cloneUrl: remote.url });
    expect(reopened.partial).toBe(false);
  });

  test("concurrent opens share one mirror", async () => {
    const server = await startHttpRemote({ repository: remote.directory, uploadDelayMs: 200 });
    try {
      const workspaces = manager();

      const [left, right] = await Promise.all([
        workspaces.openMirror({ cloneUrl: server.url }),
        new WorkspaceManager({ workDir: work.directory, maxMirrorBytes: 1e9, log: captureLog().log, spareWorktrees: false }).openMirror({ cloneUrl: server.url }),
      ]);
      const worktrees = await Promise.all([
        left.createWorktree({ name: "issue-1", baseBranch: "main" }),
        right.createWorktree({ name: "issue-2", baseBranch: "main" }),
      ]);

      expect(left.directory).toBe(right.directory);
      expect(server.maxConcurrentUploads).toBe(1);
      for (const worktree of worktrees) expect(readFileSync(path.join(worktree.directory, "README.md"), "utf8")).toBe(FILES["README.md"]);
      await Promise.all(worktrees.map((worktree) => worktree.remove()));
    } finally {
      await server.close();
    }
  });

  test.each([
    ["not a URL", "not a url", "is invalid"],
    ["ssh transport", "ssh://git@example.com/repo.git", "unsupported protocol"],
    ["ext transport", "ext::sh -c touch% /tmp/pwned", "unsupported protocol"],
    ["credentials in URL", "https://user:secret@example.com/repo.git", "contains credentials"],
  ])("%s rejected", async (_case, cloneUrl, message) => {
    const error = await manager().openMirror({ cloneUrl }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(WorkspaceError);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).not.toContain("secret");
  });

  test("unreachable remote fails and leaves nothing", async () => {
    const server = await startHttpRemote({ repository: remote.directory });
    const url = server.url;
    await server.close();

    const error = await manager().openMirror({ cloneUrl: url, token: "ghs_unreachable_token" }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(WorkspaceError);
    expect((error as Error).message).toMatch(/^Cloning http:\/\/127\.0\.0\.1:\d+\/remote\.git failed: /);
    expect((error as Error).message).not.toContain("ghs_unreachable_token");
    expect(readdirSync(path.join(work.directory, "mirrors"))).toEqual([]);
  });

  test("missing branch named in the error", async () => {
    const mirror = await manager().openMirror({ cloneUrl: remote.url });

    await expect(mirror.createWorktree({ name: "run-1", baseBranch: "develop" })).rejects.toThrow(`Branch develop was not found in ${remote.url}`);
    expect(existsSync(path.join(work.directory, "worktrees", path.basename(mirror.directory, ".git"), "run-1"))).toBe(false);
  });
});
