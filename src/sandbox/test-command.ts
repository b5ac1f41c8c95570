import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/** The commands that prepare and test a repository, as argv arrays. */
export interface TestPlan {
  setup?: string[];
  test: string[];
  /** Where the plan came from, shown in the status comment. */
  source: "config" | "detected";
}

/** Wraps a command line from `.github/magic.yml` so it runs as the maintainer wrote it. */
export function shellCommand(commandLine: string): string[] {
  return ["sh", "-c", commandLine];
}

/**
 * Chooses the test and setup commands: the repository config wins, else they are detected from the
 * files in the worktree. Returns undefined when no test command can be found.
 */
export function planTests(worktree: string, config: { test_command?: string; setup_command?: string }): TestPlan | undefined {
  const detected = detectNodeProject(worktree);
  if (config.test_command) {
    const setup = config.setup_command ? shellCommand(config.setup_command) : detected?.setup;
    return { setup, test: shellCommand(config.test_command), source: "config" };
  }
  if (!detected) return undefined;
  return config.setup_command ? { ...detected, setup: shellCommand(config.setup_command) } : detected;
}

function detectNodeProject(worktree: string): TestPlan | undefined {
  const manifestPath = path.join(worktree, "package.json");
  if (!existsSync(manifestPath)) return undefined;
  let manifest: { scripts?: Record<string, string>; dependencies?: object; devDependencies?: object };
  try {
    manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
  } catch {
    return undefined;
  }
  const script = manifest.scripts?.test;
  if (!script || script.includes("no test specified")) return undefined;
  return { setup: npmSetup(worktree, manifest), test: ["npm", "test"], source: "detected" };
}

function npmSetup(worktree: string, manifest: { dependencies?: object; devDependencies?: object }): string[] | undefined {
  if (existsSync(path.join(worktree, "package-lock.json"))) return ["npm", "ci", "--no-audit", "--no-fund"];
  const dependencyCount = Object.keys(manifest.dependencies ?? {}).length + Object.keys(manifest.devDependencies ?? {}).length;
  return dependencyCount > 0 ? ["npm", "install", "--no-audit", "--no-fund"] : undefined;
}
