import { realpathSync } from "node:fs";
import path from "node:path";
import picomatch from "picomatch";

export const DEFAULT_PROTECTED_PATHS = [".github/workflows/**"];

/**
 * Checks that a path from the model names a file inside the worktree that the app may change, and
 * returns its absolute location. Returns an error message instead when it does not.
 */
export function resolveEditPath(
  worktree: string,
  requestedPath: string,
  protectedGlobs: string[] = DEFAULT_PROTECTED_PATHS,
): { ok: true; absolutePath: string; relativePath: string } | { ok: false; message: string } {
  const trimmed = requestedPath.trim();
  if (trimmed === "") return { ok: false, message: "The file path is empty." };
  if (trimmed.includes("\0")) return { ok: false, message: `The path ${JSON.stringify(trimmed)} contains a NUL byte.` };
  if (path.isAbsolute(trimmed) || /^[A-Za-z]:[\\/]/.test(trimmed)) {
    return { ok: false, message: `The path ${trimmed} is absolute; use a path relative to the repository root.` };
  }
  const segments = trimmed.split(/[\\/]+/);
  if (segments.includes("..")) return { ok: false, message: `The path ${trimmed} contains "..", which could leave the repository.` };
  const relativePath = path.posix.normalize(segments.join("/")).replace(/^\.\//, "");
  if (relativePath === ".git" || relativePath.startsWith(".git/") || segments.some((segment) => segment.toLowerCase() === ".git")) {
    return { ok: false, message: `The path ${trimmed} is inside .git, which the app never edits.` };
  }
  const protectedBy = protectedGlobs.find((glob) => picomatch(glob, { dot: true })(relativePath));
  if (protectedBy) {
    return { ok: false, message: `The path ${relativePath} is protected by the pattern ${protectedBy} in the repository config.` };
  }
  const absolutePath = path.join(worktree, relativePath);
  if (!staysInside(worktree, absolutePath)) {
    return { ok: false, message: `The path ${relativePath} goes through a symbolic link that leads outside the repository.` };
  }
  return { ok: true, absolutePath, relativePath };
}

/** Resolves symbolic links along the longest existing prefix of `target` and checks it stays in `root`. */
function staysInside(root: string, target: string): boolean {
  const realRoot = realpathSync(root);
  let existing = target;
  let rest = "";
  for (;;) {
    try {
      const real = realpathSync(existing);
      const resolved = rest ? path.join(real, rest) : real;
      return resolved === realRoot || resolved.startsWith(realRoot + path.sep);
    } catch {
      const parent = path.dirname(existing);
      if (parent === existing) return false;
      rest = rest ? path.join(path.basename(existing), rest) : path.basename(existing);
      existing = parent;
    }
  }
}
