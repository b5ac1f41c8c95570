import { existsSync, utimesSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { diskUsage } from "../../src/workspace/disk-usage.js";
import { type MirrorUsage, selectEvictions } from "../../src/workspace/eviction.js";
import { LAST_USED_FILE } from "../../src/workspace/layout.js";
import { WorkspaceManager } from "../../src/workspace/workspace-manager.js";
import { type BareRemote, createBareRemote } from "../helpers/git-repository.js";
import { captureLog, makeTemporaryFolder } from "./fixtures.js";

const HOUR = 3_600_000;

describe("selectEvictions", () => {
  const now = 10 * HOUR;
  const mirror = (key: string, bytes: number, ageHours: number, inUse = false): MirrorUsage => ({ key, bytes, lastUsedMs: now - ageHours * HOUR, inUse });
  const policy = { maxBytes: 100, nowMs: now, graceMs: HOUR / 6, keepKey: "current" };

  test.each([
    ["under the limit", [mirror("a", 40, 3), mirror("current", 50, 0)], []],
    ["oldest first", [mirror("b", 40, 2), mirror("a", 40, 3), mirror("current", 50, 0)], ["a"]],
    ["several until under", [mirror("a", 60, 3), mirror("b", 60, 2), mirror("c", 10, 1), mirror("current", 50, 0)], ["a", "b"]],
    ["in use skipped", [mirror("a", 60, 3, true), mirror("b", 60, 2), mirror("current", 10, 0)], ["b"]],
    ["recent skipped", [mirror("a", 60, 0.1), mirror("current", 50, 3)], []],
    ["current kept even alone", [mirror("current", 500, 5)], []],
  ])("%s", (_case, mirrors, expected) => {
    expect(selectEvictions(mirrors, policy).map((selected) => selected.key)).toEqual(expected);
  });
});

describe("mirror eviction", () => {
  let remotes: BareRemote[];
  let work: ReturnType<typeof makeTemporaryFolder>;

  beforeEach(() => {
    remotes = ["alpha", "beta", "gamma"].map((name) => createBareRemote({ "README.md": `# ${name}\n`, "data.txt": `${name}\n`.repeat(20_000) }));
    work = makeTemporaryFolder("magic-eviction-");
  });

  afterEach(() => {
    for (const remote of remotes) remote.cleanup();
    work.cleanup();
  });

  function age(mirrorDirectory: string, hours: number): void {
    const past = new Date(Date.now() - hours * HOUR);
    utimesSync(path.join(mirrorDirectory, LAST_USED_FILE), past, past);
  }

  async function openAll(maxMirrorBytes: number) {
    const unlimited = new WorkspaceManager({ workDir: work.directory, maxMirrorBytes: 1e12, log: captureLog().log, spareWorktrees: false });
    const alpha = await unlimited.openMirror({ cloneUrl: remotes[0]!.url });
    const beta = await unlimited.openMirror({ cloneUrl: remotes[1]!.url });
    age(alpha.directory, 3);
    age(beta.directory, 2);
    const size = await diskUsage(alpha.directory);
    const { log, records } = captureLog();
    const limited = new WorkspaceManager({ workDir: work.directory, maxMirrorBytes: maxMirrorBytes * size, log, spareWorktrees: false });
    return { alpha, beta, limited, records };
  }

  test("least recently used mirror evicted above the limit", async () => {
    const { alpha, beta, limited, records } = await openAll(2.5);

    const gamma = await limited.openMirror({ cloneUrl: remotes[2]!.url });

    expect(existsSync(alpha.directory)).toBe(false);
    expect(existsSync(beta.directory)).toBe(true);
    expect(existsSync(gamma.directory)).toBe(true);
    expect(records.filter((record) => record.msg === "mirror evicted").map((record) => record.mirror)).toEqual([path.basename(alpha.directory, ".git")]);
    const reopened = await limited.openMirror({ cloneUrl: remotes[0]!.url });
    expect(existsSync(reopened.directory)).toBe(true);
  });

  test("mirror with a live worktree kept", async () => {
    const { alpha, beta, limited } = await openAll(2.5);
    const worktree = await alpha.createWorktree({ name: "live-run", baseBranch: "main" });

    await limited.openMirror({ cloneUrl: remotes[2]!.url });

    expect(existsSync(alpha.directory)).toBe(true);
    expect(existsSync(beta.directory)).toBe(false);
    await worktree.remove();
  });

  test("recently used mirrors kept with a warning", async () => {
    const { alpha, beta, limited, records } = await openAll(1.5);
    age(alpha.directory, 0);
    age(beta.directory, 0);

    await limited.openMirror({ cloneUrl: remotes[2]!.url });

    expect(existsSync(alpha.directory)).toBe(true);
    expect(existsSync(beta.directory)).toBe(true);
    expect(records.some((record) => record.msg.startsWith("mirrors still exceed the disk limit"))).toBe(true);
  });
});
