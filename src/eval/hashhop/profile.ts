import { readFileSync } from "node:fs";
import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { HashHopError } from "./errors.js";
import { VARIANTS } from "./generate.js";
import type { CellSummary } from "./report.js";

export const PROFILE_FILE_NAME = "model-profiles.json";
/** Hop count whose accuracy decides the effective window. */
export const PROFILE_HOPS = 2;
/** Accuracy that every size up to the effective window must reach. */
export const PROFILE_THRESHOLD = 0.9;

export const AccuracyPoint = z.object({
  size: z.number().int().positive(),
  /** Null when no query of this size was scored. */
  accuracy: z.number().min(0).max(1).nullable(),
});
export type AccuracyPoint = z.infer<typeof AccuracyPoint>;

/** Measurements of one HashHop evaluation of a model. */
export const ModelProfile = z.object({
  /** Largest measured size, in tokens, up to which the accuracy stays at or above `threshold`. Null when even the smallest falls short. */
  effectiveWindow: z.number().int().positive().nullable(),
  hops: z.number().int().positive(),
  threshold: z.number().min(0).max(1),
  /** Variants whose queries were pooled into the accuracy. */
  variants: z.array(z.enum(VARIANTS)).min(1),
  accuracyBySize: z.array(AccuracyPoint),
  samples: z.number().int().positive(),
  seed: z.string(),
  measuredAt: z.iso.datetime(),
});
export type ModelProfile = z.infer<typeof ModelProfile>;

/** The profile file: one entry per model id such as `openai:gpt-4.1`. */
export const ModelProfileFile = z.object({
  version: z.literal(1),
  models: z.record(z.string().min(1), ModelProfile),
});
export type ModelProfileFile = z.infer<typeof ModelProfileFile>;

export function defaultProfilePath(workDir: string): string {
  return path.join(workDir, PROFILE_FILE_NAME);
}

/** Pools the queries of every variant at one hop count into an accuracy per size. */
export function accuracyBySize(cells: CellSummary[], hops: number): AccuracyPoint[] {
  const sizes = [...new Set(cells.map((cell) => cell.size))].sort((left, right) => left - right);
  return sizes.map((size) => {
    const group = cells.filter((cell) => cell.size === size && cell.hops === hops);
    const queries = group.reduce((sum, cell) => sum + cell.queries, 0);
    const correct = group.reduce((sum, cell) => sum + cell.correct, 0);
    return { size, accuracy: queries > 0 ? correct / queries : null };
  });
}

/**
 * Finds the largest size up to which the accuracy stays at or above `threshold`: sizes are walked
 * from the smallest, and the walk ends at the first size that falls short or has no scored query.
 */
export function findEffectiveWindow(points: AccuracyPoint[], threshold: number): number | undefined {
  let window: number | undefined;
  for (const point of [...points].sort((left, right) => left.size - right.size)) {
    if (point.accuracy === null || point.accuracy < threshold) break;
    window = point.size;
  }
  return window;
}

/**
 * Reads and validates a profile file. Returns undefined when the file does not exist and raises a
 * {@link HashHopError} with code `invalid-profile` when it cannot be read or is not a valid profile.
 */
export function readProfileFile(profilePath: string): ModelProfileFile | undefined {
  let text: string;
  try {
    text = readFileSync(profilePath, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new HashHopError("invalid-profile", `Failed to read the model profile file ${profilePath}: ${(error as Error).message}`, { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new HashHopError("invalid-profile", `The model profile file ${profilePath} is not valid JSON: ${(error as Error).message}. Fix or delete it.`, {
      cause: error,
    });
  }
  const parsed = ModelProfileFile.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`).join("; ");
    throw new HashHopError("invalid-profile", `The model profile file ${profilePath} is invalid (${problems}). Fix or delete it.`, { cause: parsed.error });
  }
  return parsed.data;
}

/**
 * Returns the effective window in tokens that HashHop measured for a model, for context packing
 * to use in place of the nominal window. Returns undefined when the file or the model's entry is
 * missing, or when the model fell short at every measured size. Raises a {@link HashHopError} with
 * code `invalid-profile` when the file exists but is unreadable or invalid.
 */
export function readEffectiveWindow(profilePath: string, modelId: string): number | undefined {
  return readProfileFile(profilePath)?.models[modelId]?.effectiveWindow ?? undefined;
}

/**
 * Stores a model's profile, keeping the entries of other models. The file is replaced by a rename,
 * so a reader never sees half of it; an existing invalid file is left untouched and raises.
 */
export async function writeModelProfile(profilePath: string, modelId: string, profile: ModelProfile): Promise<void> {
  const existing = readProfileFile(profilePath) ?? { version: 1 as const, models: {} };
  const updated: ModelProfileFile = { version: 1, models: { ...existing.models, [modelId]: ModelProfile.parse(profile) } };
  // NOTE: two evaluations that write the same file at the same moment can drop one model's entry,
  // because the read and the rename are not locked together.
  const temporary = `${profilePath}.${process.pid}.tmp`;
  try {
    await mkdir(path.dirname(profilePath), { recursive: true });
    await writeFile(temporary, `${JSON.stringify(updated, null, 2)}\n`);
    await rename(temporary, profilePath);
  } catch (error) {
    throw new HashHopError("write-failed", `Failed to write ${profilePath}: ${(error as Error).message}. Choose another path with --profile.`, { cause: error });
  }
}
