import { queryTerms } from "./terms.js";

/** One frame of a stack trace or one `file:line` location quoted in the query. */
export interface QuotedLocation {
  /** The path as written, with backslashes turned into slashes and `file://` and `./` removed. */
  path: string;
  line?: number;
  /** 0 for the innermost frame, where the error was raised, then 1, 2, … outwards. */
  depth: number;
}

/** Ranking signals read from an issue's text and comments. */
export interface QuerySignals {
  terms: string[];
  /** Path-like words: they contain a slash or end in a file extension. */
  paths: string[];
  /** Words that look like code: camelCase, snake_case, `dotted.names`, calls `f(`, or text in backticks. */
  codeIdentifiers: string[];
  /** Other words of four or more letters, which may still name a definition. */
  words: string[];
  locations: QuotedLocation[];
}

const PYTHON_FRAME = /File "([^"]+)", line (\d+)/g;
const JAVA_FRAME = /\bat ((?:[\w$]+\.)+)[\w$<>]+\(([\w$]+\.(?:java|kt|scala|groovy)):(\d+)\)/g;
const PHP_FRAME = /([^\s'"()]+\.php)(?:\((\d+)\)| on line (\d+))/g;
/** `path/to/file.ext:12`, as in Node, Go, Rust, Ruby, C and compiler messages. */
const GENERIC_LOCATION = /((?:file:\/\/)?(?:[A-Za-z]:)?[\w.@~+\\/-]*[\w-]\.[A-Za-z][\w]{0,5}):(\d+)/g;
const PATH_WORD = /(?:[\w.@-]+\/)+[\w.@-]+|[\w@-]+\.(?:[a-z][a-z0-9]{0,5})\b/g;
const IDENTIFIER = /[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*/g;
const BACKTICKED = /`([^`\n]{1,200})`/g;
const MIN_IDENTIFIER_LENGTH = 3;

/** Reads the ranking signals from free text: an issue's title, body and comments, or a commit message. */
export function analyzeQuery(text: string): QuerySignals {
  const locations = locationsOf(text);
  // A path inside a stack frame already counts as a location; counting it as a mention too would double it.
  const located = locations.map((location) => location.path);
  const paths = [...text.matchAll(PATH_WORD)]
    .map((match) => normalizePath(match[0]))
    .filter((word) => !/^\d/.test(word) && !located.some((location) => location.endsWith(word)));
  return { terms: queryTerms(text), paths: unique(paths), ...identifiersOf(text), locations };
}

function identifiersOf(text: string): { codeIdentifiers: string[]; words: string[] } {
  const code = new Set<string>();
  const words = new Set<string>();
  for (const match of text.matchAll(BACKTICKED)) {
    for (const inner of match[1]?.matchAll(IDENTIFIER) ?? []) addIdentifier(inner[0], code);
  }
  for (const match of text.matchAll(IDENTIFIER)) {
    const word = match[0];
    const followedByCall = text[(match.index ?? 0) + word.length] === "(";
    if (word.includes(".") || followedByCall || /[a-z][A-Z]|_/.test(word)) addIdentifier(word, code);
    else if (word.length >= 4) words.add(word);
  }
  for (const identifier of code) words.delete(identifier);
  return { codeIdentifiers: [...code], words: [...words] };
}

/** Adds an identifier and, for `a.b.c`, each part, because any of them may be the defined name. */
function addIdentifier(word: string, into: Set<string>): void {
  for (const part of word.split(".")) {
    if (part.length >= MIN_IDENTIFIER_LENGTH) into.add(part);
  }
}

function locationsOf(text: string): QuotedLocation[] {
  const found: Array<{ path: string; line?: number; offset: number; innermostLast: boolean }> = [];
  const covered: Array<[number, number]> = [];
  // Python prints the innermost frame last; most other runtimes print it first.
  const pythonInnermostLast = /Traceback \(most recent call last\)/.test(text);
  const add = (match: RegExpMatchArray, path: string, line: string | undefined, innermostLast: boolean): void => {
    const start = match.index ?? 0;
    const end = start + match[0].length;
    // The generic `file:line` pattern also matches inside frames that a runtime-specific pattern has read.
    if (covered.some(([from, to]) => start < to && end > from)) return;
    covered.push([start, end]);
    found.push({ path: normalizePath(path), line: line ? Number(line) : undefined, offset: start, innermostLast });
  };
  for (const match of text.matchAll(PYTHON_FRAME)) add(match, match[1] ?? "", match[2], pythonInnermostLast);
  for (const match of text.matchAll(JAVA_FRAME)) {
    const packagePath = (match[1] ?? "").split(".").slice(0, -2).join("/");
    add(match, packagePath ? `${packagePath}/${match[2]}` : (match[2] ?? ""), match[3], false);
  }
  for (const match of text.matchAll(PHP_FRAME)) add(match, match[1] ?? "", match[2] ?? match[3], false);
  for (const match of text.matchAll(GENERIC_LOCATION)) add(match, match[1] ?? "", match[2], false);
  found.sort((left, right) => left.offset - right.offset);
  const firstOrder = found.filter((location) => !location.innermostLast);
  const lastOrder = found.filter((location) => location.innermostLast).reverse();
  return [...lastOrder, ...firstOrder].map((location, depth) => ({ path: location.path, line: location.line, depth }));
}

export function normalizePath(path: string): string {
  return path
    .replace(/\\/g, "/")
    .replace(/^file:\/\//, "")
    .replace(/^(\.\/)+/, "")
    .replace(/[.,;:)]+$/, "");
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
