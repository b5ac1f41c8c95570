import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { analyzeAll, createAnalyzer } from "../../src/context/analysis-pool.js";
import type { AnalysisItem } from "../../src/context/analysis.js";
import { ContextError } from "../../src/context/errors.js";
import { FactsCache, factsKey } from "../../src/context/facts-cache.js";
import { indexRepository } from "../../src/context/index-repository.js";
import { git, writeFiles } from "../helpers/git-repository.js";

function sourceFiles(count: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let number = 0; number < count; number++) {
    files[`src/module${number}.py`] = `def handler_${number}(event):\n    return helper_${(number + 1) % count}(event)\n`;
  }
  return files;
}

describe("facts cache", () => {
  let root: string;
  let repo: string;
  let cacheDir: string;

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), "magic-cache-"));
    repo = path.join(root, "repo");
    cacheDir = path.join(root, "cache");
    mkdirSync(repo);
    git(repo, "init", "--quiet");
    writeFiles(repo, sourceFiles(12));
    git(repo, "add", "--all");
    git(repo, "commit", "--quiet", "-m", "modules");
  });

  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test("one-file change parses one file", async () => {
    const first = await indexRepository({ worktree: repo, cacheDir });
    writeFileSync(path.join(repo, "src/module3.py"), "def renamed(event):\n    return event\n");
    git(repo, "commit", "--quiet", "-am", "rename");

    const second = await indexRepository({ worktree: repo, cacheDir });

    expect(first.stats).toMatchObject({ files: 12, parsed: 12, cached: 0 });
    expect(second.stats).toMatchObject({ files: 12, parsed: 1, cached: 11 });
    const changed = second.files.find((file) => file.path === "src/module3.py");
    expect(changed?.facts.definitions.map((definition) => definition.name)).toEqual(["renamed"]);
  });

  test("uncommitted edit is a miss", async () => {
    await indexRepository({ worktree: repo, cacheDir });
    writeFileSync(path.join(repo, "src/module5.py"), "def edited():\n    pass\n");

    const second = await indexRepository({ worktree: repo, cacheDir });

    expect(second.stats).toMatchObject({ parsed: 1, cached: 11 });
    expect(second.files.find((file) => file.path === "src/module5.py")?.facts.definitions[0]?.name).toBe("edited");
  });

  test("corrupt entry is parsed again", async () => {
    const first = await indexRepository({ worktree: repo, cacheDir });
    const file = first.files[0]!;
    const cache = new FactsCache(cacheDir);
    writeFileSync(cache.entryPath(factsKey(file.blobId, file.language)), '{"language": "python", "binary": fal');

    const second = await indexRepository({ worktree: repo, cacheDir });

    expect(second.stats).toMatchObject({ parsed: 1, cached: 11 });
    expect(second.files[0]?.facts).toEqual(file.facts);
    expect(await new FactsCache(cacheDir).get(factsKey(file.blobId, file.language))).toEqual(file.facts);
  });

  test("no temporary files remain", async () => {
    await indexRepository({ worktree: repo, cacheDir });

    const cache = new FactsCache(cacheDir);
    const entries = readdirSync(cache.folder, { recursive: true }).map(String);
    expect(entries.filter((entry) => entry.endsWith(".json"))).toHaveLength(12);
    expect(entries.filter((entry) => entry.endsWith(".tmp"))).toEqual([]);
  });

  test("workers match the calling thread", async () => {
    writeFiles(repo, sourceFiles(150));
    git(repo, "add", "--all");
    git(repo, "commit", "--quiet", "-m", "more");

    const inThread = await indexRepository({ worktree: repo, cacheDir: path.join(root, "thread"), workers: 0 });
    const inWorkers = await indexRepository({ worktree: repo, cacheDir: path.join(root, "workers"), workers: 2 });

    expect(inWorkers.stats).toMatchObject({ files: 150, parsed: 150 });
    expect(inWorkers.files).toEqual(inThread.files);
  });

  test("revision index reads the tree", async () => {
    const head = git(repo, "rev-parse", "HEAD").trim();
    writeFileSync(path.join(repo, "src/module0.py"), "def changed():\n    pass\n");
    git(repo, "commit", "--quiet", "-am", "change");

    const index = await indexRepository({ worktree: repo, cacheDir, revision: head });

    expect(index.revision).toBe(head);
    expect(index.files.find((file) => file.path === "src/module0.py")?.facts.definitions[0]?.name).toBe("handler_0");
    expect(index.readText("src/module0.py")).toContain("def handler_0(event):");
  });
});

describe("parse workers", () => {
  test("failed workers fall back", async () => {
    const lines: string[] = [];
    const log = pino({ level: "warn" }, { write: (line: string) => lines.push(line) });
    const items: AnalysisItem[] = [{ key: "a", language: "python", content: Buffer.from("def first():\n    pass\n") }];
    const requested: number[] = [];
    const create = async (workers: number) => {
      requested.push(workers);
      if (workers > 0) throw new ContextError("worker-failed", "The parse worker exited with code 1 while starting.");
      return createAnalyzer(0);
    };

    const results = await analyzeAll(items, 2, log, create);

    expect(requested).toEqual([2, 0]);
    expect(results[0]?.facts?.definitions.map((definition) => definition.name)).toEqual(["first"]);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({ msg: "parse workers failed; parsing in the calling thread instead", workers: 2, files: 1 });
  });

  test("other failures are raised", async () => {
    const create = async () => {
      throw new Error("grammar folder missing");
    };

    await expect(analyzeAll([], 2, undefined, create)).rejects.toThrow("grammar folder missing");
  });
});
