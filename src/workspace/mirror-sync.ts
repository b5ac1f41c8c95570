import { randomBytes } from "node:crypto";
import { readdir, rename } from "node:fs/promises";
import path from "node:path";
import { WorkspaceError } from "./errors.js";
import { createGit, gitFailure } from "./git.js";
import { removeFolder } from "./folders.js";

/** Refspecs that store the remote's branches and tags in the mirror under their own names. */
const REFSPECS = ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"];
// NOTE: a partial mirror fetches missing file contents on demand. Git commands in the repository's
// tests that read other commits' files (`git log -p`) then need the remote, which the sandbox does not
// give them the token for, so they fail on private repositories.
const PARTIAL_FILTER = "blob:none";

/**
 * Warning that git prints, and then fetches every object, when the server does not allow filters
 * (fetch-pack.c since git 2.17). The app runs git with LANG=C.UTF-8, so the text is not translated.
 */
const FILTER_IGNORED = "filtering not recognized by server";

export interface MirrorSource {
  cloneUrl: string;
  token?: string;
}

/**
 * Creates the bare mirror at `directory` with a first fetch. It asks for a partial clone without file
 * contents (`--filter=blob:none`); when the server ignores the filter, the mirror becomes a full copy.
 * The mirror is built in a temporary folder and renamed, so an interrupted clone never looks complete.
 * Returns true when the mirror is partial. The caller holds the mirror's lease.
 */
export async function createMirror(directory: string, source: MirrorSource): Promise<boolean> {
  await removeInterruptedClones(directory);
  const temporary = `${directory}.tmp-${randomBytes(6).toString("hex")}`;
  try {
    await createGit(path.dirname(directory)).raw(["init", "--bare", "--quiet", temporary]);
    const git = createGit(temporary, { token: source.token, remoteUrl: source.cloneUrl });
    await git.raw(["config", "remote.origin.url", source.cloneUrl]);
    for (const refspec of REFSPECS) await git.raw(["config", "--add", "remote.origin.fetch", refspec]);
    const warnings: string[] = [];
    git.outputHandler((_command, _stdout, stderr) => stderr.on("data", (chunk: Buffer) => warnings.push(chunk.toString())));
    await git.raw(["fetch", "--prune", "--quiet", "--no-write-fetch-head", `--filter=${PARTIAL_FILTER}`, "origin"]);
    const partial = !warnings.join("").includes(FILTER_IGNORED);
    if (!partial) {
      // Git marks the remote as a promisor even when the server sent everything; a full mirror must not
      // ask for missing objects later.
      await git.raw(["config", "--unset", "remote.origin.promisor"]);
      await git.raw(["config", "--unset", "remote.origin.partialclonefilter"]);
    }
    await rename(temporary, directory);
    return partial;
  } catch (error) {
    await removeFolder(temporary);
    throw new WorkspaceError(`Cloning ${source.cloneUrl} failed: ${gitFailure(error, source.token)}`, { cause: error });
  }
}

/**
 * Brings the mirror up to date with an incremental fetch; a partial mirror keeps its filter. Branches and
 * tags deleted on the remote are deleted here too. Returns true when the mirror is partial.
 */
export async function updateMirror(directory: string, source: MirrorSource): Promise<boolean> {
  const git = createGit(directory, { token: source.token, remoteUrl: source.cloneUrl });
  try {
    await git.raw(["fetch", "--prune", "--quiet", "--no-write-fetch-head", "origin"]);
    const promisor = await git.raw(["config", "--type", "bool", "--default", "false", "--get", "remote.origin.promisor"]);
    return promisor.trim() === "true";
  } catch (error) {
    throw new WorkspaceError(`Fetching ${source.cloneUrl} failed: ${gitFailure(error, source.token)}`, { cause: error });
  }
}

/** Deletes temporary folders that a crashed process left while cloning this mirror. */
async function removeInterruptedClones(directory: string): Promise<void> {
  const prefix = `${path.basename(directory)}.tmp-`;
  for (const entry of await readdir(path.dirname(directory))) {
    if (entry.startsWith(prefix)) await removeFolder(path.join(path.dirname(directory), entry));
  }
}
