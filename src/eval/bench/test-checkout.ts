import { randomBytes } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Logger } from "pino";
import { patchPaths } from "./patch-paths.js";
import { readLocalConfig, type ConfigOverrides } from "../../local/repository-config.js";
import { RunError } from "../../run/errors.js";
import { runSetup } from "../../run/prepare-candidates.js";
import { buildSandboxEnvironment } from "../../sandbox/environment.js";
import { runTests, type TestResult } from "../../sandbox/run-tests.js";
import type { Sandbox } from "../../sandbox/sandbox.js";
import { planTests } from "../../sandbox/test-command.js";
import type { WorkspaceManager } from "../../workspace/workspace-manager.js";
import { leaseRunFolder } from "../../local/run-folders.js";

export interface CheckoutParts {
  workspaces: WorkspaceManager;
  sandbox: Sandbox;
  workDir: string;
  log: Logger;
  signal?: AbortSignal;
}

export interface CheckoutTestRequest {
  cloneUrl: string;
  branch: string;
  commit: string;
  /** Applied first, such as a candidate's or the gold patch. */
  patch?: string;
  /** Applied last, after the files it touches are put back as they are at `commit`, so it wins over `patch`. */
  testPatch?: string;
  overrides: ConfigOverrides;
}

/**
 * Runs the setup and the tests in a fresh worktree at a commit with patches applied, the way a task is
 * evaluated. The worktree and its home folder are removed afterwards.
 */
export async function testCheckout(request: CheckoutTestRequest, parts: CheckoutParts): Promise<TestResult> {
  const mirror = await parts.workspaces.openMirror({ cloneUrl: request.cloneUrl, log: parts.log });
  const config = await readLocalConfig(mirror.directory, request.commit, request.overrides);
  const name = `check-${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
  const folder = path.join(parts.workDir, "runs", name);
  const lease = await leaseRunFolder(folder, parts.log);
  const worktree = await mirror.createWorktree({ name, baseBranch: request.branch, baseCommit: request.commit }).catch(async (error: unknown) => {
    await lease.release();
    throw error;
  });
  try {
    const home = path.join(folder, "home");
    await mkdir(home, { recursive: true });
    if (request.patch?.trim()) await applyPatchText(worktree, folder, "patch.diff", request.patch);
    if (request.testPatch?.trim()) {
      await worktree.restoreFromBase(patchPaths(request.testPatch));
      await applyPatchText(worktree, folder, "test.diff", request.testPatch);
    }
    const plan = planTests(worktree.directory, config, { reportDirectory: path.join(home, ".magic-reports") });
    if (!plan) throw new RunError("no-test-command", "No test command was found for this repository.", "Set test_command in the task or --test-command.");
    const environment = buildSandboxEnvironment(process.env, home);
    await runSetup(parts.sandbox, plan, worktree.directory, environment, config.setup_network, parts.signal);
    return await runTests(parts.sandbox, plan.test, {
      worktree: worktree.directory,
      environment,
      timeoutMs: config.test_timeout_seconds * 1000,
      signal: parts.signal,
      runner: plan.runner,
      junitReports: plan.junitReports,
    });
  } finally {
    await worktree.remove().catch((error: unknown) => parts.log.warn({ err: error }, "removing a worktree failed"));
    await rm(folder, { recursive: true, force: true });
    await lease.release();
  }
}

async function applyPatchText(worktree: { applyPatch(file: string): Promise<void> }, folder: string, fileName: string, text: string): Promise<void> {
  const file = path.join(folder, fileName);
  await writeFile(file, text.endsWith("\n") ? text : `${text}\n`);
  await worktree.applyPatch(file);
}
