import type { Context } from "probot";
import { REPO_CONFIG_PATH } from "../config/repo-config.js";

export type RawConfigResult = { ok: true; raw: unknown } | { ok: false; message: string };

/** Reads `.github/magic.yml` with Probot's config loader; a YAML error becomes a message, not a crash. */
export async function readRawConfig(context: Context): Promise<RawConfigResult> {
  try {
    return { ok: true, raw: await context.config(REPO_CONFIG_PATH.replace(/^\.github\//, "")) };
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status !== undefined) throw error;
    const cause = (error as { cause?: Error }).cause?.message;
    return { ok: false, message: `\`${REPO_CONFIG_PATH}\` could not be read: it is not valid YAML${cause ? ` (${cause.split("\n")[0]})` : ""}.` };
  }
}
