import { isTestPath } from "../../context/test-files.js";
import { languageForPath } from "../../context/languages.js";
import type { RepositorySource } from "../../local/repository-source.js";
import { describeLocalFailure } from "../../local/errors.js";
import { createGit } from "../../workspace/git.js";
import type { BenchTask } from "./task.js";
import { type CheckoutParts, testCheckout } from "./test-checkout.js";
import type { TestResult } from "../../sandbox/run-tests.js";
import { passingTestNames } from "./test-status.js";

const PLAIN_DIFF = ["--no-ext-diff", "--no-textconv", "--no-renames", "--binary"];

export interface HistoryOptions {
  repository: RepositorySource;
  /** Tasks to build; the walk stops once this many are built. */
  limit: number;
  /** The repository's path or URL as the tasks should name it. */
  repoField: string;
  testCommand?: string;
  setupCommand?: string;
  parts: CheckoutParts;
  /** Receives one line per commit that was tested: the task it became, or why it was skipped. */
  onNote: (text: string) => void;
}

interface CandidateCommit {
  commit: string;
  parent: string;
  testFiles: string[];
  otherFiles: string[];
}

/**
 * Builds tasks from a repository's own history. It walks the first-parent history of the branch, newest
 * first, and takes each commit that changes test files and source files together. The test changes
 * become the hidden test patch, the rest the gold patch, and the commit message the problem statement.
 * The tests run twice, at the parent with the test patch and at the parent with both patches:
 * fail_to_pass are the tests that pass only with the fix, pass_to_pass those that pass in both runs.
 */
export async function tasksFromHistory(options: HistoryOptions): Promise<{ tasks: BenchTask[]; tested: number }> {
  const mirror = await options.parts.workspaces.openMirror({ cloneUrl: options.repository.cloneUrl, log: options.parts.log });
  const git = createGit(mirror.directory);
  const tasks: BenchTask[] = [];
  let examined = 0;
  for await (const candidate of candidateCommits(git, options.repository.branch, options.onNote)) {
    if (tasks.length >= options.limit || options.parts.signal?.aborted) break;
    examined += 1;
    const task = await buildTask(git, candidate, options);
    if (task) tasks.push(task);
  }
  options.onNote(`history: ${examined} commits that change source and test files were tested; ${tasks.length} became tasks`);
  return { tasks, tested: examined };
}

/**
 * Yields the commits that change test and source files together, newest first, reading each commit's
 * files only when the walk reaches it. A root commit is skipped with a note, because it has no parent
 * to run the tests at.
 */
async function* candidateCommits(git: ReturnType<typeof createGit>, branch: string, onNote: (text: string) => void): AsyncGenerator<CandidateCommit> {
  const lines = (await git.raw(["rev-list", "--first-parent", "--parents", `refs/heads/${branch}`])).trim().split("\n");
  for (const line of lines) {
    const [commit, parent] = line.split(" ");
    if (!commit) continue;
    if (!parent) {
      const subject = (await git.raw(["log", "-1", "--format=%s", commit])).trim();
      onNote(`history: ${commit.slice(0, 10)} ${subject}: skipped, it is the root commit and has no parent to compare with`);
      continue;
    }
    const files = (await git.raw(["diff", "--name-only", "-z", ...PLAIN_DIFF, parent, commit])).split("\0").filter(Boolean);
    const testFiles = files.filter(isTestPath);
    const otherFiles = files.filter((file) => !isTestPath(file));
    if (testFiles.length > 0 && otherFiles.some((file) => languageForPath(file) !== undefined)) yield { commit, parent, testFiles, otherFiles };
  }
}

async function buildTask(git: ReturnType<typeof createGit>, candidate: CandidateCommit, options: HistoryOptions): Promise<BenchTask | undefined> {
  const short = candidate.commit.slice(0, 10);
  const message = (await git.raw(["log", "-1", "--format=%B", candidate.commit])).trim();
  const subject = message.split("\n")[0] ?? "";
  const skip = (reason: string) => {
    options.onNote(`history: ${short} ${subject}: skipped, ${reason}`);
    return undefined;
  };
  const testPatch = await git.raw(["diff", ...PLAIN_DIFF, candidate.parent, candidate.commit, "--", ...candidate.testFiles]);
  const goldPatch = await git.raw(["diff", ...PLAIN_DIFF, candidate.parent, candidate.commit, "--", ...candidate.otherFiles]);
  if (!message) return skip("its commit message is empty");
  const request = { cloneUrl: options.repository.cloneUrl, branch: options.repository.branch, commit: candidate.parent, testPatch, overrides: { testCommand: options.testCommand, setupCommand: options.setupCommand } };
  let before, after;
  try {
    before = await testCheckout(request, options.parts);
    after = await testCheckout({ ...request, patch: goldPatch }, options.parts);
  } catch (error) {
    return skip(`running its tests failed: ${describeLocalFailure(error).split("\n")[0]}`);
  }
  const broken = [before, after].find((result) => result.report.source === "exit-code" && !result.passed);
  if (broken) return skip(`the test command failed without a test report (exit code ${broken.exitCode}): ${lastLine(broken.outputTail)}`);
  const passingBefore = passingTestNames(before);
  const passingAfter = passingTestNames(after);
  if (!passingBefore || !passingAfter) return skip("the test output names no passing tests; use a test command that writes TAP, JUnit XML or pytest -rA");
  if (passingAfter.length === 0) return skip(`no test passes at the commit${describeFirstFailure(after)}`);
  const passedBefore = new Set(passingBefore);
  const failToPass = passingAfter.filter((name) => !passedBefore.has(name));
  if (failToPass.length === 0) return skip("no test fails before the fix and passes after it");
  const passToPass = passingAfter.filter((name) => passedBefore.has(name));
  options.onNote(`history: ${short} ${subject}: task built with ${failToPass.length} fail_to_pass and ${passToPass.length} pass_to_pass tests`);
  return {
    id: `${repositoryLabel(options.repoField)}-${short}`,
    repo: options.repoField,
    base_commit: candidate.parent,
    problem_statement: message,
    test_patch: testPatch,
    fail_to_pass: failToPass,
    pass_to_pass: passToPass,
    gold_patch: goldPatch,
    ...(options.setupCommand ? { setup_command: options.setupCommand } : {}),
    ...(options.testCommand ? { test_command: options.testCommand } : {}),
  };
}

function describeFirstFailure(result: TestResult): string {
  const first = result.report.failures[0];
  if (!first) return result.timedOut ? " (the tests timed out)" : "";
  const message = first.message.split("\n")[0]?.trim();
  return ` (first failure: ${first.name}${message ? `: ${message}` : ""})`;
}

function lastLine(text: string): string {
  const lines = text.trim().split("\n");
  return (lines.at(-1) ?? "").trim().slice(0, 200);
}

function repositoryLabel(repo: string): string {
  const name = repo.replace(/\/+$/, "").split("/").at(-1) ?? "repo";
  return name.replace(/\.git$/, "").replace(/[^A-Za-z0-9_-]+/g, "-") || "repo";
}
