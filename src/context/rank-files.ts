import { scoreBm25, type TermDocument } from "./bm25.js";
import type { RepositoryIndex } from "./index-repository.js";
import { PathResolver } from "./path-resolver.js";
import { analyzeQuery, type QuerySignals } from "./query-signals.js";
import { buildReferenceGraph, personalizedPageRank, type ReferenceGraph } from "./reference-graph.js";
import { comparePaths } from "./listing.js";
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

/** A source file with its tests, in ranking order. A test with no matching source file is ranked on its own. */
export interface RankedFile {
  path: string;
  score: number;
  /** Test files whose subject is this file; their scores count towards `score`. */
  tests: string[];
  signals: RankSignals;
}

/** Weights of the ranking signals; `DEFAULT_RANK_WEIGHTS` contains the ones in use. */
export interface RankWeights {
  location: number;
  /** Factor per frame away from the innermost one. */
  locationDecay: number;
  pathMention: number;
  nameMention: number;
  codeIdentifier: number;
  wordIdentifier: number;
  lexical: number;
  graph: number;
  /** Files whose direct score seeds the random walk; seeding every weak lexical match would turn it into global PageRank. */
  graphSeeds: number;
  /**
   * How much a file's own direct score reduces what the graph adds to it, from 0 (not at all) to 1 (the
   * best direct match gains nothing), so that the graph lifts neighbours more than files already found.
   */
  graphOverlap: number;
  /** Repetitions of each path term added to a file's terms. */
  pathTerms: number;
  /** Share of the best test's score that its subject gains. */
  testShare: number;
}

/*
 * Set by hand and compared with `npm run bench:context` on four public repositories (bench/context.md).
 * The innermost stack frame has the largest weight of any single signal, because it names the failing
 * code directly. With `graphOverlap` 1 and `graph` below 1, no file's direct score plus its graph score
 * passes the best direct score, so the best direct match stays first unless test scores lift another.
 */
export const DEFAULT_RANK_WEIGHTS: RankWeights = {
  location: 4,
  locationDecay: 0.7,
  pathMention: 3,
  nameMention: 1.5,
  codeIdentifier: 1.5,
  wordIdentifier: 0.4,
  lexical: 2,
  graph: 0.75,
  graphSeeds: 20,
  graphOverlap: 1,
  pathTerms: 3,
  testShare: 0.5,
};

/** Words that name a definition in more files than this are too common to point anywhere. */
const MAX_WORD_DEFINERS = 10;
const DAMPING = 0.85;

interface PreparedIndex {
  paths: string[];
  resolver: PathResolver;
  graph: ReferenceGraph;
  documents: TermDocument[];
  subjects: Map<string, string>;
  pathTermWeight: number;
}

const prepared = new WeakMap<RepositoryIndex, PreparedIndex>();

/**
 * Ranks every indexed file against free text, such as an issue with its comments. Deterministic: the
 * same index and text give the same order, ties broken by path.
 */
export function rankFiles(index: RepositoryIndex, query: string, weights: RankWeights = DEFAULT_RANK_WEIGHTS): RankedFile[] {
  const state = prepare(index, weights.pathTerms);
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

  scoreMentions(state, signals, credit, weights);
  scoreIdentifiers(state, signals, perFile, weights);
  const lexical = scoreBm25(state.documents, signals.terms);
  const bestLexical = lexical.reduce((best, score) => Math.max(best, score), 0);
  if (bestLexical > 0) lexical.forEach((score, at) => (perFile[at]!.lexical = (weights.lexical * score) / bestLexical));

  scoreGraph(state.graph, perFile, weights);
  return groupWithTests(state, perFile, weights.testShare);
}

function prepare(index: RepositoryIndex, pathTermWeight: number): PreparedIndex {
  const existing = prepared.get(index);
  if (existing && existing.pathTermWeight === pathTermWeight) return existing;
  const paths = index.files.map((file) => file.path);
  const state: PreparedIndex = {
    paths,
    resolver: new PathResolver(paths),
    graph: buildReferenceGraph(index.files.map((file) => file.facts)),
    documents: index.files.map((file) => ({ terms: file.facts.terms, extra: pathTerms(file.path, pathTermWeight) })),
    pathTermWeight,
    subjects: matchTestsToSubjects(paths),
  };
  prepared.set(index, state);
  return state;
}

function pathTerms(filePath: string, weight: number): Map<string, number> {
  const counts = countTerms(filePath.replace(/[/._-]/g, " "));
  for (const [term, count] of counts) counts.set(term, count * weight);
  return counts;
}

type Credit = (files: string[], field: keyof RankSignals, amount: number) => void;

function scoreMentions(state: PreparedIndex, signals: QuerySignals, credit: Credit, weights: RankWeights): void {
  for (const location of signals.locations) {
    credit(state.resolver.resolve(location.path), "location", weights.location * weights.locationDecay ** location.depth);
  }
  for (const written of signals.paths) {
    const files = state.resolver.resolve(written);
    credit(files, "mention", written.includes("/") ? weights.pathMention : weights.nameMention);
  }
}

function scoreIdentifiers(state: PreparedIndex, signals: QuerySignals, perFile: RankSignals[], weights: RankWeights): void {
  const add = (names: string[], weight: number, maxDefiners: number): void => {
    for (const name of names) {
      const definers = state.graph.definers.get(name);
      if (!definers || definers.length > maxDefiners) continue;
      for (const at of definers) perFile[at]!.identifier += weight / Math.sqrt(definers.length);
    }
  };
  add(signals.codeIdentifiers, weights.codeIdentifier, Number.POSITIVE_INFINITY);
  add(signals.words, weights.wordIdentifier, MAX_WORD_DEFINERS);
}

/**
 * Adds what the reference graph passes on from the best direct matches: personalised PageRank seeded
 * with the top files, minus each seed's own restart mass, scaled so that the file receiving the most
 * gets `weights.graph` times the best direct score. With no direct match at all, plain PageRank ranks the
 * files, which favours widely used ones.
 */
function scoreGraph(graph: ReferenceGraph, perFile: RankSignals[], weights: RankWeights): void {
  const direct = perFile.map(personalWeight);
  const seeds = direct
    .map((score, at) => ({ score, at }))
    .filter((seed) => seed.score > 0)
    .sort((left, right) => right.score - left.score || left.at - right.at)
    .slice(0, weights.graphSeeds);
  const personalization = new Float64Array(perFile.length);
  for (const seed of seeds) personalization[seed.at] = seed.score;
  const rank = personalizedPageRank(graph, personalization, DAMPING);
  const seedTotal = seeds.reduce((sum, seed) => sum + seed.score, 0);
  const received = Float64Array.from(rank, (value, at) => (seedTotal > 0 ? Math.max(0, value - ((1 - DAMPING) * (personalization[at] ?? 0)) / seedTotal) : value));
  const mostReceived = received.reduce((best, value) => Math.max(best, value), 0);
  if (mostReceived <= 0) return;
  const bestDirect = seeds[0]?.score ?? 0;
  const scale = (weights.graph * (bestDirect || 1)) / mostReceived;
  received.forEach((value, at) => {
    const overlap = bestDirect > 0 ? (weights.graphOverlap * (direct[at] ?? 0)) / bestDirect : 0;
    perFile[at]!.graph = value * scale * (1 - overlap);
  });
}

function personalWeight(signals: RankSignals): number {
  return signals.mention + signals.location + signals.identifier + signals.lexical;
}

function fileScore(signals: RankSignals): number {
  return personalWeight(signals) + signals.graph;
}

function groupWithTests(state: PreparedIndex, perFile: RankSignals[], testShare: number): RankedFile[] {
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
    if (unit) unit.score += testShare * score;
  }
  return [...units.values()].sort((left, right) => right.score - left.score || comparePaths(left, right));
}
