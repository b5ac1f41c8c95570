import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import PQueue from "p-queue";
import { describeLocalFailure } from "../../local/errors.js";
import { cancelledNote, renderMarkdownReport, summarizeResults, summaryLine, type BenchSummary } from "./bench-report.js";
import { runTask, type TaskParts, type TaskResult } from "./run-task.js";
import type { BenchTask } from "./task.js";

export interface BenchRun {
  tasks: BenchTask[];
  /** Output folder. Its `tasks/` folder contains one result per finished task, which a rerun skips. */
  out: string;
  concurrency: number;
  model: string;
  parts: TaskParts;
  signal?: AbortSignal;
  /** Called as each task finishes or is found finished from an earlier run. */
  onResult?: (result: TaskResult, resumed: boolean) => void;
}

export interface BenchOutcome {
  results: TaskResult[];
  summary: BenchSummary;
  /** Tasks that were skipped because an earlier run into the same folder finished them. */
  resumed: number;
  /** Tasks without a result because the bench was cancelled; undefined when it was not. */
  tasksNotRun?: number;
  jsonReport: string;
  markdownReport: string;
}

/**
 * Runs every task not finished before, `concurrency` at a time, storing each result as it finishes so
 * that an interrupted benchmark resumes where it stopped. A task that fails with an error counts as
 * unsolved with the error as its reason. Cancelled tasks are not stored, and the reports of a cancelled
 * bench cover the finished tasks and are marked as partial.
 */
export async function runBench(run: BenchRun): Promise<BenchOutcome> {
  const resultsFolder = path.join(run.out, "tasks");
  await mkdir(resultsFolder, { recursive: true });
  const results = new Map<string, TaskResult>();
  let resumed = 0;
  const queue = new PQueue({ concurrency: run.concurrency });
  for (const task of run.tasks) {
    const file = path.join(resultsFolder, resultFileName(task.id));
    const earlier = await readResult(file);
    if (earlier) {
      results.set(task.id, earlier);
      resumed += 1;
      run.onResult?.(earlier, true);
      continue;
    }
    void queue.add(async () => {
      if (run.signal?.aborted) return;
      const result = await runOne(task, run);
      if (!result) return;
      results.set(task.id, result);
      await writeJson(file, result);
      run.onResult?.(result, false);
    });
  }
  await queue.onIdle();
  const ordered = run.tasks.map((task) => results.get(task.id)).filter((result): result is TaskResult => result !== undefined);
  const tasksNotRun = run.signal?.aborted ? run.tasks.length - ordered.length : undefined;
  return { results: ordered, summary: summarizeResults(ordered), resumed, tasksNotRun, ...(await writeReports(run, ordered, tasksNotRun)) };
}

async function runOne(task: BenchTask, run: BenchRun): Promise<TaskResult | undefined> {
  const startedAt = Date.now();
  try {
    const result = await runTask(task, run.parts, run.signal);
    // A cancelled task's result does not measure the model, and storing it would skip the task on resume.
    return run.signal?.aborted ? undefined : result;
  } catch (error) {
    if (run.signal?.aborted) return undefined;
    run.parts.log.warn({ err: error, task: task.id }, "task failed");
    return {
      id: task.id,
      solved: false,
      usd: 0,
      durationMs: Date.now() - startedAt,
      steps: 0,
      modelCalls: 0,
      stopReason: "error",
      failToPass: [],
      passToPass: [],
      reason: `error: ${describeLocalFailure(error).split("\n")[0]}`,
      patch: "",
      finishedAt: new Date().toISOString(),
    };
  }
}

async function writeReports(run: BenchRun, results: TaskResult[], tasksNotRun: number | undefined): Promise<{ jsonReport: string; markdownReport: string }> {
  const jsonReport = path.join(run.out, "report.json");
  const markdownReport = path.join(run.out, "report.md");
  const summary = summarizeResults(results);
  const partial = tasksNotRun === undefined ? {} : { partial: { cancelled: true, tasksNotRun, note: cancelledNote(tasksNotRun) } };
  await writeJson(jsonReport, { model: run.model, ...partial, summary, summaryLine: summaryLine(summary), tasks: results });
  await writeFile(markdownReport, renderMarkdownReport(results, run.model, tasksNotRun));
  return { jsonReport, markdownReport };
}

/** Builds a safe file name for a task id; the hash keeps two ids from sharing one. */
function resultFileName(id: string): string {
  const readable = id.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^[-.]+/, "").slice(0, 80);
  return `${readable}-${createHash("sha256").update(id).digest("hex").slice(0, 8)}.json`;
}

async function readResult(file: string): Promise<TaskResult | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as TaskResult;
  } catch {
    // A missing or half-written result means the task runs again.
    return undefined;
  }
}

async function writeJson(file: string, value: unknown): Promise<void> {
  const temporary = `${file}.tmp`;
  await writeFile(temporary, `${JSON.stringify(value, null, 2)}\n`);
  await rename(temporary, file);
}
