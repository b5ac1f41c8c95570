import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadSettings, SettingsError } from "../../src/config/settings.js";

/** Loads settings from an environment and returns the problems it reports, or none when it is valid. */
export function settingsProblems(env: Record<string, string | undefined>): string[] {
  try {
    loadSettings(env);
  } catch (error) {
    if (error instanceof SettingsError) return error.problems;
    throw error;
  }
  return [];
}

/**
 * Writes a model facts file for local test models, which have no shipped facts, and returns its path.
 * Every id gets a 128,000-token window and zero prices.
 */
export function writeTestFactsFile(modelIds: string[]): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "magic-facts-")), "facts.json");
  const facts = Object.fromEntries(modelIds.map((id) => [id, { contextWindow: 128_000, prices: { input: 0, output: 0 } }]));
  writeFileSync(file, JSON.stringify(facts));
  return file;
}
