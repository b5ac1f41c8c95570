import { HashHopError } from "./errors.js";
import { createRandom, randomHash, shuffle, type Random } from "./random.js";
import type { TokenCounter } from "./tokenizer.js";

export const VARIANTS = ["cot", "skip"] as const;
/** `cot`: the answer lists every hash along the chain. `skip`: only the last one. */
export type Variant = (typeof VARIANTS)[number];

export interface HashHopQuery {
  /** First hash of the queried chain. */
  start: string;
  /** Exact text expected between the quotes: `H2 = H3 = H4` for cot, `H4` for skip. */
  answer: string;
}

export interface HashHopSample {
  /** The shuffled pair lines, one `A = B` per line, and nothing else. */
  prompt: string;
  hops: number;
  variant: Variant;
  queries: HashHopQuery[];
  /** Hashes of each queried chain from start to end, for scoring hop by hop. */
  chains: string[][];
  /** Tokens of `prompt` as counted by the tokenizer that sized it. */
  promptTokens: number;
}

export interface GenerateOptions {
  seed: string;
  /** Size of `prompt` to reach, in tokens of `tokenizer`. */
  targetTokens: number;
  hops: number;
  variant: Variant;
  /** Queries per prompt, each on a different chain. */
  queries: number;
  hashLength: number;
  tokenizer: TokenCounter;
}

interface Chain {
  hashes: string[];
  lines: string[];
  tokens: number;
}

// Candidates tried for the last, shorter chain that brings the prompt closest to its target size.
const FILLER_CANDIDATES = 48;

/**
 * Generates one HashHop sample: chains of `hops` links whose pair lines fill `targetTokens`,
 * shuffled together, and queries on chains picked at random. The output depends only on the
 * options, so the same seed and tokenizer give the same prompt and answers.
 */
export function generateSample(options: GenerateOptions): HashHopSample {
  const random = createRandom(options.seed);
  const hashes = new UniqueHashes(random, options.hashLength);
  const chains: Chain[] = [];
  let tokens = 0;

  for (;;) {
    const chain = makeChain(hashes, options.hops, options.tokenizer);
    if (tokens + chain.tokens > options.targetTokens) {
      hashes.release(chain.hashes);
      break;
    }
    chains.push(chain);
    tokens += chain.tokens;
  }
  if (chains.length < options.queries) {
    throw new HashHopError(
      "target-too-small",
      `A target size of ${options.targetTokens} tokens holds ${chains.length} chains of ${options.hops} hops, ` +
        `fewer than the ${options.queries} queries per prompt: raise the size or lower --queries or --hops.`,
    );
  }

  const queried = pickDistinct(chains.length, options.queries, random).map((index) => chains[index] as Chain);
  const filler = closestFiller(hashes, options, options.targetTokens - tokens);
  const lines = shuffle([...chains, ...(filler ? [filler] : [])].flatMap((chain) => chain.lines), random);
  const prompt = lines.join("\n");
  return {
    prompt,
    hops: options.hops,
    variant: options.variant,
    queries: queried.map((chain) => ({ start: chain.hashes[0] as string, answer: expectedAnswer(chain.hashes, options.variant) })),
    chains: queried.map((chain) => chain.hashes),
    promptTokens: options.tokenizer.count(prompt),
  };
}

/** Builds the text expected between the quotes for a chain of hashes from start to end. */
export function expectedAnswer(chain: string[], variant: Variant): string {
  return variant === "cot" ? chain.slice(1).join(" = ") : (chain[chain.length - 1] as string);
}

/** Writes the pair lines of a chain; the last link is quoted to mark the end of the chain. */
function chainLines(hashes: string[]): string[] {
  const lines: string[] = [];
  for (let i = 0; i + 1 < hashes.length; i++) {
    const last = i + 2 === hashes.length;
    lines.push(last ? `${hashes[i]} = '${hashes[i + 1]}'` : `${hashes[i]} = ${hashes[i + 1]}`);
  }
  return lines;
}

function makeChain(hashes: UniqueHashes, links: number, tokenizer: TokenCounter): Chain {
  const chainHashes = Array.from({ length: links + 1 }, () => hashes.take());
  const lines = chainLines(chainHashes);
  // Each line is counted with the newline that follows it in the prompt. The pre-tokenizers of
  // o200k_base and cl100k_base never merge across that newline into the next line's letters, so
  // the sum matches a count of the joined prompt to within the one missing final newline.
  const tokens = lines.reduce((sum, line) => sum + tokenizer.count(`${line}\n`), 0);
  return { hashes: chainHashes, lines, tokens };
}

/**
 * Finds the one extra chain, of 1 to `hops` links, that brings the prompt closest to its target
 * after the full chains. Returns undefined when no chain gets closer than the gap already is.
 * A filler chain is never queried, so its length does not matter to the answers.
 */
function closestFiller(hashes: UniqueHashes, options: GenerateOptions, gap: number): Chain | undefined {
  let best: Chain | undefined;
  let bestDistance = gap;
  for (let attempt = 0; attempt < FILLER_CANDIDATES && bestDistance > 0; attempt++) {
    const links = 1 + (attempt % options.hops);
    const candidate = makeChain(hashes, links, options.tokenizer);
    const distance = Math.abs(gap - candidate.tokens);
    if (distance < bestDistance) {
      if (best) hashes.release(best.hashes);
      best = candidate;
      bestDistance = distance;
    } else {
      hashes.release(candidate.hashes);
    }
  }
  return best;
}

/** Picks `count` distinct indices below `total`, in random order. */
function pickDistinct(total: number, count: number, random: Random): number[] {
  const indices = Array.from({ length: total }, (_, index) => index);
  for (let i = 0; i < count; i++) {
    const j = i + random.integer(total - i);
    [indices[i], indices[j]] = [indices[j] as number, indices[i] as number];
  }
  return indices.slice(0, count);
}

/** Draws hashes that never repeat within one sample. */
class UniqueHashes {
  private readonly used = new Set<string>();

  constructor(
    private readonly random: Random,
    private readonly length: number,
  ) {}

  take(): string {
    for (;;) {
      const hash = randomHash(this.random, this.length);
      if (!this.used.has(hash)) {
        this.used.add(hash);
        return hash;
      }
    }
  }

  release(hashes: string[]): void {
    for (const hash of hashes) this.used.delete(hash);
  }
}
