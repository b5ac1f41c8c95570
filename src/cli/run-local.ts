import path from "node:path";
import type { Logger } from "pino";
import { z } from "zod";
import type { Environment } from "../config/settings.js";
import { createModelClient } from "../llm/create-model-client.js";
import { LocalRunError } from "../local/errors.js";
import { type LocalIssue, readIssue } from "../local/issue-source.js";
import { type LocalRunResult, runLocalPipeline } from "../local/local-pipeline.js";
import { Progress } from "../local/progress.js";
import { checkNewBranch, type RepositorySource, resolveRepository } from "../local/repository-source.js";
import { RunJournal } from "../local/run-journal.js";
import { winnerPasses, writeRunOutputs } from "../local/run-output.js";
import type { Worktree } from "../workspace/worktree.js";
import { type CommandIo, createCommandLogger, processIo } from "./command-io.js";
import { dollarsOption, localWorkDir, nonEmptyOption, parseCommandArgs, reportFailure, validateOptions, wholeNumberOption } from "./local-options.js";
import { localModelSettings, openLocalParts } from "./local-parts.js";
import { countOf } from "../text/plural.js";

export const RUN_USAGE = `Usage: magic run --repo PATH|URL --issue TEXT|FILE|URL [options]

Runs the app's pipeline on a repository without GitHub: worktrees, setup and baseline tests, the
repository context, budgeted candidates and selection. Writes the winning patch, a markdown report
and a JSON record of every step to the output folder.

  --repo PATH|URL       Local git repository (its current branch, committed changes only) or an
                        https:// or file:// URL (its default branch).
  --issue TEXT|FILE|URL The issue: its text, a file that contains it (first line = title), or a
                        GitHub issue URL, read from the REST API with GITHUB_TOKEN when set.
  --model ID            Model as provider:model, or replay:FILE. Default: MAGIC_MODEL
  --budget-usd USD      Dollar budget of the run, up to 1000. Default: budget.usd of the
                        repository's .github/magic.yml, else 2
  --candidates N        Candidates working at the same time, 1 to 8. Default: the repository's
                        config, else 2
  --test-command CMD    Shell command that runs the tests. Default: the config, else detected
  --out DIR             Output folder. Default: magic-runs/<run id>
  --branch NAME         Commit the winning patch on a new branch NAME of the local repository.
  -h, --help            Show this help.

Press Ctrl-C to cancel: the worktrees are removed and the command exits with status 130.
`;

const RunOptions = z.object({
  help: z.boolean().optional(),
  repo: nonEmptyOption("--repo", "give a local repository path or a URL").optional(),
  issue: z.string().optional(),
  model: nonEmptyOption("--model", "give a model id such as anthropic:claude-sonnet-4-5").optional(),
  "budget-usd": dollarsOption("--budget-usd", 1_000).optional(),
  candidates: wholeNumberOption("--candidates", 1, 8).optional(),
  "test-command": nonEmptyOption("--test-command", "give a shell command such as npm test").optional(),
  out: nonEmptyOption("--out", "give a folder").optional(),
  branch: nonEmptyOption("--branch", "give a branch name").optional(),
});

const ARGS = {
  help: { type: "boolean", short: "h" },
  repo: { type: "string" },
  issue: { type: "string" },
  model: { type: "string" },
  "budget-usd": { type: "string" },
  candidates: { type: "string" },
  "test-command": { type: "string" },
  out: { type: "string" },
  branch: { type: "string" },
} as const;

/** `magic run …`: returns the exit code: 0 when the winning patch passes the tests, 1 otherwise, 2 for bad options, 130 when cancelled. */
export async function runCommand(argv: string[], env: Environment, signal: AbortSignal, io: CommandIo = processIo): Promise<number> {
  try {
    const options = validateOptions(RunOptions, parseCommandArgs(argv, ARGS, "run").values);
    if (options.help) {
      io.stdout.write(RUN_USAGE);
      return 0;
    }
    if (!options.repo) throw new LocalRunError("invalid-option", "--repo is missing: give a local repository path or a URL. See magic run --help.");
    if (options.issue === undefined) throw new LocalRunError("invalid-option", "--issue is missing: give the issue text, a file or a GitHub issue URL. See magic run --help.");
    const log = createCommandLogger(env, io, (message) => new LocalRunError("invalid-option", message));
    const modelSettings = localModelSettings(options.model, env, "run");
    const repository = await resolveRepository(options.repo);
    if (options.branch !== undefined) await checkNewBranch(repository, options.branch);
    const issue = await readIssue(options.issue, { token: env.GITHUB_TOKEN?.trim() || undefined, apiUrl: env.GITHUB_API_URL?.trim() || undefined });
    const runId = `local-${new Date().toISOString().replace(/[:.]/g, "-")}`;
    const model = createModelClient(modelSettings, undefined, { runId, log });
    return await execute({ ...options, repository, issue, runId, out: options.out ?? path.join("magic-runs", runId) }, { env, io, log, model, signal });
  } catch (error) {
    return signal.aborted ? cancelled(io) : reportFailure(error, "run", io);
  }
}

interface RunPlan {
  repository: RepositorySource;
  issue: LocalIssue;
  runId: string;
  out: string;
  branch?: string;
  candidates?: number;
  "budget-usd"?: number;
  "test-command"?: string;
}

interface RunContext {
  env: Environment;
  io: CommandIo;
  log: Logger;
  model: ReturnType<typeof createModelClient>;
  signal: AbortSignal;
}

async function execute(plan: RunPlan, context: RunContext): Promise<number> {
  const { io, signal } = context;
  const parts = await openLocalParts(context.env, localWorkDir(context.env), context.log);
  const journal = new RunJournal();
  const progress = new Progress(io.stderr);
  journal.onEvent((event) => progress.onEvent(event));
  if (plan.repository.uncommittedChanges) progress.note("the repository has uncommitted changes, which the run does not see; it starts from the last commit.");
  progress.note(`${plan.issue.title} (model ${context.model.modelId}, sandbox ${parts.sandbox.kind})`);

  let result: LocalRunResult;
  try {
    result = await runLocalPipeline(
      {
        runId: plan.runId,
        cloneUrl: plan.repository.cloneUrl,
        baseBranch: plan.repository.branch,
        issue: plan.issue,
        overrides: { candidates: plan.candidates, budgetUsd: plan["budget-usd"], testCommand: plan["test-command"] },
      },
      { ...parts, model: context.model, log: context.log, journal, onStatus: (view) => progress.onStatus(view), keepWinner: plan.branch ? (worktree) => commitOnBranch(worktree, plan, progress) : undefined },
      signal,
    );
  } finally {
    progress.finish();
  }
  if (signal.aborted) return cancelled(io);

  const files = await writeRunOutputs(plan.out, plan.issue, result, journal.events);
  const passes = winnerPasses(result);
  const problem = result.winner ? undefined : result.work.agent.candidates.map((candidate) => candidate.lastProblem).find(Boolean);
  if (problem) io.stderr.write(`No candidate changed any file. The last problem: ${problem}\n`);
  io.stdout.write(
    `run: ${result.winner ? (passes ? "tests pass" : "tests fail") : "no change"}, stop reason ${result.stopReason}, ` +
      `usd=${result.spend.usd.toFixed(4)}, ${countOf(result.spend.modelCalls, "model call")}, ${countOf(result.spend.testRuns, "test run")}, ${(result.durationMs / 1000).toFixed(1)}s\n` +
      `Wrote ${files.patch}\nWrote ${files.report}\nWrote ${files.record}\n`,
  );
  return passes ? 0 : 1;
}

/** Commits the winner in its worktree and pushes that commit to a new branch of the local repository. */
async function commitOnBranch(worktree: Worktree, plan: RunPlan, progress: Progress): Promise<void> {
  const branch = plan.branch as string;
  try {
    await worktree.commitAll(`${plan.issue.title}\n\nWritten by magic run ${plan.runId}.`);
    await worktree.push(branch, undefined);
  } catch (error) {
    throw new LocalRunError("branch-failed", `Committing the patch on branch ${branch} failed: ${(error as Error).message}`, { cause: error });
  }
  progress.note(`committed the patch on branch ${branch} of ${plan.repository.localPath}`);
}

function cancelled(io: CommandIo): number {
  io.stderr.write("Cancelled: the worktrees were removed and nothing was written.\n");
  return 130;
}

