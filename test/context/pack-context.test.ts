import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { buildContext } from "../../src/context/build-context.js";
import { indexRepository, type RepositoryIndex } from "../../src/context/index-repository.js";
import { packContext } from "../../src/context/pack-context.js";
import { rankFiles } from "../../src/context/rank-files.js";
import { renderWholeFile } from "../../src/context/render.js";
import { countCl100kTokens, countO200kTokens, tokenCounterFor } from "../../src/context/tokens.js";
import { git, writeFiles } from "../helpers/git-repository.js";

/** Builds a project of 60 modules in 6 packages, each module calling the next, plus docs with code fences. */
function project(): Record<string, string> {
  const files: Record<string, string> = {};
  for (let number = 0; number < 60; number++) {
    const folder = `pkg${number % 6}`;
    const lines = [`import { step${number + 1} } from "../pkg${(number + 1) % 6}/module${number + 1}";`, ""];
    lines.push(`/** Step ${number} of the pipeline. */`);
    lines.push(`export function step${number}(input: number): number {`);
    for (let line = 0; line < number % 7; line++) lines.push(`  input = input * ${line + 2} + ${number};`);
    lines.push(`  return step${number + 1}(input);`, "}", "");
    lines.push(`export class Stage${number} {`, `  run(value: number): number { return step${number}(value); }`, "}");
    files[`src/${folder}/module${number}.ts`] = `${lines.join("\n")}\n`;
  }
  files["docs/guide.md"] = "# Guide\n\n```ts\nstep0(1);\n```\n\nRun the pipeline with `step0`.\n";
  files["LICENSE"] = "MIT License\n";
  return files;
}

describe("context packing", () => {
  let root: string;
  let repo: string;
  let index: RepositoryIndex;
  const query = "step17 returns NaN when Stage17.run gets a negative value";

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), "magic-pack-"));
    repo = path.join(root, "repo");
    mkdirSync(repo);
    git(repo, "init", "--quiet");
    writeFiles(repo, project());
    git(repo, "add", "--all");
    git(repo, "commit", "--quiet", "-m", "pipeline");
    index = await indexRepository({ worktree: repo, cacheDir: path.join(root, "cache"), workers: 0 });
  });

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test("never passes the budget", () => {
    const ranked = rankFiles(index, query);
    const counters = [countO200kTokens, countCl100kTokens, tokenCounterFor("anthropic:claude-sonnet-4-5")];
    for (let budget = 0; budget <= 6_000; budget += budget < 300 ? 7 : 97) {
      for (const countTokens of counters) {
        const packed = packContext(index, ranked, { tokenBudget: budget, countTokens });

        expect(packed.tokens, `budget ${budget}`).toBeLessThanOrEqual(budget);
        expect(countTokens(packed.text), `budget ${budget}`).toBe(packed.tokens);
      }
    }
  });

  test("whole files keep rank order", () => {
    const ranked = rankFiles(index, "src/pkg5/module17.ts fails");
    const order = ranked.flatMap((unit) => [unit.path, ...unit.tests]);
    for (let budget = 500; budget <= 6_000; budget += 250) {
      const packed = packContext(index, ranked, { tokenBudget: budget });
      const positions = packed.wholeFiles.map((filePath) => order.indexOf(filePath));
      const headings = [...packed.text.matchAll(/^## (src\/\S+|docs\/\S+|LICENSE)$/gm)].map((match) => match[1]);

      expect(positions, `budget ${budget}`).toEqual([...positions].sort((left, right) => left - right));
      expect(headings, `budget ${budget}`).toEqual(packed.wholeFiles);
    }
  });

  test("spare budget shows more whole", () => {
    const ranked = rankFiles(index, "src/pkg5/module17.ts fails");

    const packed = packContext(index, ranked, { tokenBudget: 5_000 });

    expect(packed.wholeFiles.length).toBeGreaterThan(30);
    expect(packed.tokens).toBeGreaterThan(4_600);
  });

  test("whole repository when it fits", () => {
    const packed = packContext(index, rankFiles(index, query), { tokenBudget: 1_000_000 });

    expect(packed.wholeRepository).toBe(true);
    expect(packed.wholeFiles).toEqual(index.files.map((file) => file.path));
    expect(packed.text).toContain(renderWholeFile("docs/guide.md", index.readText("docs/guide.md")));
    expect(packed.text).toContain("````markdown\n# Guide");
  });

  test("whole repository ignores the query", () => {
    const first = packContext(index, rankFiles(index, query), { tokenBudget: 1_000_000 });
    const second = packContext(index, rankFiles(index, "LICENSE wording"), { tokenBudget: 1_000_000 });

    expect(second.text).toBe(first.text);
  });

  test("top files, map, then tree", () => {
    const packed = packContext(index, rankFiles(index, query), { tokenBudget: 1_500 });

    expect(packed.wholeRepository).toBe(false);
    expect(packed.wholeFiles[0]).toBe("src/pkg5/module17.ts");
    expect(packed.mappedFiles.length).toBeGreaterThan(0);
    expect(packed.listedFiles.length).toBeGreaterThan(0);
    const sections = ["## src/pkg5/module17.ts", "## Repository map", "## Other files"].map((heading) => packed.text.indexOf(heading));
    expect(sections.every((position) => position >= 0)).toBe(true);
    expect([...sections].sort((left, right) => left - right)).toEqual(sections);
    const shown = [...packed.wholeFiles, ...packed.mappedFiles, ...packed.listedFiles];
    expect(new Set(shown).size).toBe(shown.length);
  });

  test("map shows signatures", () => {
    const packed = packContext(index, rankFiles(index, query), { tokenBudget: 1_500 });
    const mapped = packed.mappedFiles[0] ?? "";
    const stage = mapped.match(/module(\d+)/)?.[1];

    expect(packed.text).toContain(`${mapped}\n  export function step${stage}(input: number): number\n  export class Stage${stage}\n    run(value: number): number\n`);
  });

  test("byte-identical for the same input", async () => {
    const fresh = await indexRepository({ worktree: repo, cacheDir: path.join(root, "other-cache"), workers: 2 });
    for (const budget of [800, 3_000, 1_000_000]) {
      const first = packContext(index, rankFiles(index, query), { tokenBudget: budget });
      const second = packContext(fresh, rankFiles(fresh, query), { tokenBudget: budget });

      expect(second.text, `budget ${budget}`).toBe(first.text);
    }
  });

  test("build context end to end", async () => {
    const packed = await buildContext({ worktree: repo, query, tokenBudget: 2_000, cacheDir: path.join(root, "cache"), modelId: "openai:gpt-4.1" });

    expect(packed.tokens).toBeLessThanOrEqual(2_000);
    expect(packed.wholeFiles[0]).toBe("src/pkg5/module17.ts");
    expect(countO200kTokens(packed.text)).toBe(packed.tokens);
  });
});

describe("token counters", () => {
  test("model tokenizers", () => {
    const text = "export function parseConfig(path: string): Config { return load(path); }";

    expect(tokenCounterFor("openai:gpt-4.1")(text)).toBe(countO200kTokens(text));
    expect(tokenCounterFor("gpt-4o-mini")(text)).toBe(countO200kTokens(text));
    expect(tokenCounterFor("openai:gpt-4")(text)).toBe(countCl100kTokens(text));
    expect(tokenCounterFor("anthropic:claude-sonnet-4-5")(text)).toBeGreaterThan(countO200kTokens(text));
  });

  test("special tokens count as text", () => {
    expect(countO200kTokens("a <|endoftext|> b")).toBeGreaterThan(3);
  });
});

describe("empty repository", () => {
  test("packs a header only", async () => {
    const root = mkdtempSync(path.join(tmpdir(), "magic-empty-"));
    try {
      git(root, "init", "--quiet");
      writeFiles(root, { "logo.png": "not really a picture\n", "yarn.lock": "# lock\n" });
      git(root, "add", "--all");
      git(root, "commit", "--quiet", "-m", "assets");

      const packed = await buildContext({ worktree: root, query: "", tokenBudget: 100, cacheDir: path.join(root, ".cache") });

      expect(packed.text).toBe("The whole repository: 0 files.\n");
      expect(packed.wholeRepository).toBe(true);
      expect(packed.wholeFiles).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
