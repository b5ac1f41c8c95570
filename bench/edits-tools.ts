import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { applyEdits } from "../src/agent/edits/apply.js";
import { parseEdits } from "../src/agent/edits/parse-edits.js";
import type { BenchCase } from "./edits-cases.js";

export type Outcome = "correct" | "refused" | "wrong";

export interface ToolResult {
  outcome: Outcome;
  /** First line of the refusal message. */
  message?: string;
}

/** A scratch folder that contains one case's file at a time. */
export class CaseFolder {
  readonly root: string;

  constructor(parent: string) {
    this.root = path.join(parent, "case");
  }

  reset(bench: BenchCase): void {
    rmSync(this.root, { recursive: true, force: true });
    const file = path.join(this.root, bench.path);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, bench.before);
  }

  judge(bench: BenchCase): Outcome {
    return readFileSync(path.join(this.root, bench.path), "utf8") === bench.expected ? "correct" : "wrong";
  }
}

export async function runOurs(folder: CaseFolder, bench: BenchCase, reply: string): Promise<ToolResult> {
  folder.reset(bench);
  const parsed = parseEdits(reply);
  if (parsed.errors.length > 0 || parsed.edits.length === 0) return { outcome: "refused", message: parsed.errors[0] ?? "no edit parsed" };
  // The bench measures placement, not path policy, so workflow files count like any other file.
  const result = await applyEdits(folder.root, parsed.edits, { protectedPaths: [] });
  if (result.errors.length > 0) return { outcome: "refused", message: result.errors[0]!.split("\n")[0] };
  return { outcome: folder.judge(bench) };
}

/** Runs `git apply --recount`, git's own applier with the counts in `@@` lines ignored. */
export function runGitApply(folder: CaseFolder, bench: BenchCase, patchFile: string): ToolResult {
  return runCommand(folder, bench, "git", ["apply", "--recount", patchFile], patchFile);
}

/** Runs GNU patch with a fuzz factor of 3, so it may ignore up to three context lines at each end of a hunk. */
export function runPatch(folder: CaseFolder, bench: BenchCase, patchFile: string): ToolResult {
  return runCommand(folder, bench, "patch", ["-p1", "--fuzz=3", "--batch", "--forward", "--no-backup-if-mismatch", "--reject-file=-", "--quiet", "-i", patchFile], patchFile);
}

function runCommand(folder: CaseFolder, bench: BenchCase, command: string, args: string[], patchFile: string): ToolResult {
  folder.reset(bench);
  writeFileSync(patchFile, bench.diff);
  try {
    execFileSync(command, args, {
      cwd: folder.root,
      stdio: ["ignore", "pipe", "pipe"],
      timeout: 10_000,
      // Keeps git from treating a repository above the scratch folder as the one to patch.
      env: { ...process.env, GIT_CEILING_DIRECTORIES: path.dirname(folder.root), LC_ALL: "C" },
    });
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? "").split("\n")[0];
    return { outcome: "refused", message: stderr };
  }
  return { outcome: folder.judge(bench) };
}
