/** The edit formats a model reply may contain, as parsed by `parseEdits`. */
export type Edit = SearchReplaceEdit | DiffEdit | WriteEdit | CreateEdit | DeleteEdit | RenameEdit;

interface EditBase {
  /** 1-based position of the block in the reply, for error messages. */
  blockNumber: number;
  /** Path relative to the repository root, as the model wrote it. */
  path: string;
}

/**
 * Replaces the unique occurrence of the `search` lines. Both texts are lines ending in "\n"; the
 * last newline may be left out. An empty `search` creates the file or fills an empty one.
 */
export interface SearchReplaceEdit extends EditBase {
  kind: "search-replace";
  search: string;
  replace: string;
}

/** Changes one existing file by the hunks of a unified diff. */
export interface DiffEdit extends EditBase {
  kind: "diff";
  hunks: DiffHunk[];
}

/** Replaces the whole content of a file, creating it when it does not exist. */
export interface WriteEdit extends EditBase {
  kind: "write";
  content: string;
}

/** Creates a file that must not exist yet. */
export interface CreateEdit extends EditBase {
  kind: "create";
  content: string;
  /** Set by a git diff header `new file mode 100755`. */
  executable?: boolean;
}

export interface DeleteEdit extends EditBase {
  kind: "delete";
}

/** Moves `path` to `newPath`, which must not exist yet. */
export interface RenameEdit extends EditBase {
  kind: "rename";
  newPath: string;
}

/** One line of a hunk body: ` ` context, `-` removed, `+` added. */
export interface DiffLine {
  kind: " " | "-" | "+";
  text: string;
}

export interface DiffHunk {
  /** 1-based old-file line from the `@@` header. Only a hint: hunks are placed by their content. */
  oldStart?: number;
  /** The `@@` line as written, for messages. */
  header: string;
  lines: DiffLine[];
  /** A `\ No newline at end of file` marker follows the last old-side line. */
  oldNoNewlineAtEnd: boolean;
  /** A `\ No newline at end of file` marker follows the last new-side line. */
  newNoNewlineAtEnd: boolean;
}

export interface ParsedEdits {
  edits: Edit[];
  /** One message per block that could not be parsed, naming the block and what was expected. */
  errors: string[];
}

/** Stable codes of the reasons an edit is rejected. */
export type EditFailureCode =
  | "unsafe-path"
  | "not-found"
  | "ambiguous"
  | "overlapping-hunks"
  | "file-missing"
  | "file-exists"
  | "binary-file"
  | "not-utf8"
  | "not-a-file"
  | "invalid-edit"
  | "write-failed";

/** The reason one edit could not be applied, with a `message` written for the model to act on. */
export interface EditFailure {
  code: EditFailureCode;
  message: string;
}

export type EditResult<T> = { ok: true; value: T } | { ok: false; failure: EditFailure };

export function fail(code: EditFailureCode, message: string): { ok: false; failure: EditFailure } {
  return { ok: false, failure: { code, message } };
}
