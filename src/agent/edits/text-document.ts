import { fail, type EditResult } from "./edit.js";

/**
 * A UTF-8 text file split into lines. Each line keeps its own terminator so that CRLF, LF and mixed
 * files are written back exactly as they were wherever an edit did not touch them.
 */
export interface TextDocument {
  /** The file starts with a UTF-8 byte order mark. */
  bom: boolean;
  /** Line contents without terminators. */
  lines: string[];
  /** Terminator of each line: "\n" or "\r\n", or "" for a last line without a newline. */
  eols: string[];
}

/** Git treats a file with a NUL byte in its first 8000 bytes as binary, and this check uses the same rule. */
const BINARY_PROBE_BYTES = 8_000;
const BOM = "\uFEFF";

/** Decodes file bytes, rejecting binary and non-UTF-8 files so that they are never rewritten. */
export function decodeText(bytes: Uint8Array): EditResult<TextDocument> {
  if (bytes.subarray(0, BINARY_PROBE_BYTES).includes(0)) {
    return fail("binary-file", "the file is binary (it contains NUL bytes); the app does not edit binary files.");
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return fail("not-utf8", "the file is not valid UTF-8 (it may be Latin-1 or another encoding); the app only edits UTF-8 text files.");
  }
  const bom = text.startsWith(BOM);
  return { ok: true, value: { bom, ...splitLines(bom ? text.slice(1) : text) } };
}

export function encodeText(document: TextDocument): Buffer {
  return Buffer.from(documentText(document), "utf8");
}

export function documentText(document: TextDocument): string {
  let text = document.bom ? BOM : "";
  for (let index = 0; index < document.lines.length; index++) {
    text += document.lines[index]! + document.eols[index]!;
  }
  return text;
}

/** Splits text at "\n" and "\r\n". A lone "\r" stays part of its line. */
export function splitLines(text: string): { lines: string[]; eols: string[] } {
  const lines: string[] = [];
  const eols: string[] = [];
  let start = 0;
  while (start < text.length) {
    const newline = text.indexOf("\n", start);
    if (newline === -1) {
      lines.push(text.slice(start));
      eols.push("");
      break;
    }
    const crlf = newline > start && text[newline - 1] === "\r";
    lines.push(text.slice(start, crlf ? newline - 1 : newline));
    eols.push(crlf ? "\r\n" : "\n");
    start = newline + 1;
  }
  return { lines, eols };
}

/** Splits text from a model reply into lines, ignoring one final newline. Blank lines before it are kept. */
export function replyLines(text: string): string[] {
  if (text === "") return [];
  const normalized = text.replace(/\r\n/g, "\n");
  return (normalized.endsWith("\n") ? normalized.slice(0, -1) : normalized).split("\n");
}

/** Returns the most frequent terminator among `eols[from..to)`, or `fallback` when that range has none. */
export function commonEol(eols: string[], from = 0, to = eols.length, fallback = "\n"): string {
  let crlf = 0;
  let lf = 0;
  for (let index = from; index < to; index++) {
    if (eols[index] === "\r\n") crlf++;
    else if (eols[index] === "\n") lf++;
  }
  if (crlf === 0 && lf === 0) return fallback;
  return crlf > lf ? "\r\n" : "\n";
}

/** Builds a new document from model text, using the terminator, BOM and final-newline state of `like`. */
export function documentFromReply(content: string, like: TextDocument | undefined): TextDocument {
  const lines = replyLines(content);
  const eol = like ? commonEol(like.eols) : "\n";
  const eols = lines.map(() => eol);
  const keepMissingNewline = like !== undefined && like.lines.length > 0 && like.eols.at(-1) === "";
  if (eols.length > 0 && keepMissingNewline) eols[eols.length - 1] = "";
  return { bom: like?.bom ?? false, lines, eols };
}
