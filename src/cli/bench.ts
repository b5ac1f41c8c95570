import { existsSync, statSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import { z } from "zod";
import type { Environment } from "../config/settings.js";
import { GoldModelClient, GOLD_MODEL_ID } from "../eval/bench/gold-model.js";
import { cancelledNote, renderTextTable, summaryLine } from "../eval/bench/bench-report.js";
import { tasksFromHistory } from "../eval/bench/from-history.js";
import { compareHistorySource, HistorySource, writeHistorySource } from "../eval/bench/history-source.js";
import { runBench } from "../eval/bench/run-bench.js";
import type { TaskParts, TaskResult } from "../eval/bench/run-task.js";
import { type BenchTask, formatTasks, readTasks } from "../eval/bench/task.js";
import { createModelClient } from "../llm/create-model-client.js";
import type { ModelClient } from "../llm/model-client.js";
import { LocalRunError } from "../local/errors.js";
import { resolveRepository } from "../local/repository-source.js";
import { type CommandIo, createCommandLogger, processIo } from "./command-io.js";
import { localWorkDir, nonEmptyOption, parseCommandArgs, reportFailure, validateOptions, wholeNumberOption } from "./local-options.js";
import { type LocalParts, localModelSettings, openLocalParts } from "./local-parts.js";

export const BENCH_USAGE = `Usage: magic bench TASKS.jsonl [options]
       magic bench --from-history REPO --limit N [options]

Runs the agent on each task at its base commit, then evaluates the winning patch in a fresh
worktree with the task's hidden test patch: a task is solved when its fail_to_pass tests pass and
its pass_to_pass tests still pass. Prints a table and the line
bench: tasks=<n> solved=<n> (<pct>%) usd=<total> median-time=<s>s, and writes report.json and
report.md. Finished tasks are stored in the output folder and skipped when rerun into it.

  --model ID            provider:model, replay:FILE, replay:FOLDER (FOLDER/bench-<task id>.jsonl
                        per task), or gold (applies each task's gold_patch). Default: MAGIC_MODEL
  --concurrency N       Tasks run at the same time, 1 to 16. Default: 1
  --candidates N        Candidates per task, 1 to 8. Default: 1
  --out DIR             Output folder. Default: magic-bench/<tasks file or repository name>
  --from-history REPO   Build tasks from REPO's first-parent history (a path or URL), save them
                        to DIR/tasks.jsonl, and run them. A rerun into DIR with the same
                        repository, --limit and commands reuses that file; other options exit
                        with 2.
  --limit N             Tasks to build with --from-history, 1 to 1000.
  --test-command CMD    Test command for tasks built from history. Default: the config, else
                        detected
  --setup-command CMD   Setup command for tasks built from history.
  -h, --help            Show this help.
`;

const ARGS = {
  help: { type: "boolean", short: "h" },
  model: { type: "string" },
  concurrency: { type: "string" },
  candidates: { type: "string" },
  out: { type: "string" },
  "from-history": { type: "string" },
  limit: { type: "string" },
  "test-command": { type: "string" },
  "setup-command": { type: "string" },
} as const;

const BenchOptions = z
  .object({
    help: z.boolean().optional(),
    model: nonEmptyOption("--model", "give a model id, replay:FILE or gold").optional(),
    concurrency: wholeNumberOption("--concurrency", 1, 16).default(1),
    candidates: wholeNumberOption("--candidates", 1, 8).default(1),
    out: nonEmptyOption("--out", "give a folder").optional(),
    "from-history": nonEmptyOption("--from-history", "give a repository path or URL").optional(),
    limit: wholeNumberOption("--limit", 1, 1_000).optional(),
    "test-command": nonEmptyOption("--test-command", "give a shell command such as npm test").optional(),
    "setup-command": nonEmptyOption("--setup-command", "give a shell command such as npm ci").optional(),
  })
  .refine((options) => options.limit === undefined || options["from-history"] !== undefined, { error: "--limit applies only with --from-history" })
  .refine((options) => options["from-history"] === undefined || options.limit !== undefined, { error: "--limit is missing: --from-history needs the number of tasks to build" })
  .refine((options) => options["from-history"] !== undefined || (options["test-command"] === undefined && options["setup-command"] === undefined), {
    error: "--test-command and --setup-command apply only with --from-history; a tasks file sets test_command and setup_command per task",
  });
type BenchOptions = z.infer<typeof BenchOptions>;

/** `magic bench …`: returns 0 when every task was run and reported, 1 on a failure, 2 for bad options or an invalid tasks file, 130 when cancelled. */
export async function benchCommand(argv: string[], env: Environment, signal: AbortSignal, io: CommandIo = processIo): Promise<number> {
  try {
    const args = parseCommandArgs(argv, ARGS, "bench", true);
    const options = validateOptions(BenchOptions, args.values);
    if (options.help) {
      io.stdout.write(BENCH_USAGE);
      return 0;
    }
    const tasksFile = tasksFileArgument(args.positionals, options);
    const log = createCommandLogger(env, io, (message) => new LocalRunError("invalid-option", message));
    const modelFor = modelFactory(options.model ?? env.MAGIC_MODEL?.trim(), env, log);
    const out = path.resolve(options.out ?? path.join("magic-bench", outName(tasksFile ?? (options["from-history"] as string))));
    const parts = await openLocalParts(env, localWorkDir(env), log);
    const tasks = tasksFile ? await readTasks(tasksFile) : await historyTasks(options, out, parts, log, io, signal);
    const tasksFolder = tasksFile ? path.dirname(path.resolve(tasksFile)) : process.cwd();
    const model = options.model ?? env.MAGIC_MODEL?.trim() ?? "";
    return await benchTasks(tasks, { ...options, out, model }, { ...parts, log, modelFor, candidates: options.candidates, tasksFolder }, io, signal);
  } catch (error) {
    return signal.aborted ? cancelled(io) : reportFailure(error, "bench", io);
  }
}

function tasksFileArgument(positionals: string[], options: BenchOptions): string | undefined {
  if (options["from-history"] !== undefined) {
    if (positionals.length > 0) throw new LocalRunError("invalid-option", `Give either a tasks file or --from-history, not both (found ${positionals.join(" ")}).`);
    return undefined;
  }
  if (positionals.length === 0) throw new LocalRunError("invalid-option", "The tasks file is missing: magic bench TASKS.jsonl, or magic bench --from-history REPO --limit N. See magic bench --help.");
  if (positionals.length > 1) throw new LocalRunError("invalid-option", `Give one tasks file, not ${positionals.length}: ${positionals.join(" ")}.`);
  const file = positionals[0] as string;
  if (!existsSync(file) || !statSync(file).isFile()) throw new LocalRunError("invalid-option", `The tasks file ${file} was not found.`);
  return file;
}

function outName(source: string): string {
  const base = path.basename(source.replace(/\/+$/, "")).replace(/\.(jsonl|git)$/, "");
  return base.replace(/[^A-Za-z0-9._-]+/g, "-") || "bench";
}

/**
 * Resolves the model before any work: `gold` replies with each task's gold patch, `replay:FOLDER` plays
 * each task's recording from the folder, and anything else is one model for every task.
 */
function modelFactory(modelId: string | undefined, env: Environment, log: Logger): TaskParts["modelFor"] {
  if (modelId === GOLD_MODEL_ID) {
    return (task: BenchTask) => {
      if (!task.gold_patch?.trim()) throw new LocalRunError("invalid-tasks", `Task ${task.id} has no gold_patch, which --model gold needs.`);
      return new GoldModelClient(task.gold_patch);
    };
  }
  const replayFolder = modelId?.startsWith("replay:") ? modelId.slice("replay:".length) : undefined;
  if (replayFolder && existsSync(replayFolder) && statSync(replayFolder).isDirectory()) {
    return (_task, runId) => createModelClient(localModelSettings(`replay:${path.join(replayFolder, `${runId}.jsonl`)}`, env, "bench"), undefined, { runId, log });
  }
  const settings = localModelSettings(modelId, env, "bench");
  return (_task, runId): ModelClient => createModelClient(settings, undefined, { runId, log });
}

async function historyTasks(options: BenchOptions, out: string, parts: LocalParts, log: Logger, io: CommandIo, signal: AbortSignal): Promise<BenchTask[]> {
  const saved = path.join(out, "tasks.jsonl");
  const sourceFile = path.join(out, "tasks-source.json");
  const source = options["from-history"] as string;
  const repository = await resolveRepository(source);
  const built: HistorySource = { repository: repository.localPath ?? source, limit: options.limit as number, testCommand: options["test-command"], setupCommand: options["setup-command"] };
  if (existsSync(saved)) {
    const difference = await compareHistorySource(sourceFile, built);
    if (difference) {
      throw new LocalRunError("invalid-option", `${saved} was built from other options: ${difference}. Choose another --out, or delete ${out} to build the tasks again.`);
    }
    io.stderr.write(`history: reusing the tasks built before in ${saved}\n`);
    return readTasks(saved);
  }
  const { tasks, tested } = await tasksFromHistory({
    repository,
    limit: built.limit,
    repoField: built.repository,
    testCommand: built.testCommand,
    setupCommand: built.setupCommand,
    parts: { ...parts, log, signal },
    onNote: (text) => io.stderr.write(`${text}\n`),
  });
  if (signal.aborted) throw new Error("cancelled");
  if (tasks.length === 0) throw new LocalRunError("no-tasks", noTasksMessage(source, tested));
  await mkdir(out, { recursive: true });
  await writeFile(saved, formatTasks(tasks));
  await writeHistorySource(sourceFile, built);
  io.stderr.write(`history: wrote ${tasks.length} tasks to ${saved}\n`);
  return tasks;
}

function noTasksMessage(source: string, tested: number): string {
  if (tested === 0) return `No task could be built from the history of ${source}: no commit with a parent changes test files and source files together.`;
  return `No task could be built from the history of ${source}; the lines above say why for each commit tested.`;
}

async function benchTasks(tasks: BenchTask[], options: BenchOptions & { out: string; model: string }, parts: TaskParts, io: CommandIo, signal: AbortSignal): Promise<number> {
  const outcome = await runBench({
    tasks,
    out: options.out,
    concurrency: options.concurrency,
    model: options.model,
    parts,
    signal,
    onResult: (result: TaskResult, resumed: boolean) =>
      io.stderr.write(`bench: ${result.id} ${resumed ? "finished in an earlier run" : result.solved ? "solved" : `not solved${result.reason ? `: ${result.reason}` : ""}`}\n`),
  });
  if (signal.aborted) {
    io.stderr.write(`${cancelledNote(outcome.tasksNotRun ?? 0)} It is in ${outcome.markdownReport}.\n`);
    return cancelled(io);
  }
  io.stdout.write(`${renderTextTable(outcome.results)}\n${summaryLine(outcome.summary)}\nWrote ${outcome.jsonReport}\nWrote ${outcome.markdownReport}\n`);
  return 0;
}

function cancelled(io: CommandIo): number {
  io.stderr.write("Cancelled: the worktrees were removed; finished tasks are kept and skipped on the next run into the same folder.\n");
  return 130;
}
