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
