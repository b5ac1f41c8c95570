import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { type BubblewrapLayout, buildBubblewrapArguments, type BubblewrapRun, readBubblewrapLayout } from "../../src/sandbox/bubblewrap-layout.js";
import { checkWritableFolder, findGitPaths } from "../../src/sandbox/mount-paths.js";
import { git } from "../helpers/git-repository.js";
import { createLinkedWorktree, temporaryFolder } from "./sandbox-kinds.js";

const LAYOUT: BubblewrapLayout = {
  bwrapPath: "/usr/bin/bwrap",
  prlimitPath: "/usr/bin/prlimit",
  hardLimits: {},
  systemMounts: [
    { kind: "bind", path: "/usr" },
    { kind: "symlink", path: "/bin", target: "usr/bin" },
    { kind: "bind", path: "/etc" },
  ],
  readOnlyPaths: ["/opt/go"],
  maskedFiles: [],
  tmpSizeBytes: 1024,
};

const RUN: BubblewrapRun = {
  cwd: "/tmp/work/runs/r1/repo",
  home: "/tmp/work/runs/r1/home",
  gitPaths: ["/tmp/work/runs/r1/repo/.git"],
  network: false,
  limits: { maxProcesses: 64, memoryBytes: 1_000_000 },
};

/** Returns the positions of `[flag, ...values]` in `args`. */
function positionOf(args: string[], ...sequence: string[]): number {
  return args.findIndex((_, index) => sequence.every((part, offset) => args[index + offset] === part));
}

describe("buildBubblewrapArguments", () => {
  test("namespaces and privileges", () => {
    const args = buildBubblewrapArguments(["npm", "test"], RUN, LAYOUT);

    for (const flag of ["--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session"]) expect(args).toContain(flag);
    expect(positionOf(args, "--cap-drop", "ALL")).toBeGreaterThan(0);
    expect(args).not.toContain("--share-net");
    expect(args).not.toContain("--uid");
  });

  test("network shared only when asked", () => {
    expect(buildBubblewrapArguments(["npm", "ci"], { ...RUN, network: true }, LAYOUT)).toContain("--share-net");
  });

  test("system read-only, worktree and home writable", () => {
    const args = buildBubblewrapArguments(["npm", "test"], RUN, LAYOUT);

    expect(positionOf(args, "--ro-bind", "/usr", "/usr")).toBeGreaterThan(0);
    expect(positionOf(args, "--symlink", "usr/bin", "/bin")).toBeGreaterThan(0);
    expect(positionOf(args, "--ro-bind-try", "/opt/go", "/opt/go")).toBeGreaterThan(0);
    expect(positionOf(args, "--bind", RUN.cwd, RUN.cwd)).toBeGreaterThan(0);
    expect(positionOf(args, "--bind", RUN.home as string, RUN.home as string)).toBeGreaterThan(0);
    expect(positionOf(args, "--chdir", RUN.cwd)).toBeGreaterThan(0);
  });

  test("private tmp mounted before binds below it", () => {
    const args = buildBubblewrapArguments(["npm", "test"], RUN, LAYOUT);
    const tmp = positionOf(args, "--size", "1024", "--tmpfs", "/tmp");

    expect(tmp).toBeGreaterThan(0);
    expect(tmp).toBeLessThan(positionOf(args, "--bind", RUN.home as string, RUN.home as string));
    expect(tmp).toBeLessThan(positionOf(args, "--bind", RUN.cwd, RUN.cwd));
  });

  test("git metadata bound read-only over the worktree", () => {
    const args = buildBubblewrapArguments(["npm", "test"], RUN, LAYOUT);

    expect(positionOf(args, "--ro-bind", `${RUN.cwd}/.git`, `${RUN.cwd}/.git`)).toBeGreaterThan(positionOf(args, "--bind", RUN.cwd, RUN.cwd));
  });

  test("limits applied inside by prlimit", () => {
    const args = buildBubblewrapArguments(["npm", "test"], RUN, LAYOUT);

    expect(args.slice(args.indexOf("--") + 1)).toEqual(["/usr/bin/prlimit", "--core=0", "--data=1000000", "--nproc=64", "--", "npm", "test"]);
  });

  test("root app runs commands as another user", () => {
    const args = buildBubblewrapArguments(["true"], RUN, { ...LAYOUT, sandboxUid: 1000, sandboxGid: 1000, maskedFiles: ["/etc/shadow"] });

    expect(positionOf(args, "--uid", "1000")).toBeGreaterThan(0);
    expect(positionOf(args, "--gid", "1000")).toBeGreaterThan(0);
    expect(positionOf(args, "--ro-bind", "/dev/null", "/etc/shadow")).toBeGreaterThan(0);
  });

  test("home in private tmp when the run has none", () => {
    const args = buildBubblewrapArguments(["true"], { ...RUN, home: undefined }, LAYOUT);

    expect(positionOf(args, "--dir", "/tmp/home")).toBeGreaterThan(positionOf(args, "--tmpfs", "/tmp"));
  });
});

describe("readBubblewrapLayout", () => {
  test("reads this host's system folders", () => {
    const layout = readBubblewrapLayout({ bwrapPath: "/usr/bin/bwrap", prlimitPath: "/usr/bin/prlimit", hostUid: 1000 });

    expect(layout.systemMounts).toContainEqual({ kind: "bind", path: "/usr" });
    expect(layout.systemMounts.map((mount) => mount.path)).toContain("/etc");
    expect(layout.prlimitPath).toBe("/usr/bin/prlimit");
    expect(layout.sandboxUid).toBeUndefined();
  });

  test("prlimit outside visible folders dropped", () => {
    const layout = readBubblewrapLayout({ bwrapPath: "/usr/bin/bwrap", prlimitPath: "/home/someone/bin/prlimit", hostUid: 1000 });

    expect(layout.prlimitPath).toBeUndefined();
  });

  test("root host maps to an unprivileged user", () => {
    const layout = readBubblewrapLayout({ bwrapPath: "/usr/bin/bwrap", hostUid: 0 });

    expect(layout.sandboxUid).toBe(1000);
    expect(layout.sandboxGid).toBe(1000);
  });
});

describe("checkWritableFolder", () => {
  test.each([
    ["/", /sandboxes keep read-only/],
    ["/usr", /sandboxes keep read-only/],
    ["/usr/lib", /sandboxes keep read-only/],
    ["relative/path", /not an absolute path/],
    ["/definitely/missing/folder", /does not exist/],
  ])("rejects %s", (folder, message) => {
    expect(() => checkWritableFolder(folder, "the working folder")).toThrow(message);
  });

  test("rejects a folder that contains a read-only path", () => {
    const folder = temporaryFolder("magic-writable-");
    try {
      expect(() => checkWritableFolder(folder.path, "HOME", [path.join(folder.path, "toolchain")])).toThrow(/sandboxes keep read-only/);
    } finally {
      folder.remove();
    }
  });

  test("accepts a temporary folder", () => {
    const folder = temporaryFolder("magic-writable-");
    try {
      expect(checkWritableFolder(folder.path, "the working folder")).toBe(folder.path);
    } finally {
      folder.remove();
    }
  });
});

describe("findGitPaths", () => {
  let folder: ReturnType<typeof temporaryFolder>;

  beforeEach(() => {
    folder = temporaryFolder("magic-git-paths-");
  });

  afterEach(() => folder.remove());

  test("no git metadata", () => {
    expect(findGitPaths(folder.path)).toEqual([]);
  });

  test("plain clone", () => {
    git(folder.path, "init", "--quiet");

    expect(findGitPaths(folder.path)).toEqual([path.join(folder.path, ".git")]);
  });

  test("linked worktree and its mirror", () => {
    const { mirror, linked } = createLinkedWorktree(folder.path, "Initial commit");

    expect(findGitPaths(linked)).toEqual([path.join(linked, ".git"), path.join(mirror, "worktrees", "linked"), mirror]);
  });

  test("pointer to the root ignored", () => {
    writeFileSync(path.join(folder.path, ".git"), "gitdir: /\n");

    expect(findGitPaths(folder.path)).toEqual([path.join(folder.path, ".git")]);
  });
});
