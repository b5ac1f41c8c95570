import { mkdir, open, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { renderChart } from "./chart.js";
import { HashHopError } from "./errors.js";
import type { HashHopSample } from "./generate.js";
import { renderCsv, type CellSummary } from "./report.js";
import { generatePlanSample, type EvalPlan } from "./run.js";
import type { TokenCounter } from "./tokenizer.js";

/** Serializes a sample as one JSON line with exactly the fields `prompt`, `hops`, `variant` and `queries`. */
export function sampleRecord(sample: HashHopSample): string {
  return JSON.stringify({ prompt: sample.prompt, hops: sample.hops, variant: sample.variant, queries: sample.queries });
}

/**
 * Writes every sample of a plan as JSON lines, grouped by size, hops and variant. The lines go to
 * a temporary file that replaces `file` only when all are written, so a failure keeps the old file.
 * Returns the number of samples written.
 */
export async function writeSamplesFile(plan: EvalPlan, tokenizer: TokenCounter, file: string): Promise<number> {
  const temporary = `${file}.${process.pid}.tmp`;
  const handle = await withFileError(file, "--out", async () => {
    await mkdir(path.dirname(file), { recursive: true });
    return open(temporary, "w");
  });
  let written = 0;
  try {
    for (const size of plan.sizes) {
      for (const hops of plan.hops) {
        for (const variant of plan.variants) {
          for (let index = 0; index < plan.samples; index++) {
            const sample = generatePlanSample(plan, { size, hops, variant, index }, tokenizer);
            await withFileError(file, "--out", () => handle.write(`${sampleRecord(sample)}\n`));
            written += 1;
          }
        }
      }
    }
    await withFileError(file, "--out", () => handle.close());
    await withFileError(file, "--out", () => rename(temporary, file));
  } catch (error) {
    // The first error is the one to report; a second failure while closing adds nothing.
    await handle.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw error;
  }
  return written;
}

/**
 * Runs a file system step and turns its failure into a {@link HashHopError} with code
 * `write-failed` that names the path and the option that chose it.
 */
export async function withFileError<T>(file: string, option: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw new HashHopError("write-failed", `Failed to write ${file}: ${(error as Error).message}. Choose another path with ${option}.`, { cause: error });
  }
}

/** Turns a model id into a file name part: `openai:gpt-4.1` becomes `openai-gpt-4.1`. */
export function fileSlug(modelId: string): string {
  return modelId.replace(/[^A-Za-z0-9._-]+/g, "-");
}

/** Writes the CSV and SVG reports of an evaluation into `directory` and returns their paths. */
export async function writeReports(
  directory: string,
  modelId: string,
  plan: EvalPlan,
  cells: CellSummary[],
): Promise<{ csvPath: string; svgPath: string }> {
  await prepareReportDirectory(directory);
  const base = path.join(directory, `hashhop-${fileSlug(modelId)}`);
  const csvPath = `${base}.csv`;
  const svgPath = `${base}.svg`;
  await withFileError(csvPath, "--report-dir", () => writeFile(csvPath, renderCsv(cells)));
  const chart = renderChart(cells, { title: `HashHop accuracy of ${modelId}`, sizes: plan.sizes, hops: plan.hops, variants: plan.variants });
  await withFileError(svgPath, "--report-dir", () => writeFile(svgPath, chart));
  return { csvPath, svgPath };
}

/** Creates the report folder, so an evaluation fails before its first request rather than after its last. */
export async function prepareReportDirectory(directory: string): Promise<void> {
  await withFileError(directory, "--report-dir", () => mkdir(directory, { recursive: true }));
}
