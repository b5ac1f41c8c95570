import { parse } from "yaml";
import { parseRepoConfig, REPO_CONFIG_PATH, type RepoConfig } from "../config/repo-config.js";
import { createGit } from "../workspace/git.js";
import { LocalRunError } from "./errors.js";

/** Values from the command line that replace the repository's own settings. */
export interface ConfigOverrides {
  candidates?: number;
  budgetUsd?: number;
  testCommand?: string;
  setupCommand?: string;
  approaches?: RepoConfig["approaches"];
}

/**
 * Reads `.github/magic.yml` as it is at `revision` in a mirror, applies the command line's overrides and
 * validates the result. A missing file means the defaults. An invalid file or override is an error that
 * lists every problem.
 */
export async function readLocalConfig(mirrorDirectory: string, revision: string, overrides: ConfigOverrides): Promise<RepoConfig> {
  const raw = await readRawConfig(mirrorDirectory, revision);
  const merged = applyOverrides(raw, overrides);
  const result = parseRepoConfig(merged);
  if (result.ok) return result.config;
  const problems = result.problems.map((problem) => `  - ${problem.key}: found ${problem.found}, expected ${problem.expected}`);
  throw new LocalRunError("invalid-option", `The settings from ${REPO_CONFIG_PATH} and the command line are invalid:\n${problems.join("\n")}`);
}

async function readRawConfig(mirrorDirectory: string, revision: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await createGit(mirrorDirectory).raw(["show", `${revision}:${REPO_CONFIG_PATH}`]);
  } catch {
    // git show fails when the file does not exist at that commit, which means the defaults apply.
    return {};
  }
  try {
    const parsed: unknown = parse(text);
    if (parsed === null || parsed === undefined) return {};
    if (typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("the top level is not a mapping");
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new LocalRunError("invalid-option", `${REPO_CONFIG_PATH} at ${revision} is not valid YAML: ${(error as Error).message.split("\n")[0]}`, { cause: error });
  }
}

function applyOverrides(raw: Record<string, unknown>, overrides: ConfigOverrides): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...raw };
  if (overrides.candidates !== undefined) merged.candidates = overrides.candidates;
  if (overrides.testCommand !== undefined) merged.test_command = overrides.testCommand;
  if (overrides.setupCommand !== undefined) merged.setup_command = overrides.setupCommand;
  if (overrides.approaches !== undefined) merged.approaches = overrides.approaches;
  if (overrides.budgetUsd !== undefined) {
    const budget = typeof raw.budget === "object" && raw.budget !== null ? raw.budget : {};
    merged.budget = { ...budget, usd: overrides.budgetUsd };
  }
  return merged;
}
