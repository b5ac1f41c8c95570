import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { resolveEditPath } from "./path-safety.js";
import type { SearchReplaceEdit } from "./search-replace.js";

export interface ApplyResult {
  /** Relative paths of the files that changed. */
  changedFiles: string[];
  /** One message per edit that could not be applied; when any exist, nothing was written. */
  errors: string[];
}

/**
 * Applies search/replace edits to the worktree. All edits of one call succeed together or none is
 * written, so a half-applied step never reaches the tests.
 */
export async function applyEdits(worktree: string, edits: SearchReplaceEdit[], protectedGlobs?: string[]): Promise<ApplyResult> {
  const contents = new Map<string, { absolutePath: string; text: string }>();
  const errors: string[] = [];
  for (const edit of edits) {
    const resolved = resolveEditPath(worktree, edit.path, protectedGlobs);
    if (!resolved.ok) {
      errors.push(`Block ${edit.blockNumber} (${edit.path}): ${resolved.message}`);
      continue;
    }
    const current = contents.get(resolved.relativePath)?.text ?? (await readIfExists(resolved.absolutePath));
    const next = applyOne(current, edit);
    if (typeof next === "string") {
      contents.set(resolved.relativePath, { absolutePath: resolved.absolutePath, text: next });
    } else {
      errors.push(`Block ${edit.blockNumber} (${resolved.relativePath}): ${next.error}`);
    }
  }
  if (errors.length > 0) return { changedFiles: [], errors };
  for (const { absolutePath, text } of contents.values()) {
    await mkdir(path.dirname(absolutePath), { recursive: true });
    await writeFile(absolutePath, text);
  }
  return { changedFiles: [...contents.keys()], errors: [] };
}

async function readIfExists(absolutePath: string): Promise<string | undefined> {
  return existsSync(absolutePath) ? readFile(absolutePath, "utf8") : undefined;
}

function applyOne(current: string | undefined, edit: SearchReplaceEdit): string | { error: string } {
  if (edit.search.trim() === "") {
    if (current !== undefined && current.trim() !== "") {
      return { error: "the SEARCH part is empty but the file already exists; quote the lines to replace." };
    }
    return edit.replace.endsWith("\n") ? edit.replace : `${edit.replace}\n`;
  }
  if (current === undefined) return { error: "the file does not exist; to create it, leave the SEARCH part empty." };
  const usesCrlf = current.includes("\r\n");
  const text = usesCrlf ? current.replace(/\r\n/g, "\n") : current;
  const first = text.indexOf(edit.search);
  if (first === -1) return { error: "the SEARCH text was not found in the file; copy the lines exactly as they are." };
  if (text.indexOf(edit.search, first + 1) !== -1) {
    return { error: "the SEARCH text occurs more than once; include more surrounding lines so it is unique." };
  }
  const result = text.slice(0, first) + edit.replace + text.slice(first + edit.search.length);
  return usesCrlf ? result.replace(/\n/g, "\r\n") : result;
}
