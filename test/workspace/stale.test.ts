import { fork } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { WorkspaceError } from "../../src/workspace/errors.js";
import { WorkspaceManager } from "../../src/workspace/workspace-manager.js";
import { type BareRemote, createBareRemote, git } from "../helpers/git-repository.js";
import { captureLog, makeTemporaryFolder } from "./fixtures.js";

const CRASH_WORKER = fileURLToPath(new URL("./crash-worker.ts", import.meta.url));

/** Runs the crash worker until it has created a worktree, then kills it with SIGKILL. */
async function crashWhileWorking(workDir: string, cloneUrl: string, name: string): Promise<string> {
  const child = fork(CRASH_WORKER, [workDir, cloneUrl, name], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const directory = await new Promise<string>((resolve, reject) => {
    child.once("message", (message) => resolve((message as { directory: string }).directory));
    child.once("exit", (code) => reject(new Error(`crash worker exited with code ${code} before creating its worktree`)));
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
  return directory;
}

/** Moves a lease's last refresh into the past, as if the lease timeout had passed since the crash. */
function ageLease(target: string): void {
  const past = new Date(Date.now() - 60_000);
  utimesSync(`${target}.lease`, past, past);
}

describe("WorkspaceManager.removeStaleWorktrees", () => {
  let remote: BareRemote;
  let work: ReturnType<typeof makeTemporaryFolder>;

  beforeEach(() => {
    remote = createBareRemote({ "README.md": "# demo\n" });
    work = makeTemporaryFolder("magic-stale-");
  });

  afterEach(() => {
    remote.cleanup();
    work.cleanup();
  });

  test("crash leftovers removed at start", async () => {
    const crashed = await crashWhileWorking(work.directory, remote.url, "crashed-run");
    const { log, records } = captureLog();
    const restarted = new WorkspaceManager({ workDir: work.directory, maxMirrorBytes: 1e9, log, spareWorktrees: true });
    const mirror = await restarted.openMirror({ cloneUrl: remote.url });
    const live = await mirror.createWorktree({ name: "live-run", baseBranch: "main" });
    await restarted.idle();
    const halfCloned = `${mirror.directory}.tmp-0123abcd`;
    mkdirSync(path.join(halfCloned, "objects"), { recursive: true });
    ageLease(crashed);

    await restarted.removeStaleWorktrees();

    expect(existsSync(crashed)).toBe(false);
    expect(existsSync(`${crashed}.lease`)).toBe(false);
    expect(existsSync(halfCloned)).toBe(false);
    expect(git(mirror.directory, "worktree", "list")).not.toContain("crashed-run");
    expect(existsSync(path.join(live.directory, "README.md"))).toBe(true);
    const folder = path.dirname(live.directory);
    expect(readdirSync(folder).filter((entry) => entry.endsWith(".ready"))).toHaveLength(1);
    expect(records.find((record) => record.msg === "stale workspaces removed")).toMatchObject({ worktrees: 1, mirrors: 1 });
    await live.remove();
  });

  test("fresh lease kept, then removed once stale", async () => {
    const crashed = await crashWhileWorking(work.directory, remote.url, "crashed-run");
    const workspaces = new WorkspaceManager({ workDir: work.directory, maxMirrorBytes: 1e9, log: captureLog().log, spareWorktrees: false });

    await workspaces.removeStaleWorktrees();
    const keptWhileFresh = existsSync(crashed);
    ageLease(crashed);
    await workspaces.openMirror({ cloneUrl: remote.url });

    expect(keptWhileFresh).toBe(true);
    expect(existsSync(crashed)).toBe(false);
  });

  test("stray file in worktrees kept", async () => {
    const stray = path.join(work.directory, "worktrees", "notes.txt");
    mkdirSync(path.dirname(stray), { recursive: true });
    writeFileSync(stray, "operator notes\n");

    await new WorkspaceManager({ workDir: work.directory, maxMirrorBytes: 1e9, log: captureLog().log }).removeStaleWorktrees();

    expect(existsSync(stray)).toBe(true);
  });

  test("unusable work folder stops the start", async () => {
    const file = path.join(work.directory, "not-a-folder");
    writeFileSync(file, "");

    const error = await new WorkspaceManager({ workDir: file, maxMirrorBytes: 1e9, log: captureLog().log }).removeStaleWorktrees().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(WorkspaceError);
    expect((error as Error).message).toContain(`Work folder ${file} cannot be used`);
    expect((error as Error).message).toContain("set MAGIC_WORK_DIR to a writable folder");
  });
});
