import type { HashHopSample } from "./generate.js";

export interface QueryScore {
  start: string;
  expected: string;
  /** Text the reply gave between the quotes, or undefined when the reply has no line for this query. */
  actual: string | undefined;
  exact: boolean;
  /** Share of hops whose hash is right at its position, from 0 to 1; only for chain-of-thought. */
  hopShare: number | undefined;
}

const QUOTES = new Set(["'", '"', "`"]);

/**
 * Finds the answer to the query that starts at `start` in a model reply: the text after
 * `start = '` up to the matching closing quote, or to the end of the line when the quote is
 * missing. The first non-empty answer wins, so an echoed `start = '` line does not hide the real
 * one. Double quotes and backticks are read like single quotes, so a model that changes the quote
 * style is still scored on the hashes it wrote.
 */
export function extractAnswer(reply: string, start: string): string | undefined {
  let empty: string | undefined;
  for (const line of reply.split(/\r?\n/)) {
    let from = 0;
    for (;;) {
      const at = line.indexOf(start, from);
      if (at === -1) break;
      from = at + start.length;
      // A match inside a longer hash is not this query.
      if (at > 0 && /[A-Za-z]/.test(line[at - 1] as string)) continue;
      const opening = /^\s*=\s*(\S)/.exec(line.slice(from));
      if (!opening || !QUOTES.has(opening[1] as string)) continue;
      const quote = opening[1] as string;
      const rest = line.slice(from + opening[0].length);
      const closing = rest.indexOf(quote);
      const answer = (closing === -1 ? rest : rest.slice(0, closing)).trim();
      if (answer !== "") return answer;
      empty = answer;
    }
  }
  return empty;
}

/** Splits an answer into its hashes: `H2 = H3` and `H2=H3` both give [H2, H3]. */
function answerHashes(answer: string): string[] {
  return answer.split("=").map((part) => part.trim());
}

/**
 * Scores one query. An answer is exact when its hashes equal the expected ones in order; spacing
 * around `=` does not count. For chain-of-thought, `chain` (start to end) also gives the share of
 * hops whose hash is right at its position.
 */
export function scoreQuery(start: string, expected: string, chain: string[] | undefined, actual: string | undefined): QueryScore {
  const expectedHashes = answerHashes(expected);
  const actualHashes = actual === undefined ? [] : answerHashes(actual);
  const exact =
    actual !== undefined &&
    actualHashes.length === expectedHashes.length &&
    actualHashes.every((hash, index) => hash === expectedHashes[index]);
  let hopShare: number | undefined;
  if (chain) {
    const path = chain.slice(1);
    const correct = path.filter((hash, index) => actualHashes[index] === hash).length;
    hopShare = correct / path.length;
  }
  return { start, expected, actual, exact, hopShare };
}

/** Scores every query of a sample against one model reply; malformed or missing lines score as wrong. */
export function scoreReply(sample: HashHopSample, reply: string): QueryScore[] {
  return sample.queries.map((query, index) =>
    scoreQuery(query.start, query.answer, sample.variant === "cot" ? sample.chains[index] : undefined, extractAnswer(reply, query.start)),
  );
}
