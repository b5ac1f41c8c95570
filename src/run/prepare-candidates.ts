import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import { type Approach, approachFor } from "../agent/approaches.js";
import type { CandidateWorkspace } from "../agent/candidate-tests.js";
import { buildSandboxEnvironment } from "../sandbox/environment.js";
import { type Sandbox, succeeded } from "../sandbox/sandbox.js";
import { planTests, type TestPlan } from "../sandbox/test-command.js";
import type { Mirror } from "../workspace/mirror.js";
import type { Worktree } from "../workspace/worktree.js";
import { RunError } from "./errors.js";
import type { RunRequest } from "./run-request.js";

const SETUP_TIMEOUT_MS = 15 * 60_000;

/** A candidate's worktree with its approach, ready for the agent. */
export interface PreparedCandidate {
  approach: Approach;
  workspace: CandidateWorkspace;
  worktree: Worktree;
}

export interface PrepareOptions {
  request: RunRequest;
  mirror: Mirror;
  sandbox: Sandbox;
  runFolder: string;
  log: Logger;
  signal?: AbortSignal;
  /** Branch the worktrees start from: the issue's branch for a refinement, else the default branch. */
  baseBranch?: string;
  /** Commit to start from instead of the tip of the base branch, as a benchmark task sets it. */
  baseCommit?: string;
  /** Receives each worktree as soon as it exists, so the caller can remove it whatever happens next. */
  onWorktree: (worktree: Worktree) => void;
}

/**
 * Creates one worktree per candidate from the mirror, each with its own home folder and test plan,
 * and runs the setup command in each. Setup runs per worktree because installed dependencies, such
 * as a virtual environment, can hold absolute paths into the folder they were installed in.
 */
export async function prepareCandidates(options: PrepareOptions): Promise<PreparedCandidate[]> {
  const { request } = options;
  const count = request.config.candidates;
  return Promise.all(
    Array.from({ length: count }, async (_unused, index) => {
      const id = String(index + 1);
      // A resumed run may find its crashed predecessor's worktrees still leased, so each attempt names its own.
      const worktree = await options.mirror.createWorktree({
        name: `${request.runId}-${Date.now().toString(36)}-c${id}`,
        baseBranch: options.baseBranch ?? request.repository.defaultBranch,
        baseCommit: options.baseCommit,
      });
      options.onWorktree(worktree);
      const home = path.join(options.runFolder, `candidate-${id}`, "home");
      await mkdir(home, { recursive: true });
      // Report files go to the candidate's home: writable inside the sandbox, but outside the worktree and so out of the pull request.
      const plan = planTests(worktree.directory, request.config, { reportDirectory: path.join(home, ".magic-reports") });
      if (!plan) {
        throw new RunError(
          "no-test-command",
          "No test command was found for this repository.",
          "Set `test_command` in `.github/magic.yml` (for example `test_command: make test`), then re-apply the label.",
        );
      }
      const environment = buildSandboxEnvironment(process.env, home);
      await runSetup(options.sandbox, plan, worktree.directory, environment, request.config.setup_network, options.signal);
      const workspace: CandidateWorkspace = { id, directory: worktree.directory, plan, environment, diff: () => worktree.diff() };
      return { approach: approachFor(index, request.config.approaches), workspace, worktree };
    }),
  );
}

/** Runs the setup command of a test plan in a worktree; a failure becomes a {@link RunError} with the output's tail. */
export async function runSetup(
  sandbox: Sandbox,
  plan: TestPlan,
  worktree: string,
  environment: Record<string, string>,
  network: boolean,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (!plan.setup) return;
  const result = await sandbox.run(plan.setup, { cwd: worktree, env: environment, timeoutMs: SETUP_TIMEOUT_MS, network, signal });
  if (succeeded(result)) return;
  const tail = result.output.slice(-1_500).trim();
  throw new RunError(
    "setup-failed",
    `The setup command \`${plan.setup.join(" ")}\` failed${result.timedOut ? " (timed out)" : ` with exit code ${result.exitCode}`}:\n\n\`\`\`\n${tail}\n\`\`\`\n`,
    network
      ? "Fix the setup or set `setup_command` in `.github/magic.yml`, then re-apply the label."
      : "Fix the setup or set `setup_command` in `.github/magic.yml` (the setup runs without network because `setup_network` is false), then re-apply the label.",
  );
}
