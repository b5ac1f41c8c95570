import { beforeAll, describe, expect, test } from "vitest";
import { HashHopError } from "../../../src/eval/hashhop/errors.js";
import { generateSample, type GenerateOptions, type HashHopSample } from "../../../src/eval/hashhop/generate.js";
import { sampleRecord } from "../../../src/eval/hashhop/output-files.js";
import { loadTokenCounter, type TokenCounter } from "../../../src/eval/hashhop/tokenizer.js";

let o200k: TokenCounter;
let cl100k: TokenCounter;

beforeAll(async () => {
  o200k = await loadTokenCounter("o200k_base");
  cl100k = await loadTokenCounter("cl100k_base");
});

function generate(overrides: Partial<GenerateOptions> = {}): HashHopSample {
  return generateSample({ seed: "test", targetTokens: 2_000, hops: 2, variant: "cot", queries: 4, hashLength: 16, tokenizer: o200k, ...overrides });
}

interface Pair {
  right: string;
  quoted: boolean;
}

/** Reads the pair lines back into a map from left hash to right hash, failing on a repeated left hash. */
function readPairs(prompt: string): Map<string, Pair> {
  const pairs = new Map<string, Pair>();
  for (const line of prompt.split("\n")) {
    const match = /^([A-Za-z]+) = ('?)([A-Za-z]+)\2$/.exec(line);
    expect(match, `line ${JSON.stringify(line)}`).not.toBeNull();
    const left = match?.[1] as string;
    expect(pairs.has(left), `left hash ${left} repeated`).toBe(false);
    pairs.set(left, { right: match?.[3] as string, quoted: match?.[2] === "'" });
  }
  return pairs;
}

describe("generateSample", () => {
  test("prompt holds only pair lines", () => {
    const sample = generate({ hashLength: 16 });

    for (const line of sample.prompt.split("\n")) expect(line).toMatch(/^[a-zA-Z]{16} = ('?)[a-zA-Z]{16}\1$/);
    expect(sample.prompt.endsWith("\n")).toBe(false);
  });

  test("hash length 8 is honoured", () => {
    const sample = generate({ hashLength: 8 });

    for (const line of sample.prompt.split("\n")) expect(line).toMatch(/^[a-zA-Z]{8} = ('?)[a-zA-Z]{8}\1$/);
  });

  test("answers follow the variant format", () => {
    const cot = generate({ variant: "cot", hops: 3 });
    const skip = generate({ variant: "skip", hops: 3 });

    expect(cot.queries).toHaveLength(4);
    for (const query of cot.queries) expect(query.answer).toMatch(/^[a-zA-Z]{16} = [a-zA-Z]{16} = [a-zA-Z]{16}$/);
    for (const query of skip.queries) expect(query.answer).toMatch(/^[a-zA-Z]{16}$/);
    expect(skip.queries.map((query) => query.start)).toEqual(cot.queries.map((query) => query.start));
    expect(skip.queries.map((query) => query.answer)).toEqual(cot.queries.map((query) => query.answer.split(" = ")[2]));
  });

  test("same seed gives the same sample", () => {
    expect(generate({ seed: "alpha" })).toEqual(generate({ seed: "alpha" }));
  });

  test("different seeds give different samples", () => {
    const first = generate({ seed: "alpha" });
    const second = generate({ seed: "alphb" });

    expect(second.prompt).not.toBe(first.prompt);
    expect(second.queries).not.toEqual(first.queries);
  });

  test.each([1, 2, 4])("every chain resolvable with %i hops", (hops) => {
    for (const variant of ["cot", "skip"] as const) {
      const sample = generate({ hops, variant, queries: 6, seed: `resolve-${hops}` });
      const pairs = readPairs(sample.prompt);

      for (const query of sample.queries) {
        const path: string[] = [];
        let current = query.start;
        for (let hop = 1; hop <= hops; hop++) {
          const pair = pairs.get(current);
          expect(pair, `hop ${hop} from ${query.start}`).toBeDefined();
          expect(pair?.quoted, `hop ${hop} of ${hops} quoted`).toBe(hop === hops);
          current = pair?.right as string;
          path.push(current);
        }
        expect(query.answer).toBe(variant === "cot" ? path.join(" = ") : path[hops - 1]);
      }
    }
  });

  test("every line belongs to one chain that ends in a quote", () => {
    const sample = generate({ hops: 4, targetTokens: 8_000 });
    const pairs = readPairs(sample.prompt);
    const rights = new Set([...pairs.values()].map((pair) => pair.right));
    const visited = new Set<string>();

    for (const start of [...pairs.keys()].filter((left) => !rights.has(left))) {
      let current = start;
      for (;;) {
        expect(visited.has(current), `line of ${current} reached twice`).toBe(false);
        visited.add(current);
        const pair = pairs.get(current) as Pair;
        if (pair.quoted) break;
        current = pair.right;
        expect(pairs.has(current), `unquoted ${current} has no line`).toBe(true);
      }
    }
    expect(visited.size).toBe(pairs.size);
  });

  test("no hash repeats", () => {
    for (const hashLength of [8, 16]) {
      const sample = generate({ hashLength, targetTokens: 32_000, seed: `unique-${hashLength}` });
      const pairs = readPairs(sample.prompt);
      const rights = [...pairs.values()].map((pair) => pair.right);
      const lefts = [...pairs.keys()];

      expect(new Set(rights).size).toBe(rights.length);
      for (const pair of pairs.values()) if (pair.quoted) expect(pairs.has(pair.right), `chain end ${pair.right} starts a line`).toBe(false);
      expect(new Set([...lefts, ...rights]).size).toBe(lefts.length + sample.prompt.split("\n").filter((line) => line.endsWith("'")).length);
    }
  });

  test("queries are on distinct chains", () => {
    const sample = generate({ queries: 20, targetTokens: 8_000 });

    expect(new Set(sample.queries.map((query) => query.start)).size).toBe(20);
  });

  test("query chains come from the whole list", () => {
    // Across seeds, a queried chain is sometimes among the first and sometimes among the last
    // lines of the prompt, so queries are not tied to one part of the chain list.
    const positions = Array.from({ length: 30 }, (_, index) => {
      const sample = generate({ seed: `position-${index}`, queries: 1, hops: 1 });
      const lines = sample.prompt.split("\n");
      return lines.findIndex((line) => line.startsWith(`${sample.queries[0]?.start} `)) / lines.length;
    });

    expect(Math.min(...positions)).toBeLessThan(0.25);
    expect(Math.max(...positions)).toBeGreaterThan(0.75);
  });

  test.each([
    { targetTokens: 2_000, hashLength: 16 },
    { targetTokens: 8_000, hashLength: 16 },
    { targetTokens: 32_000, hashLength: 16 },
    { targetTokens: 128_000, hashLength: 16 },
    { targetTokens: 2_000, hashLength: 8 },
    { targetTokens: 128_000, hashLength: 8 },
  ])("size within 2 percent of $targetTokens, hash length $hashLength", ({ targetTokens, hashLength }) => {
    for (const hops of [1, 2, 4]) {
      const sample = generate({ targetTokens, hashLength, hops, seed: `size-${targetTokens}-${hops}` });

      expect(sample.promptTokens).toBe(o200k.count(sample.prompt));
      expect(Math.abs(sample.promptTokens - targetTokens) / targetTokens, `${hops} hops: ${sample.promptTokens}`).toBeLessThanOrEqual(0.02);
    }
  });

  test("size within 2% with cl100k_base", () => {
    const sample = generate({ targetTokens: 8_000, tokenizer: cl100k, hops: 4 });

    expect(sample.promptTokens).toBe(cl100k.count(sample.prompt));
    expect(Math.abs(sample.promptTokens - 8_000) / 8_000).toBeLessThanOrEqual(0.02);
  });

  test("too small target raises", () => {
    const attempt = () => generate({ targetTokens: 50, hops: 4, queries: 2 });

    expect(attempt).toThrow(HashHopError);
    expect(attempt).toThrow(/holds 0 chains of 4 hops, fewer than the 2 queries per prompt/);
  });
});

describe("sampleRecord", () => {
  test("writes exactly prompt, hops, variant, queries", () => {
    const sample = generate({ variant: "skip", hops: 2, queries: 2 });

    const record = JSON.parse(sampleRecord(sample));

    expect(record).toEqual({ prompt: sample.prompt, hops: 2, variant: "skip", queries: sample.queries });
    expect(Object.keys(record.queries[0])).toEqual(["start", "answer"]);
  });
});
