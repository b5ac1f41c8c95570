import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

const GIT_IDENTITY = ["-c", "user.name=Test Author", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main"];

export function git(cwd: string, ...args: string[]): string {
  return execFileSync("git", [...GIT_IDENTITY, ...args], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

export function writeFiles(directory: string, files: Record<string, string>): void {
  for (const [relativePath, content] of Object.entries(files)) {
    const absolutePath = path.join(directory, relativePath);
    mkdirSync(path.dirname(absolutePath), { recursive: true });
    writeFileSync(absolutePath, content);
  }
}

export interface BareRemote {
  /** Folder of the bare repository. */
  directory: string;
  /** `file://` URL to clone from. */
  url: string;
  /** Reads a file as it is on a branch of the remote. */
  readFile(branch: string, filePath: string): string;
  /** Clones a branch into a fresh folder and returns it. */
  checkout(branch: string): string;
  hasBranch(branch: string): boolean;
  /** Returns the commit a branch points at. */
  headOf(branch: string): string;
  /** Commits `files` on top of `from` (default: `branch` itself, else main) and pushes the commit to `branch`. */
  commitTo(branch: string, files: Record<string, string>, message: string, from?: string): string;
  /** Lists a branch's commit subjects, newest first. */
  subjects(branch: string): string[];
  cleanup(): void;
}

/** Creates a bare repository on disk whose `main` branch contains `files` in one commit. */
export function createBareRemote(files: Record<string, string>): BareRemote {
  const root = mkdtempSync(path.join(tmpdir(), "magic-remote-"));
  const seed = path.join(root, "seed");
  const bare = path.join(root, "remote.git");
  mkdirSync(seed);
  git(seed, "init", "--quiet");
  writeFiles(seed, files);
  git(seed, "add", "--all");
  git(seed, "commit", "--quiet", "-m", "Initial commit");
  git(root, "clone", "--quiet", "--bare", seed, bare);
  let checkouts = 0;
  return {
    directory: bare,
    url: pathToFileURL(bare).href,
    readFile: (branch, filePath) => git(bare, "show", `${branch}:${filePath}`),
    checkout: (branch) => {
      const target = path.join(root, `checkout-${++checkouts}`);
      git(root, "clone", "--quiet", "--branch", branch, bare, target);
      return target;
    },
    hasBranch: (branch) => git(bare, "branch", "--list", branch).trim() !== "",
    headOf: (branch) => git(bare, "rev-parse", `refs/heads/${branch}`).trim(),
    commitTo: (branch, files, message, from) => {
      const work = path.join(root, `work-${++checkouts}`);
      const start = from ?? (git(bare, "branch", "--list", branch).trim() ? branch : "main");
      git(root, "clone", "--quiet", "--branch", start, bare, work);
      writeFiles(work, files);
      git(work, "add", "--all");
      git(work, "commit", "--quiet", "-m", message);
      git(work, "push", "--quiet", "origin", `HEAD:refs/heads/${branch}`);
      return git(work, "rev-parse", "HEAD").trim();
    },
    subjects: (branch) => git(bare, "log", "--format=%s", branch).trim().split("\n"),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** A small Node project whose test fails until `add` in src/math.js adds instead of subtracting. */
export const BUGGY_PROJECT: Record<string, string> = {
  "package.json": JSON.stringify({ name: "calculator", version: "1.0.0", type: "module", scripts: { test: "node --test" } }, null, 2) + "\n",
  "src/math.js": "export function add(a, b) {\n  return a - b;\n}\n",
  "test/math.test.js":
    'import assert from "node:assert/strict";\nimport { test } from "node:test";\nimport { add } from "../src/math.js";\n\ntest("add sums two numbers", () => {\n  assert.equal(add(2, 3), 5);\n});\n',
  "README.md": "# calculator\n",
};
