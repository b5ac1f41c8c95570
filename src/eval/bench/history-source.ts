import { readFile, writeFile } from "node:fs/promises";
import { z } from "zod";

/** The repository and options a `--from-history` tasks file was built from, saved beside it so that a rerun can check they still apply. */
export const HistorySource = z.object({
  /** The repository's path or URL, as the tasks name it. */
  repository: z.string(),
  limit: z.number().int(),
  testCommand: z.string().optional(),
  setupCommand: z.string().optional(),
});
export type HistorySource = z.infer<typeof HistorySource>;

const FIELD_NAMES: Record<keyof HistorySource, string> = {
  repository: "repository",
  limit: "--limit",
  testCommand: "--test-command",
  setupCommand: "--setup-command",
};

export async function writeHistorySource(file: string, source: HistorySource): Promise<void> {
  await writeFile(file, `${JSON.stringify(source, null, 2)}\n`);
}

/**
 * Compares the saved source of a tasks file with the current options. Returns undefined when they
 * match, else what differs, such as `--limit 2 (was 5)`. A missing or unreadable file differs, because
 * then nothing shows what the tasks were built from.
 */
export async function compareHistorySource(file: string, current: HistorySource): Promise<string | undefined> {
  let saved: HistorySource;
  try {
    saved = HistorySource.parse(JSON.parse(await readFile(file, "utf8")));
  } catch {
    return `no readable record of what the tasks were built from (${file})`;
  }
  const keys = Object.keys(FIELD_NAMES) as Array<keyof HistorySource>;
  const differences = keys
    .filter((key) => saved[key] !== current[key])
    .map((key) => `${FIELD_NAMES[key]} ${current[key] ?? "not set"} (was ${saved[key] ?? "not set"})`);
  return differences.length > 0 ? differences.join(", ") : undefined;
}
