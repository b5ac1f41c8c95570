import { lstatSync, readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { SandboxError } from "./sandbox.js";

/**
 * Host folders shown read-only inside the sandbox. Everything else of the host, such as the app's own
 * folder with its `.env` file, other runs and home folders, does not exist there.
 */
export const SYSTEM_PATHS = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"];

/**
 * Resolves a folder the sandbox will mount writable, and rejects one that would expose or replace a
 * system folder, such as `/` or `/usr`.
 */
export function checkWritableFolder(folder: string, what: string, readOnlyPaths: string[] = []): string {
  if (!path.isAbsolute(folder)) throw invalidFolder(what, folder, "it is not an absolute path");
  let real: string;
  try {
    real = realpathSync(folder);
  } catch (error) {
    throw invalidFolder(what, folder, "it does not exist", error);
  }
  if (!statSync(real).isDirectory()) throw invalidFolder(what, folder, "it is not a folder");
  const protectedPaths = [...SYSTEM_PATHS, ...readOnlyPaths];
  if (real === "/" || protectedPaths.some((protectedPath) => isInside(protectedPath, [real]) || isInside(real, [protectedPath]))) {
    throw invalidFolder(what, folder, "it is, contains or lies in a folder that sandboxes keep read-only, such as /usr or /etc");
  }
  return real;
}

/**
 * Lists the worktree's git metadata: its `.git` entry and, for a linked worktree whose `.git` is a file,
 * the git folder it names and that folder's common directory (the mirror).
 */
export function findGitPaths(worktree: string): string[] {
  const dotGit = path.join(worktree, ".git");
  const stats = lstatOrUndefined(dotGit);
  if (!stats) return [];
  if (!stats.isFile()) return [dotGit];
  const gitDir = readPointer(dotGit, /^gitdir:\s*(.+)$/m, worktree);
  if (!gitDir || !lstatOrUndefined(path.join(gitDir, "HEAD"))) return [dotGit];
  const commonDir = readPointer(path.join(gitDir, "commondir"), /^(.+)$/m, gitDir);
  const paths = [dotGit, gitDir];
  if (commonDir && lstatOrUndefined(path.join(commonDir, "objects"))?.isDirectory()) paths.push(commonDir);
  return paths.filter((entry) => entry === dotGit || !isInside(worktree, [entry]));
}

function readPointer(file: string, pattern: RegExp, base: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  const target = pattern.exec(text)?.[1]?.trim();
  if (!target) return undefined;
  const resolved = path.resolve(base, target);
  return resolved === "/" ? undefined : resolved;
}

/** True when `candidate` is one of `roots` or lies below one of them. */
export function isInside(candidate: string, roots: string[]): boolean {
  return roots.some((root) => {
    const relative = path.relative(root, candidate);
    return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
  });
}

export function lstatOrUndefined(file: string) {
  try {
    return lstatSync(file);
  } catch {
    return undefined;
  }
}

function invalidFolder(what: string, folder: string, reason: string, cause?: unknown): SandboxError {
  return new SandboxError("invalid-sandbox-request", `The sandbox cannot use ${what} ${folder}: ${reason}`, { cause });
}
