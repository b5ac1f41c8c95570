import type { IndexedFile, RepositoryIndex } from "./index-repository.js";
import type { RankedFile } from "./rank-files.js";
import { renderSignatures, renderTreeLines, renderWholeFile } from "./render.js";
import { countO200kTokens, type TokenCounter } from "./token-count.js";

/** The repository text for the prompt and what it contains. */
export interface PackedContext {
  text: string;
  /** Tokens of `text` by the counter used for packing; never more than the budget. */
  tokens: number;
  /** Files shown whole, in the order they appear. */
  wholeFiles: string[];
  /** Files shown by their signatures in the repository map. */
  mappedFiles: string[];
  /** Files named only in the list of other files. */
  listedFiles: string[];
  /** True when every indexed file is shown whole. */
  wholeRepository: boolean;
}

export interface PackOptions {
  tokenBudget: number;
  /** Token counter of the model; o200k_base by default. */
  countTokens?: TokenCounter;
}

/** Shares of the budget that whole files may fill, and then the repository map of what is left. */
const WHOLE_FILES_SHARE = 0.65;
const MAP_SHARE_OF_REST = 0.75;
/** Files scoring below this share of the top score are never shown whole, so small files far down the ranking do not fill gaps. */
const WHOLE_FILE_MIN_SCORE_SHARE = 0.05;

interface Piece {
  kind: "whole" | "map" | "tree";
  path?: string;
  paths?: string[];
  text: string;
  tokens: number;
}

/**
 * Packs the repository into `tokenBudget` tokens. When every file fits, all of them are shown whole in
 * path order, so the text does not depend on the query. Otherwise the top ranked files (with their
 * tests) are shown whole, the signatures of the next ones form a repository map, and the rest are
 * listed by folder. The output depends only on its inputs: no clock, no randomness, stable orders.
 */
export function packContext(index: RepositoryIndex, ranked: readonly RankedFile[], options: PackOptions): PackedContext {
  const count = options.countTokens ?? countO200kTokens;
  const budget = Math.max(0, Math.floor(options.tokenBudget));
  const files = new Map(index.files.map((file) => [file.path, file]));

  const whole = packWholeRepository(index, budget, count);
  if (whole) return whole;

  const order = rankedOrder(index, ranked);
  const pieces: Piece[] = [];
  let used = count(header(index.files.length, 0, 0, 0)) + 2;
  const wholeCandidates = order.slice(0, wholeFileCandidates(ranked));
  used = addWholeFiles(wholeCandidates, files, index, count, Math.floor(budget * WHOLE_FILES_SHARE), used, pieces);
  const shown = new Set(pieces.map((piece) => piece.path));
  const remaining = order.filter((filePath) => !shown.has(filePath));
  const mapLimit = used + Math.floor((budget - used) * MAP_SHARE_OF_REST);
  used = addMapEntries(remaining, files, count, mapLimit, used, pieces);
  const mapped = new Set(pieces.filter((piece) => piece.kind === "map").map((piece) => piece.path));
  used = addTreeLines(
    remaining.filter((filePath) => !mapped.has(filePath)),
    count,
    budget,
    used,
    pieces,
  );
  upgradeMapEntries(pieces, files, index, count, budget - used, order);
  return assemble(index.files.length, pieces, budget, count);
}

function packWholeRepository(index: RepositoryIndex, budget: number, count: TokenCounter): PackedContext | undefined {
  const estimate = index.files.reduce((sum, file) => sum + file.facts.tokens, 0);
  if (estimate > budget) return undefined;
  const parts = index.files.map((file) => renderWholeFile(file.path, index.readText(file.path)));
  const text = [`The whole repository: ${index.files.length} files.\n`, ...parts].join("\n");
  const tokens = count(text);
  if (tokens > budget) return undefined;
  const paths = index.files.map((file) => file.path);
  return { text, tokens, wholeFiles: paths, mappedFiles: [], listedFiles: [], wholeRepository: true };
}

/** Ranked units flattened: each file followed by its tests, then any indexed file the ranking missed. */
function rankedOrder(index: RepositoryIndex, ranked: readonly RankedFile[]): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const push = (filePath: string): void => {
    if (seen.has(filePath)) return;
    seen.add(filePath);
    order.push(filePath);
  };
  for (const unit of ranked) {
    push(unit.path);
    for (const test of unit.tests) push(test);
  }
  for (const file of index.files) push(file.path);
  return order;
}

/** Counts the leading entries of the ranked order (files and their tests) that score high enough to be shown whole. */
function wholeFileCandidates(ranked: readonly RankedFile[]): number {
  const minimum = (ranked[0]?.score ?? 0) * WHOLE_FILE_MIN_SCORE_SHARE;
  let candidates = 0;
  for (const unit of ranked) {
    if (unit.score < minimum) break;
    candidates += 1 + unit.tests.length;
  }
  return candidates;
}

function addWholeFiles(
  order: string[],
  files: Map<string, IndexedFile>,
  index: RepositoryIndex,
  count: TokenCounter,
  limit: number,
  used: number,
  pieces: Piece[],
): number {
  for (const filePath of order) {
    const file = files.get(filePath);
    // The cached o200k_base count skips files that cannot fit without reading them. With a tokenizer that
    // counts fewer tokens than o200k_base, a file skipped here might just have fitted.
    if (!file || used + file.facts.tokens > limit) continue;
    const text = renderWholeFile(filePath, index.readText(filePath));
    const tokens = count(text) + 1;
    if (used + tokens > limit) continue;
    pieces.push({ kind: "whole", path: filePath, text, tokens });
    used += tokens;
  }
  return used;
}

function addMapEntries(remaining: string[], files: Map<string, IndexedFile>, count: TokenCounter, limit: number, used: number, pieces: Piece[]): number {
  let sectionCost = count("## Repository map\n") + 1;
  for (const filePath of remaining) {
    const definitions = files.get(filePath)?.facts.definitions ?? [];
    if (definitions.length === 0) continue;
    const text = renderSignatures(filePath, definitions);
    const tokens = count(text) + 1;
    if (used + sectionCost + tokens > limit) continue;
    pieces.push({ kind: "map", path: filePath, text, tokens });
    used += sectionCost + tokens;
    sectionCost = 0;
  }
  return used;
}

function addTreeLines(rest: string[], count: TokenCounter, budget: number, used: number, pieces: Piece[]): number {
  let sectionCost = count("## Other files\n") + 1;
  for (const line of renderTreeLines(rest)) {
    const tokens = count(line);
    if (used + sectionCost + tokens > budget) break;
    const folder = line.slice(0, line.indexOf(": "));
    const prefix = folder === "./" ? "" : folder;
    const paths = line
      .slice(line.indexOf(": ") + 2, -1)
      .split(", ")
      .map((name) => prefix + name);
    pieces.push({ kind: "tree", paths, text: line, tokens });
    used += sectionCost + tokens;
    sectionCost = 0;
  }
  return used;
}

/**
 * Spends the budget that the map and the file list left over on showing mapped files whole, in rank
 * order, then puts the whole files back in rank order ahead of the map.
 */
function upgradeMapEntries(pieces: Piece[], files: Map<string, IndexedFile>, index: RepositoryIndex, count: TokenCounter, spare: number, order: string[]): void {
  for (const piece of pieces) {
    const file = piece.path ? files.get(piece.path) : undefined;
    if (piece.kind !== "map" || !file || file.facts.tokens - piece.tokens > spare) continue;
    const text = renderWholeFile(file.path, index.readText(file.path));
    const tokens = count(text) + 1;
    if (tokens - piece.tokens > spare) continue;
    spare -= tokens - piece.tokens;
    Object.assign(piece, { kind: "whole", text, tokens });
  }
  const position = new Map(order.map((filePath, at) => [filePath, at]));
  const kindOrder = { whole: 0, map: 1, tree: 2 };
  const insertion = new Map(pieces.map((piece, at) => [piece, at]));
  pieces.sort((left, right) => {
    const byKind = kindOrder[left.kind] - kindOrder[right.kind];
    if (byKind !== 0) return byKind;
    if (left.kind === "tree") return (insertion.get(left) ?? 0) - (insertion.get(right) ?? 0);
    return (position.get(left.path ?? "") ?? 0) - (position.get(right.path ?? "") ?? 0);
  });
}

/** Joins the pieces and, should the joined text count more than its parts, drops pieces from the end until it fits. */
function assemble(totalFiles: number, pieces: Piece[], budget: number, count: TokenCounter): PackedContext {
  let kept = pieces.length;
  for (;;) {
    const chosen = pieces.slice(0, kept);
    const text = render(totalFiles, chosen);
    const tokens = count(text);
    if (tokens <= budget) {
      return {
        text,
        tokens,
        wholeFiles: chosen.filter((piece) => piece.kind === "whole").map((piece) => piece.path ?? ""),
        mappedFiles: chosen.filter((piece) => piece.kind === "map").map((piece) => piece.path ?? ""),
        listedFiles: chosen.flatMap((piece) => piece.paths ?? []),
        wholeRepository: false,
      };
    }
    if (kept === 0) return { text: "", tokens: 0, wholeFiles: [], mappedFiles: [], listedFiles: [], wholeRepository: false };
    let excess = tokens - budget;
    do {
      kept -= 1;
      excess -= pieces[kept]?.tokens ?? 0;
    } while (kept > 0 && excess > 0);
  }
}

function render(totalFiles: number, pieces: Piece[]): string {
  const whole = pieces.filter((piece) => piece.kind === "whole");
  const map = pieces.filter((piece) => piece.kind === "map");
  const tree = pieces.filter((piece) => piece.kind === "tree");
  const listed = tree.reduce((sum, piece) => sum + (piece.paths?.length ?? 0), 0);
  const sections = [header(totalFiles, whole.length, map.length, listed)];
  sections.push(...whole.map((piece) => piece.text));
  if (map.length > 0) sections.push(`## Repository map\n${map.map((piece) => piece.text).join("\n")}`);
  if (tree.length > 0) sections.push(`## Other files\n${tree.map((piece) => piece.text).join("")}`);
  return sections.join("\n");
}

function header(totalFiles: number, whole: number, mapped: number, listed: number): string {
  const unlisted = totalFiles - whole - mapped - listed;
  const parts = [`The repository has ${totalFiles} files.`, `${whole} are shown whole, most relevant first.`];
  if (mapped > 0) parts.push(`${mapped} more are shown by their signatures in the repository map.`);
  if (listed > 0) parts.push(`${listed} more are listed by folder.`);
  if (unlisted > 0) parts.push(`${unlisted} are not shown.`);
  return `${parts.join(" ")}\n`;
}
