/*
 * Terms for lexical ranking. Code and prose meet in one vocabulary: each identifier counts whole and
 * split into its camelCase and snake_case parts, and every term goes through a light suffix stemmer,
 * so "parseConfig" in code and "parsing the config" in an issue share the terms "pars" and "config".
 */

const WORD = /[A-Za-z_][A-Za-z0-9_]*/g;
const PART = /[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+/g;
const MIN_TERM_LENGTH = 2;
const MAX_TERM_LENGTH = 40;

/** Suffixes stripped by `stem`, longest first; each leaves at least three characters. */
const SUFFIXES: Array<[string, string]> = [
  ["ations", ""],
  ["ation", ""],
  ["ings", ""],
  ["ing", ""],
  ["ies", "y"],
  ["ers", ""],
  ["er", ""],
  ["es", ""],
  ["ed", ""],
  ["s", ""],
  ["e", ""],
];

const STOP_WORDS = new Set(
  (
    "a an and are as at be but by can could do does for from has have how if in into is it its of on or our " +
    "should so that the their then there these this to was we were when which while will with would you your " +
    "not no use using used add fix fixed fixes make makes now also only some more than other"
  ).split(" "),
);

/** Reduces an English or identifier word to a crude stem: "parse", "parser", "parsing" and "parses" give "pars". */
export function stem(word: string): string {
  if (word.length <= 3 || word.endsWith("ss")) return word;
  for (const [suffix, replacement] of SUFFIXES) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 3) return word.slice(0, -suffix.length) + replacement;
  }
  return word;
}

/** Calls `add` once for each term of the text, in order; terms repeat as often as they occur. */
export function forEachTerm(text: string, add: (term: string) => void): void {
  for (const match of text.matchAll(WORD)) {
    const identifier = match[0];
    if (identifier.length > MAX_TERM_LENGTH) continue;
    const parts = identifier.match(PART) ?? [];
    const whole = identifier.toLowerCase().replace(/^_+|_+$/g, "");
    if (whole.length >= MIN_TERM_LENGTH) add(stem(whole));
    if (parts.length < 2) continue;
    for (const part of parts) {
      if (part.length >= MIN_TERM_LENGTH && !/^[0-9]+$/.test(part)) add(stem(part.toLowerCase()));
    }
  }
}

/** Counts the terms of a text. */
export function countTerms(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  forEachTerm(text, (term) => counts.set(term, (counts.get(term) ?? 0) + 1));
  return counts;
}

/** The distinct terms of a query, without English stop words, in first-seen order. */
export function queryTerms(text: string): string[] {
  const terms = new Set<string>();
  for (const match of text.matchAll(WORD)) {
    if (STOP_WORDS.has(match[0].toLowerCase())) continue;
    forEachTerm(match[0], (term) => terms.add(term));
  }
  return [...terms];
}
