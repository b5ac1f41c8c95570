/** Term counts of one document. Plain objects from the cache are read with `Object.hasOwn`, never by bare lookup. */
export interface TermDocument {
  terms: Readonly<Record<string, number>>;
  /** Extra counts, such as the terms of the file's path, added to `terms`. */
  extra?: ReadonlyMap<string, number>;
}

export interface Bm25Options {
  k1?: number;
  b?: number;
}

/**
 * Scores documents against query terms with Okapi BM25 (k1 = 1.2, b = 0.75 by default) and the
 * non-negative idf `ln(1 + (N - df + 0.5) / (df + 0.5))`. Returns one score per document.
 */
export function scoreBm25(documents: readonly TermDocument[], query: readonly string[], options: Bm25Options = {}): Float64Array {
  const k1 = options.k1 ?? 1.2;
  const b = options.b ?? 0.75;
  const scores = new Float64Array(documents.length);
  if (documents.length === 0 || query.length === 0) return scores;

  const lengths = documents.map(documentLength);
  const averageLength = lengths.reduce((sum, length) => sum + length, 0) / documents.length || 1;
  const frequencies = documents.map((document) => query.map((term) => termCount(document, term)));
  const idf = query.map((_, position) => {
    const df = frequencies.reduce((count, row) => count + ((row[position] ?? 0) > 0 ? 1 : 0), 0);
    return Math.log(1 + (documents.length - df + 0.5) / (df + 0.5));
  });

  frequencies.forEach((row, documentIndex) => {
    const norm = k1 * (1 - b + (b * (lengths[documentIndex] ?? 0)) / averageLength);
    let score = 0;
    row.forEach((tf, position) => {
      if (tf > 0) score += ((idf[position] ?? 0) * tf * (k1 + 1)) / (tf + norm);
    });
    scores[documentIndex] = score;
  });
  return scores;
}

function termCount(document: TermDocument, term: string): number {
  const own = Object.hasOwn(document.terms, term) ? (document.terms[term] ?? 0) : 0;
  return own + (document.extra?.get(term) ?? 0);
}

function documentLength(document: TermDocument): number {
  let length = 0;
  for (const term in document.terms) length += document.terms[term] ?? 0;
  for (const count of document.extra?.values() ?? []) length += count;
  return length;
}
