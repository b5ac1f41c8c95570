import { diffArrays } from "diff";
import { fail, type DiffEdit, type EditResult, type SearchReplaceEdit } from "./edit.js";
import { applyHunks, isElisionLine, type EditHunk, type HunkOp } from "./hunk.js";
import { documentFromReply, replyLines, type TextDocument } from "./text-document.js";

/**
 * Applies a search/replace block to a file, or to no file when it does not exist. Pure.
 * An empty SEARCH creates the file or fills an empty one.
 */
export function applySearchReplace(document: TextDocument | undefined, edit: SearchReplaceEdit): EditResult<TextDocument> {
  const search = replyLines(edit.search);
  const replace = replyLines(edit.replace);
  if (search.every((line) => line.trim() === "")) {
    if (document && document.lines.some((line) => line.trim() !== "")) {
      return fail("invalid-edit", "the SEARCH part is empty but the file already has content; quote the lines to replace, or use a WRITE block to replace the whole file.");
    }
    return { ok: true, value: documentFromReply(edit.replace.endsWith("\n") || edit.replace === "" ? edit.replace : `${edit.replace}\n`, document) };
  }
  if (!document) {
    return fail("file-missing", "the file does not exist; to create it, leave the SEARCH part empty or use a CREATE block.");
  }
  const searchElisions = search.filter(isElisionLine).length;
  const replaceElisions = replace.filter(isElisionLine).length;
  if (searchElisions !== replaceElisions && searchElisions > 0) {
    const literal = applyHunks(document, [searchReplaceHunk(search, replace)]);
    if (literal.ok) return literal;
    return fail(
      "invalid-edit",
      `the SEARCH part has ${searchElisions} "..." line(s) but the REPLACE part has ${replaceElisions}; each "..." that skips lines must appear in both, or quote the skipped lines in full.`,
    );
  }
  return applyHunks(document, [searchReplaceHunk(search, replace)]);
}

const DIFF_LINE_KINDS = { " ": "context", "-": "remove", "+": "add" } as const;

/** Applies the hunks of one file's unified diff. Pure. */
export function applyDiff(document: TextDocument | undefined, edit: DiffEdit): EditResult<TextDocument> {
  if (!document) return fail("file-missing", "the file does not exist; a diff that creates a file needs `--- /dev/null` as its old side.");
  const onlyAdditions = edit.hunks.every((hunk) => hunk.lines.every((line) => line.kind === "+"));
  if (onlyAdditions && document.lines.every((line) => line.trim() === "")) {
    const added = edit.hunks.flatMap((hunk) => hunk.lines.map((line) => line.text));
    const noNewline = edit.hunks.at(-1)?.newNoNewlineAtEnd ?? false;
    return { ok: true, value: documentFromReply(added.join("\n") + (noNewline ? "" : "\n"), undefined) };
  }
  const hunks: EditHunk[] = edit.hunks.map((hunk, index) => ({
    ops: hunk.lines.map((line): HunkOp => ({ kind: DIFF_LINE_KINDS[line.kind], text: line.text })),
    label: `hunk ${index + 1} (${hunk.header})`,
    trimmableContext: true,
    explicitChanges: true,
    oldNoNewlineAtEnd: hunk.oldNoNewlineAtEnd,
    newNoNewlineAtEnd: hunk.newNoNewlineAtEnd,
  }));
  const empty = hunks.findIndex((hunk) => !hunk.ops.some((op) => op.kind === "context" || op.kind === "remove"));
  if (empty !== -1) {
    return fail("invalid-edit", `${hunks[empty]!.label} has no context or removed lines to place it by; include the lines around the insertion.`);
  }
  return applyHunks(document, hunks);
}

/**
 * Turns SEARCH and REPLACE lines into hunk steps. Lines common to both, found by a longest common
 * subsequence, become context, so the file's own version of those lines is kept.
 */
function searchReplaceHunk(search: string[], replace: string[]): EditHunk {
  const ops: HunkOp[] = [];
  for (const change of diffArrays(search, replace)) {
    let kind: "add" | "remove" | "context" = "context";
    if (change.added) kind = "add";
    else if (change.removed) kind = "remove";
    for (const text of change.value) ops.push({ kind, text });
  }
  return { ops, label: "the SEARCH text", trimmableContext: false, explicitChanges: false, oldNoNewlineAtEnd: false, newNoNewlineAtEnd: false };
}
