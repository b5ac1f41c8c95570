import path from "node:path";
import { applyDiff, applySearchReplace } from "./apply-text.js";
import { fail, type Edit, type EditFailure, type EditResult } from "./edit.js";
import { resolveEditPath } from "./path-safety.js";
import { modeFor, nodeFileSystem, StagedFiles, type EditFileSystem } from "./staged-files.js";
import { documentFromReply } from "./text-document.js";

export interface ApplyOptions {
  /** Globs of paths that must not be edited, by default `.github/workflows/**`. */
  protectedPaths?: string[];
  fileSystem?: EditFileSystem;
}

/** An edit that was rejected, with the block it came from. */
export interface ApplyFailure extends EditFailure {
  blockNumber: number;
  path: string;
}

export interface ApplyResult {
  /** Relative paths of the files that changed, including created, deleted and renamed ones. */
  changedFiles: string[];
  /** One message per edit that could not be applied. When there is any, nothing was written. */
  errors: string[];
  /** The same problems with stable codes. */
  failures: ApplyFailure[];
}

/**
 * Applies the edits of one step to the worktree. Every edit is checked and applied in memory first,
 * in order, so later edits see earlier ones. Only when all succeed are the files written. If writing
 * fails part way, the files already written are restored and the error is thrown.
 */
export async function applyEdits(worktree: string, edits: Edit[], options: ApplyOptions = {}): Promise<ApplyResult> {
  const staged = new StagedFiles(options.fileSystem ?? nodeFileSystem);
  const failures: ApplyFailure[] = [];
  for (const edit of edits) {
    const result = await stageEdit(staged, worktree, edit, options.protectedPaths);
    if (!result.ok) failures.push({ ...result.failure, blockNumber: edit.blockNumber, path: edit.path });
  }
  if (failures.length > 0) {
    const errors = failures.map((failure) => `Block ${failure.blockNumber} (${printablePath(failure.path)}): ${failure.message}`);
    return { changedFiles: [], errors, failures };
  }
  const changedFiles = await staged.commit();
  return { changedFiles, errors: [], failures: [] };
}

async function stageEdit(staged: StagedFiles, worktree: string, edit: Edit, protectedPaths: string[] | undefined): Promise<EditResult<void>> {
  const target = await openFile(staged, worktree, edit.path, protectedPaths);
  if (!target.ok) return target;
  const entry = target.value;

  if (edit.kind === "delete") {
    if (!entry.current.exists) return fail("file-missing", "the file to delete does not exist.");
    staged.remove(entry);
    return { ok: true, value: undefined };
  }
  if (edit.kind === "rename") {
    if (!entry.current.exists) return fail("file-missing", "the file to rename does not exist.");
    const destination = await openFile(staged, worktree, edit.newPath, protectedPaths);
    if (!destination.ok) return destination;
    if (destination.value === entry) return fail("invalid-edit", "the new path is the same as the old one.");
    if (destination.value.current.exists) return fail("file-exists", `${edit.newPath} already exists; delete it first or choose another name.`);
    staged.move(entry, destination.value);
    return { ok: true, value: undefined };
  }
  if (edit.kind === "create" && entry.current.exists) {
    return fail("file-exists", "the file already exists; change it with a SEARCH/REPLACE block or replace it with a WRITE block.");
  }

  const current = staged.document(entry);
  if (!current.ok) return current;
  if (edit.kind === "create") {
    staged.setDocument(entry, documentFromReply(edit.content, undefined), modeFor(edit.executable));
    return { ok: true, value: undefined };
  }
  if (edit.kind === "write") {
    staged.setDocument(entry, documentFromReply(edit.content, current.value));
    return { ok: true, value: undefined };
  }
  const next = edit.kind === "search-replace" ? applySearchReplace(current.value, edit) : applyDiff(current.value, edit);
  if (!next.ok) return next;
  staged.setDocument(entry, next.value);
  return { ok: true, value: undefined };
}

/** Quotes a path that contains control characters, so that messages stay on one line and readable. */
function printablePath(requestedPath: string): string {
  return /[\u0000-\u001f]/.test(requestedPath) ? JSON.stringify(requestedPath) : requestedPath;
}

async function openFile(staged: StagedFiles, worktree: string, requestedPath: string, protectedPaths: string[] | undefined) {
  const resolved = resolveEditPath(worktree, requestedPath, protectedPaths);
  if (!resolved.ok) return fail("unsafe-path", resolved.message);
  if (requestedPath.endsWith("/") || requestedPath.endsWith(path.sep)) return fail("not-a-file", "the path names a directory; give a file path.");
  return staged.load(resolved.relativePath, resolved.absolutePath);
}
