import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { git, writeFiles } from "../helpers/git-repository.js";

/** Creates a local (non-bare) repository on branch main with one commit per entry of `commits`. */
export function createLocalRepository(commits: Array<{ message: string; files: Record<string, string> }>): string {
  const directory = mkdtempSync(path.join(tmpdir(), "magic-local-"));
  git(directory, "init", "--quiet");
  for (const commit of commits) {
    writeFiles(directory, commit.files);
    git(directory, "add", "--all");
    git(directory, "commit", "--quiet", "-m", commit.message);
  }
  return directory;
}

/** Output of a command run in-process, with its exit code. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Collects a command's output for assertions. */
export function collectingIo() {
  const result = { stdout: "", stderr: "" };
  return {
    result,
    io: { stdout: { write: (text: string) => void (result.stdout += text) }, stderr: { write: (text: string) => void (result.stderr += text) } },
  };
}
