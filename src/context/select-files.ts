import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { createGit } from "../workspace/git.js";

export interface ContextFile {
  path: string;
  content: string;
}

export interface SelectedContext {
  files: ContextFile[];
  /** Paths of tracked text files that did not fit, listed so the model knows they exist. */
  omitted: string[];
}

const MAX_FILE_BYTES = 100_000;
const SKIPPED_PATH = /(^|\/)(node_modules|vendor|dist|build)\/|(^|\/)(package-lock\.json|yarn\.lock|pnpm-lock\.yaml)$/;

/**
 * Chooses which tracked files go into the prompt: files whose path or name the issue mentions come
 * first, then the rest in path order, until `maxCharacters` is reached.
 */
export async function selectContext(worktree: string, issueText: string, maxCharacters: number): Promise<SelectedContext> {
  const tracked = (await createGit(worktree).raw(["ls-files", "-z"])).split("\0").filter(Boolean);
  const candidates = tracked.filter((file) => !SKIPPED_PATH.test(file));
  const ranked = [...candidates].sort((left, right) => mentionScore(right, issueText) - mentionScore(left, issueText));
  const files: ContextFile[] = [];
  const omitted: string[] = [];
  let used = 0;
  for (const file of ranked) {
    const content = await readTextFile(path.join(worktree, file));
    if (content === undefined) continue;
    if (used + content.length > maxCharacters) {
      omitted.push(file);
      continue;
    }
    files.push({ path: file, content });
    used += content.length;
  }
  return { files, omitted };
}

function mentionScore(file: string, issueText: string): number {
  if (issueText.includes(file)) return 2;
  const name = path.posix.basename(file);
  const stem = name.replace(/\.[^.]+$/, "");
  if (issueText.includes(name)) return 1.5;
  return stem.length > 2 && new RegExp(`\\b${stem.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\b`).test(issueText) ? 1 : 0;
}

async function readTextFile(absolutePath: string): Promise<string | undefined> {
  const info = await stat(absolutePath).catch(() => undefined);
  if (!info?.isFile() || info.size > MAX_FILE_BYTES) return undefined;
  const buffer = await readFile(absolutePath);
  if (buffer.includes(0)) return undefined;
  return buffer.toString("utf8");
}
