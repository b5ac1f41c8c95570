import merge from "deepmerge";
import type { ProbotOctokit } from "probot";
import { REPO_CONFIG_PATH } from "../config/repo-config.js";
import type { RepoRef } from "../publish/github-gateway.js";

export type RawConfigResult = { ok: true; raw: unknown } | { ok: false; message: string };

/**
 * Reads `.github/magic.yml` the way Probot's `context.config` does (`_extends` and the
 * organisation's `.github` repository, deep-merged), returning null when no file exists. A YAML
 * error becomes a message, not a crash. An HTTP error is thrown so the caller can retry.
 */
export async function readRawConfig(octokit: ProbotOctokit, repo: RepoRef): Promise<RawConfigResult> {
  try {
    const { config, files } = await octokit.config.get({
      owner: repo.owner,
      repo: repo.repo,
      path: REPO_CONFIG_PATH,
      defaults: (configs) => merge.all<Record<string, unknown>>([{}, ...configs]),
    });
    return { ok: true, raw: files.some((file) => file.config !== null) ? config : null };
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status !== undefined) throw error;
    const cause = (error as { cause?: Error }).cause?.message;
    return { ok: false, message: `\`${REPO_CONFIG_PATH}\` could not be read: it is not valid YAML${cause ? ` (${cause.split("\n")[0]})` : ""}.` };
  }
}
