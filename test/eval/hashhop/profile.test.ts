import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { HashHopError } from "../../../src/eval/hashhop/errors.js";
import {
  accuracyBySize,
  findEffectiveWindow,
  readEffectiveWindow,
  writeModelProfile,
  type ModelProfile,
} from "../../../src/eval/hashhop/profile.js";
import type { CellSummary } from "../../../src/eval/hashhop/report.js";

function cell(size: number, hops: number, variant: "cot" | "skip", correct: number, queries: number): CellSummary {
  return {
    size,
    hops,
    variant,
    samplesScored: queries > 0 ? 1 : 0,
    samplesFailed: 0,
    samplesNotRun: 0,
    queries,
    correct,
    accuracy: queries > 0 ? correct / queries : undefined,
    hopAccuracy: undefined,
    meanPromptTokens: undefined,
    meanReportedInputTokens: undefined,
  };
}

function profile(effectiveWindow: number | null): ModelProfile {
  return { effectiveWindow, hops: 2, threshold: 0.9, variants: ["cot"], accuracyBySize: [], samples: 20, seed: "hashhop", measuredAt: "2025-06-01T12:00:00.000Z" };
}

describe("findEffectiveWindow", () => {
  test.each([
    { case: "all above", accuracies: [1, 0.95, 0.9], expected: 32_000 },
    { case: "drop at the largest", accuracies: [1, 0.95, 0.5], expected: 8_000 },
    { case: "drop then recovery", accuracies: [1, 0.8, 1], expected: 2_000 },
    { case: "smallest below", accuracies: [0.89, 1, 1], expected: undefined },
    { case: "gap in the middle", accuracies: [1, null, 1], expected: 2_000 },
  ])("$case", ({ accuracies, expected }) => {
    const points = [2_000, 8_000, 32_000].map((size, index) => ({ size, accuracy: accuracies[index] as number | null }));

    expect(findEffectiveWindow(points, 0.9)).toBe(expected);
  });

  test("unordered points are sorted", () => {
    expect(findEffectiveWindow([{ size: 8_000, accuracy: 1 }, { size: 2_000, accuracy: 0.5 }], 0.9)).toBeUndefined();
  });
});

describe("accuracyBySize", () => {
  test("pools variants at one hop count", () => {
    const cells = [cell(2_000, 2, "cot", 10, 10), cell(2_000, 2, "skip", 8, 10), cell(2_000, 1, "skip", 0, 10), cell(8_000, 2, "cot", 0, 0)];

    expect(accuracyBySize(cells, 2)).toEqual([
      { size: 2_000, accuracy: 0.9 },
      { size: 8_000, accuracy: null },
    ]);
  });
});

describe("profile file", () => {
  let folder: string;
  let file: string;

  beforeEach(() => {
    folder = mkdtempSync(path.join(tmpdir(), "hashhop-profile-"));
    file = path.join(folder, "nested", "model-profiles.json");
  });

  afterEach(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  test("missing file reads as undefined", () => {
    expect(readEffectiveWindow(file, "openai:gpt-4.1")).toBeUndefined();
  });

  test("written window reads back", async () => {
    await writeModelProfile(file, "openai:gpt-4.1", profile(32_000));

    expect(readEffectiveWindow(file, "openai:gpt-4.1")).toBe(32_000);
    expect(readEffectiveWindow(file, "openai:gpt-4o")).toBeUndefined();
    expect(JSON.parse(readFileSync(file, "utf8")).version).toBe(1);
  });

  test("null window reads as undefined", async () => {
    await writeModelProfile(file, "openai:gpt-4.1", profile(null));

    expect(readEffectiveWindow(file, "openai:gpt-4.1")).toBeUndefined();
  });

  test("second model keeps the first", async () => {
    await writeModelProfile(file, "openai:gpt-4.1", profile(32_000));
    await writeModelProfile(file, "anthropic:claude-sonnet-4-5", profile(128_000));
    await writeModelProfile(file, "openai:gpt-4.1", profile(8_000));

    expect(readEffectiveWindow(file, "openai:gpt-4.1")).toBe(8_000);
    expect(readEffectiveWindow(file, "anthropic:claude-sonnet-4-5")).toBe(128_000);
  });

  test.each([
    { case: "broken JSON", text: "{", message: /is not valid JSON/ },
    { case: "unknown version", text: JSON.stringify({ version: 2, models: {} }), message: /version/ },
    { case: "negative window", text: JSON.stringify({ version: 1, models: { m: { ...profile(5), effectiveWindow: -5 } } }), message: /models\.m\.effectiveWindow/ },
  ])("$case raises invalid-profile", async ({ text, message }) => {
    writeFileSync(path.join(folder, "bad.json"), text);
    const bad = path.join(folder, "bad.json");

    expect(() => readEffectiveWindow(bad, "m")).toThrow(message);
    expect(() => readEffectiveWindow(bad, "m")).toThrow(HashHopError);
    await expect(writeModelProfile(bad, "m", profile(2_000))).rejects.toMatchObject({ code: "invalid-profile" });
    expect(readFileSync(bad, "utf8")).toBe(text);
  });
});
