import { randomBytes } from "node:crypto";
import * as fs from "node:fs/promises";
import path from "node:path";
import { fail, type EditResult } from "./edit.js";
import { decodeText, encodeText, type TextDocument } from "./text-document.js";

/** The file system calls the applier makes. Tests pass a wrapper to make one of them fail. */
export interface EditFileSystem {
  lstat(target: string): Promise<{ mode: number; isFile(): boolean; isSymbolicLink(): boolean }>;
  readFile(target: string): Promise<Buffer>;
  writeFile(target: string, data: Uint8Array): Promise<void>;
  chmod(target: string, mode: number): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  unlink(target: string): Promise<void>;
  mkdir(target: string, options: { recursive: true }): Promise<string | undefined>;
  rm(target: string, options: { recursive: true; force: true }): Promise<void>;
}

export const nodeFileSystem: EditFileSystem = fs;

type FileState = { exists: false } | { exists: true; bytes: Buffer; document?: TextDocument; mode?: number };

interface FileEntry {
  absolutePath: string;
  original: FileState;
  current: FileState;
}

const NEW_FILE_MODE = 0o644;
const EXECUTABLE_MODE = 0o755;
const PERMISSION_BITS = 0o7777;

/**
 * The files one step of edits touches, held in memory until `commit` writes them all. Edits see
 * the results of the edits before them in the same step.
 */
export class StagedFiles {
  private readonly entries = new Map<string, FileEntry>();
  private readonly order: string[] = [];

  constructor(private readonly fileSystem: EditFileSystem = nodeFileSystem) {}

  /** Loads a file on first use. Symbolic links and directories are rejected rather than followed. */
  async load(relativePath: string, absolutePath: string): Promise<EditResult<FileEntry>> {
    const known = this.entries.get(relativePath);
    if (known) return { ok: true, value: known };
    let original: FileState;
    try {
      const stats = await this.fileSystem.lstat(absolutePath);
      if (stats.isSymbolicLink()) return fail("not-a-file", "the path is a symbolic link; edit the file it points to instead.");
      if (!stats.isFile()) return fail("not-a-file", "the path is a directory or another kind of special file, not a regular file.");
      original = { exists: true, bytes: await this.fileSystem.readFile(absolutePath), mode: stats.mode & PERMISSION_BITS };
    } catch (error) {
      if (!isCode(error, "ENOENT") && !isCode(error, "ENOTDIR")) throw error;
      original = { exists: false };
    }
    const entry: FileEntry = { absolutePath, original, current: original };
    this.entries.set(relativePath, entry);
    this.order.push(relativePath);
    return { ok: true, value: entry };
  }

  /** Returns the decoded text of a file as the step has it so far, or undefined when the file does not exist. */
  document(entry: FileEntry): EditResult<TextDocument | undefined> {
    const state = entry.current;
    if (!state.exists) return { ok: true, value: undefined };
    if (state.document) return { ok: true, value: state.document };
    const decoded = decodeText(state.bytes);
    if (!decoded.ok) return decoded;
    entry.current = { ...state, document: decoded.value };
    return { ok: true, value: decoded.value };
  }

  setDocument(entry: FileEntry, document: TextDocument, mode?: number): void {
    const previousMode = entry.current.exists ? entry.current.mode : undefined;
    entry.current = { exists: true, bytes: encodeText(document), document, mode: mode ?? previousMode };
  }

  remove(entry: FileEntry): void {
    entry.current = { exists: false };
  }

  move(from: FileEntry, to: FileEntry): void {
    to.current = from.current;
    from.current = { exists: false };
  }

  /** Relative paths whose content, mode or existence differs from the disk, in the order first used. */
  changedPaths(): string[] {
    return this.order.filter((relativePath) => isChanged(this.entries.get(relativePath)!));
  }

  /**
   * Writes every changed file through a temporary file and a rename, then deletes removed files.
   * When any step fails, the files already replaced or deleted are restored and the error is thrown.
   */
  async commit(): Promise<string[]> {
    const changed = this.changedPaths();
    const entries = changed.map((relativePath) => this.entries.get(relativePath)!);
    const undo: Array<() => Promise<void>> = [];
    const temporaries: string[] = [];
    try {
      const writes: Array<{ entry: FileEntry; temporary: string }> = [];
      for (const entry of entries) {
        if (!entry.current.exists) continue;
        const created = await this.fileSystem.mkdir(path.dirname(entry.absolutePath), { recursive: true });
        if (created) undo.push(() => this.fileSystem.rm(created, { recursive: true, force: true }));
        const temporary = temporaryPath(entry.absolutePath);
        temporaries.push(temporary);
        await this.fileSystem.writeFile(temporary, entry.current.bytes);
        await this.fileSystem.chmod(temporary, entry.current.mode ?? NEW_FILE_MODE);
        writes.push({ entry, temporary });
      }
      for (const { entry, temporary } of writes) {
        await this.fileSystem.rename(temporary, entry.absolutePath);
        undo.push(() => this.restore(entry));
      }
      for (const entry of entries) {
        if (entry.current.exists) continue;
        await this.fileSystem.unlink(entry.absolutePath);
        undo.push(() => this.restore(entry));
      }
    } catch (error) {
      const undoErrors: unknown[] = [];
      const cleanups = [...temporaries.map((temporary) => () => this.fileSystem.rm(temporary, { recursive: true, force: true })), ...undo.reverse()];
      for (const cleanup of cleanups) await cleanup().catch((undoError: unknown) => undoErrors.push(undoError));
      if (undoErrors.length > 0) throw new AggregateError([error, ...undoErrors], "writing the edits failed and restoring the original files failed too");
      throw error;
    }
    return changed;
  }

  /** Puts a file back as it was before the step. */
  private async restore(entry: FileEntry): Promise<void> {
    if (!entry.original.exists) {
      await this.fileSystem.rm(entry.absolutePath, { recursive: true, force: true });
      return;
    }
    const temporary = temporaryPath(entry.absolutePath);
    await this.fileSystem.writeFile(temporary, entry.original.bytes);
    await this.fileSystem.chmod(temporary, entry.original.mode ?? NEW_FILE_MODE);
    await this.fileSystem.rename(temporary, entry.absolutePath);
  }
}

export function modeFor(executable: boolean | undefined): number | undefined {
  return executable ? EXECUTABLE_MODE : undefined;
}

function isChanged(entry: FileEntry): boolean {
  const { original, current } = entry;
  if (!original.exists || !current.exists) return original.exists !== current.exists;
  return !original.bytes.equals(current.bytes) || (current.mode !== undefined && current.mode !== original.mode);
}

function temporaryPath(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString("hex")}.magic-tmp`);
}

function isCode(error: unknown, code: string): boolean {
  return (error as { code?: unknown })?.code === code;
}
