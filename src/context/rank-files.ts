import { scoreBm25, type TermDocument } from "./bm25.js";
import type { RepositoryIndex } from "./index-repository.js";
import { PathResolver } from "./path-resolver.js";
import { analyzeQuery, type QuerySignals } from "./query-signals.js";
import { buildReferenceGraph, personalizedPageRank, type ReferenceGraph } from "./reference-graph.js";
import { countTerms } from "./terms.js";
import { matchTestsToSubjects } from "./test-files.js";

/** How much each signal gave a file, before the tests of the file are added. */
export interface RankSignals {
  /** The file's path or name is written in the query. */
  mention: number;
  /** A stack frame or `file:line` in the query points into the file. */
  location: number;
  /** The file defines an identifier the query names. */
  identifier: number;
  /** BM25 similarity of the query to the file's words, identifiers and path. */
  lexical: number;
  /** Personalised PageRank over the reference graph, from the files the other signals found. */
  graph: number;
}

/** A source file with its tests, in ranking order; a test with no matching source file stands alone. */
export interface RankedFile {
  path: string;
  score: number;
  /** Test files whose subject is this file; their scores count towards `score`. */
  tests: string[];
  signals: RankSignals;
}

/*
 * Signal weights. They were set by hand and checked with `npm run bench:context` on real repositories;
 * a quoted stack frame outweighs everything else, because it names the failing code directly.
 */
const LOCATION_WEIGHT = 4;
const LOCATION_DECAY = 0.7;
const PATH_MENTION_WEIGHT = 3;
const NAME_MENTION_WEIGHT = 1.5;
const CODE_IDENTIFIER_WEIGHT = 1.5;
const WORD_IDENTIFIER_WEIGHT = 0.4;
const MAX_WORD_DEFINERS = 10;
const LEXICAL_WEIGHT = 2;
const GRAPH_WEIGHT = 1;
const PATH_TERM_WEIGHT = 3;
/** Share of the best test's score that its subject gains. */
const TEST_SHARE = 0.5;

interface PreparedIndex {
  paths: string[];
  resolver: PathResolver;
  graph: ReferenceGraph;
  documents: TermDocument[];
  subjects: Map<string, string>;
}

const prepared = new WeakMap<RepositoryIndex, PreparedIndex>();

/**
 * Ranks every indexed file against free text, such as an issue with its comments. Deterministic: the
 * same index and text give the same order, ties broken by path.
 */
export function rankFiles(index: RepositoryIndex, query: string): RankedFile[] {
  const state = prepare(index);
  const signals = analyzeQuery(query);
  const size = state.paths.length;
  const perFile = Array.from({ length: size }, (): RankSignals => ({ mention: 0, location: 0, identifier: 0, lexical: 0, graph: 0 }));
  const position = new Map(state.paths.map((filePath, at) => [filePath, at]));
  const credit = (files: string[], field: keyof RankSignals, amount: number): void => {
    for (const file of files) {
      const at = position.get(file);
      if (at !== undefined) perFile[at]![field] += amount / files.length;
    }
  };

  scoreMentions(state, signals, credit);
  scoreIdentifiers(state, signals, perFile);
  const lexical = scoreBm25(state.documents, signals.terms);
  const bestLexical = Math.max(0, ...lexical);
  if (bestLexical > 0) lexical.forEach((score, at) => (perFile[at]!.lexical = (LEXICAL_WEIGHT * score) / bestLexical));

  const personalization = Float64Array.from(perFile, personalWeight);
  const total = personalization.reduce((sum, value) => sum + value, 0);
  const rank = personalizedPageRank(state.graph, personalization);
  // With no signal at all the ranking falls back to plain PageRank, which favours widely used files.
  const scale = total > 0 ? total : 1;
  rank.forEach((value, at) => (perFile[at]!.graph = GRAPH_WEIGHT * value * scale));

  return groupWithTests(state, perFile);
}

function prepare(index: RepositoryIndex): PreparedIndex {
  const existing = prepared.get(index);
  if (existing) return existing;
  const paths = index.files.map((file) => file.path);
  const state: PreparedIndex = {
    paths,
    resolver: new PathResolver(paths),
    graph: buildReferenceGraph(index.files.map((file) => file.facts)),
    documents: index.files.map((file) => ({ terms: file.facts.terms, extra: pathTerms(file.path) })),
    subjects: matchTestsToSubjects(paths),
  };
  prepared.set(index, state);
  return state;
}

function pathTerms(filePath: string): Map<string, number> {
  const counts = countTerms(filePath.replace(/[/._-]/g, " "));
  for (const [term, count] of counts) counts.set(term, count * PATH_TERM_WEIGHT);
  return counts;
}

type Credit = (files: string[], field: keyof RankSignals, amount: number) => void;

function scoreMentions(state: PreparedIndex, signals: QuerySignals, credit: Credit): void {
  for (const location of signals.locations) {
    credit(state.resolver.resolve(location.path), "location", LOCATION_WEIGHT * LOCATION_DECAY ** location.depth);
  }
  for (const written of signals.paths) {
    const files = state.resolver.resolve(written);
    credit(files, "mention", written.includes("/") ? PATH_MENTION_WEIGHT : NAME_MENTION_WEIGHT);
  }
}

function scoreIdentifiers(state: PreparedIndex, signals: QuerySignals, perFile: RankSignals[]): void {
  const add = (names: string[], weight: number, maxDefiners: number): void => {
    for (const name of names) {
      const definers = state.graph.definers.get(name);
      if (!definers || definers.length > maxDefiners) continue;
      for (const at of definers) perFile[at]!.identifier += weight / Math.sqrt(definers.length);
    }
  };
  add(signals.codeIdentifiers, CODE_IDENTIFIER_WEIGHT, Number.POSITIVE_INFINITY);
  add(signals.words, WORD_IDENTIFIER_WEIGHT, MAX_WORD_DEFINERS);
}

function personalWeight(signals: RankSignals): number {
  return signals.mention + signals.location + signals.identifier + signals.lexical;
}

function fileScore(signals: RankSignals): number {
  return personalWeight(signals) + signals.graph;
}

function groupWithTests(state: PreparedIndex, perFile: RankSignals[]): RankedFile[] {
  const units = new Map<string, RankedFile>();
  const bestTest = new Map<string, number>();
  state.paths.forEach((filePath, at) => {
    if (state.subjects.has(filePath)) return;
    const signals = perFile[at]!;
    units.set(filePath, { path: filePath, score: fileScore(signals), tests: [], signals });
  });
  state.paths.forEach((filePath, at) => {
    const subject = state.subjects.get(filePath);
    const unit = subject ? units.get(subject) : undefined;
    if (!unit) return;
    unit.tests.push(filePath);
    bestTest.set(unit.path, Math.max(bestTest.get(unit.path) ?? 0, fileScore(perFile[at]!)));
  });
  for (const [subject, score] of bestTest) {
    const unit = units.get(subject);
    if (unit) unit.score += TEST_SHARE * score;
  }
  return [...units.values()].sort((left, right) => right.score - left.score || (left.path < right.path ? -1 : left.path > right.path ? 1 : 0));
}
