import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import type { HostEnvironment } from "../../src/sandbox/environment.js";
import type { Sandbox } from "../../src/sandbox/sandbox.js";
import { selectSandbox } from "../../src/sandbox/select.js";
import { git } from "../helpers/git-repository.js";

/** Variables of the app that must never reach a sandboxed command. */
export const APP_SECRETS: Record<string, string> = {
  GITHUB_TOKEN: "ghs_magicTestInstallationToken",
  OPENAI_API_KEY: "sk-magic-test-openai-key",
  ANTHROPIC_API_KEY: "sk-ant-magic-test-key",
  PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY----- magic test key",
  WEBHOOK_SECRET: "magic-test-webhook-secret",
};

/** Returns the host environment for the sandboxes under test: the real PATH plus the fake secrets above. */
export function hostEnvironmentWithSecrets(): HostEnvironment {
  return { PATH: process.env.PATH, LANG: process.env.LANG, ...APP_SECRETS };
}

/**
 * Builds every sandbox this machine can run. Docker is left out because no container engine runs here,
 * and a real one would pull its image from a registry. Its command lines are tested on their own.
 */
export async function availableSandboxes(hostEnvironment: HostEnvironment = hostEnvironmentWithSecrets()): Promise<Sandbox[]> {
  const log = pino({ level: "silent" });
  const sandboxes: Sandbox[] = [await selectSandbox({ kind: "process", hostEnvironment, log })];
  try {
    sandboxes.push(await selectSandbox({ kind: "bubblewrap", hostEnvironment, log }));
  } catch (error) {
    if ((error as { code?: string }).code !== "sandbox-unavailable") throw error;
  }
  return sandboxes;
}

/** Creates a fresh folder below the system's temporary folder and returns it with its cleanup. */
export function temporaryFolder(prefix: string): { path: string; remove(): void } {
  const folder = mkdtempSync(path.join(tmpdir(), prefix));
  return { path: folder, remove: () => rmSync(folder, { recursive: true, force: true }) };
}

export interface RunFolders {
  root: string;
  /** The command's working folder, as a run's worktree. */
  worktree: string;
  /** The run's private home. */
  home: string;
  remove(): void;
}

/** Creates a run's worktree and home in a fresh temporary folder. */
export function createRunFolders(prefix: string): RunFolders {
  const folder = temporaryFolder(prefix);
  const worktree = path.join(folder.path, "worktree");
  const home = path.join(folder.path, "home");
  mkdirSync(worktree);
  mkdirSync(home);
  return { root: folder.path, worktree, home, remove: folder.remove };
}

/**
 * Creates a bare mirror with one commit and a linked worktree of it, as the workspace does for a run.
 * Returns the paths of both.
 */
export function createLinkedWorktree(root: string, subject: string): { mirror: string; linked: string } {
  const seed = path.join(root, "seed");
  const mirror = path.join(root, "mirror.git");
  const linked = path.join(root, "linked");
  mkdirSync(seed);
  git(seed, "init", "--quiet");
  writeFileSync(path.join(seed, "a.txt"), "a\n");
  git(seed, "add", "a.txt");
  git(seed, "commit", "--quiet", "-m", subject);
  git(root, "clone", "--quiet", "--bare", seed, mirror);
  git(mirror, "worktree", "add", "--quiet", linked, "main");
  return { mirror, linked };
}
