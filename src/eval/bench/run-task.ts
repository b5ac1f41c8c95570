import path from "node:path";
import type { Logger } from "pino";
import type { ModelClient } from "../../llm/model-client.js";
import { issueFromText } from "../../local/issue-source.js";
import { runLocalPipeline } from "../../local/local-pipeline.js";
import { type RepositorySource, resolveRepository } from "../../local/repository-source.js";
import { RunJournal } from "../../local/run-journal.js";
import type { Sandbox } from "../../sandbox/sandbox.js";
import type { WorkspaceManager } from "../../workspace/workspace-manager.js";
import type { BenchTask } from "./task.js";
import { type CheckoutParts, testCheckout } from "./test-checkout.js";
import { type NamedTestOutcome, namedTestOutcomes } from "./test-status.js";

/** The outcome of one task, as stored in the output folder and shown in the table. */
export interface TaskResult {
  id: string;
  solved: boolean;
  usd: number;
  durationMs: number;
  steps: number;
  modelCalls: number;
  stopReason: string;
  failToPass: NamedTestOutcome[];
  passToPass: NamedTestOutcome[];
  /** Reason the task was not solved, in one sentence; absent for a solved task. */
  reason?: string;
  patch: string;
  finishedAt: string;
}

export interface TaskParts {
  workspaces: WorkspaceManager;
  sandbox: Sandbox;
  workDir: string;
  log: Logger;
  /** Creates the model for one task; the gold model needs the task, a replay its recording. */
  modelFor: (task: BenchTask, runId: string) => ModelClient;
  candidates: number;
  /** Folder of the tasks file, against which relative repository paths resolve. */
  tasksFolder: string;
}

/**
 * Lets the agent work on a task at its base commit without the hidden test patch, then evaluates the
 * winning patch in a fresh worktree with the test patch applied.
 */
export async function runTask(task: BenchTask, parts: TaskParts, signal?: AbortSignal): Promise<TaskResult> {
  const startedAt = Date.now();
  const repository = await resolveTaskRepository(task, parts.tasksFolder);

  const runId = benchRunId(task.id);
  const model = parts.modelFor(task, runId);
  const run = await runLocalPipeline(
    {
      runId,
      cloneUrl: repository.cloneUrl,
      baseBranch: repository.branch,
      baseCommit: task.base_commit,
      issue: issueFromText(task.problem_statement, `task ${task.id}`),
      overrides: { candidates: parts.candidates, testCommand: task.test_command, setupCommand: task.setup_command, approaches: model.modelId === "gold" ? ["direct"] : undefined },
    },
    { model, sandbox: parts.sandbox, workspaces: parts.workspaces, workDir: parts.workDir, log: parts.log, journal: new RunJournal() },
    signal,
  );

  const base = {
    id: task.id,
    usd: run.spend.usd,
    steps: run.work.agent.candidates.reduce((sum, candidate) => sum + candidate.steps.length, 0),
    modelCalls: run.spend.modelCalls,
    stopReason: run.stopReason,
    patch: run.patch,
  };
  const finish = (fields: Pick<TaskResult, "solved" | "failToPass" | "passToPass" | "reason">): TaskResult => ({ ...base, ...fields, durationMs: Date.now() - startedAt, finishedAt: new Date().toISOString() });
  if (signal?.aborted) throw new Error("the task was cancelled");
  if (!run.patch.trim()) {
    const problem = run.work.agent.candidates.map((candidate) => candidate.lastProblem).find(Boolean);
    return finish({ solved: false, failToPass: [], passToPass: [], reason: `no candidate changed any file${problem ? `: ${firstLine(problem)}` : ""}` });
  }

  const checkout: CheckoutParts = { workspaces: parts.workspaces, sandbox: parts.sandbox, workDir: parts.workDir, log: parts.log, signal };
  const result = await testCheckout(
    { cloneUrl: repository.cloneUrl, branch: repository.branch, commit: task.base_commit, patch: run.patch, testPatch: task.test_patch, overrides: { testCommand: task.test_command, setupCommand: task.setup_command } },
    checkout,
  );
  const failToPass = namedTestOutcomes(result, task.fail_to_pass);
  const passToPass = namedTestOutcomes(result, task.pass_to_pass);
  const solved = [...failToPass, ...passToPass].every((outcome) => outcome.passed);
  return finish({ solved, failToPass, passToPass, reason: solved ? undefined : unsolvedReason(failToPass, passToPass) });
}

function unsolvedReason(failToPass: NamedTestOutcome[], passToPass: NamedTestOutcome[]): string {
  const failing = failToPass.filter((outcome) => !outcome.passed).map((outcome) => outcome.name);
  const broken = passToPass.filter((outcome) => !outcome.passed).map((outcome) => outcome.name);
  const parts: string[] = [];
  if (failing.length > 0) parts.push(`${failing.length} of ${failToPass.length} fail_to_pass tests still fail (${failing.slice(0, 3).join(", ")}${failing.length > 3 ? ", ..." : ""})`);
  if (broken.length > 0) parts.push(`${broken.length} of ${passToPass.length} pass_to_pass tests now fail (${broken.slice(0, 3).join(", ")}${broken.length > 3 ? ", ..." : ""})`);
  return parts.join("; ");
}

async function resolveTaskRepository(task: BenchTask, tasksFolder: string): Promise<RepositorySource> {
  const isUrl = /^(https?|file):\/\//.test(task.repo);
  return resolveRepository(isUrl ? task.repo : path.resolve(tasksFolder, task.repo));
}

function firstLine(text: string): string {
  return text.split("\n")[0]?.trim() ?? "";
}

/**
 * Names a task's run after the task alone, so that MAGIC_RECORD writes `bench-<id>.jsonl` and a replay
 * of the benchmark finds each task's recording under the same name.
 */
export function benchRunId(taskId: string): string {
  return `bench-${taskId.replace(/[^A-Za-z0-9_-]+/g, "-").slice(0, 60)}`;
}
