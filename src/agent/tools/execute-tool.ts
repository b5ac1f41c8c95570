import { readFile } from "node:fs/promises";
import type { TestResult } from "../../sandbox/run-tests.js";
import { describeTestRun } from "../../sandbox/test-feedback.js";
import { isTestPath } from "../approaches.js";
import type { BudgetStopReason } from "../budget.js";
import { type CandidateWorkspace, runBudgetedTests, type TestSettings } from "../candidate-tests.js";
import { applyEdits, type Edit } from "../edits/index.js";
import { resolveEditPath } from "../edits/path-safety.js";
import { type ToolInput, ToolInputs, type ToolName } from "./definitions.js";
import { listFolder, readFileRange, searchCode } from "./repository-tools.js";

export interface ToolContext {
  workspace: CandidateWorkspace;
  tests: TestSettings;
  protectedPaths: string[];
  baseline: TestResult;
  /** While true, edits may change test files only, as the reproduce-first approach requires. */
  testFilesOnly: boolean;
  signal?: AbortSignal;
}

/** The effects of one tool call, besides the text returned to the model. */
export interface ToolOutcome {
  output: string;
  changedFiles?: string[];
  test?: { result: TestResult; fullSuite: boolean };
  /** The model's summary, when it called `finish`. */
  finished?: string;
  /** Set when a test run was refused because the budget has no test run left. */
  refusal?: BudgetStopReason;
}

/**
 * Validates a tool call's input against its schema and runs it in the candidate's worktree. An
 * unknown tool or invalid input returns the validation error as the tool output instead of throwing.
 */
export async function executeTool(toolName: string, input: unknown, context: ToolContext): Promise<ToolOutcome> {
  if (!(toolName in ToolInputs)) return { output: `Unknown tool ${toolName}. Use one of: ${Object.keys(ToolInputs).join(", ")}.` };
  const name = toolName as ToolName;
  const parsed = ToolInputs[name].safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "input"}: ${issue.message}`).join("; ");
    return { output: `Invalid arguments for ${name}: ${problems}. Call it again with valid arguments.` };
  }
  return runTool(name, parsed.data, context);
}

async function runTool(name: ToolName, input: ToolInput<ToolName>, context: ToolContext): Promise<ToolOutcome> {
  const directory = context.workspace.directory;
  switch (name) {
    case "read_file": {
      const { path, start_line, end_line } = input as ToolInput<"read_file">;
      return textOutcome(await readFileRange(directory, path, start_line, end_line));
    }
    case "list_folder":
      return textOutcome(await listFolder(directory, (input as ToolInput<"list_folder">).path));
    case "search_code": {
      const { pattern, path, glob, case_insensitive } = input as ToolInput<"search_code">;
      return textOutcome(await searchCode(directory, pattern, { path, glob, caseInsensitive: case_insensitive }));
    }
    case "edit_file":
      return editFile(input as ToolInput<"edit_file">, context);
    case "write_file": {
      const { path, content } = input as ToolInput<"write_file">;
      return applyOne({ kind: "write", blockNumber: 1, path, content }, context);
    }
    case "run_tests":
      return runTestsTool((input as ToolInput<"run_tests">).paths ?? [], context);
    case "finish":
      return { output: "Finished.", finished: (input as ToolInput<"finish">).summary };
  }
}

function textOutcome(result: { ok: true; text: string } | { ok: false; error: string }): ToolOutcome {
  return { output: result.ok ? result.text : `Error: ${result.error}` };
}

/**
 * Replaces lines of a file. When the search text is not whole lines of the file but occurs exactly
 * once inside it, that occurrence is replaced, as tool-trained models often quote part of a line.
 */
async function editFile(input: ToolInput<"edit_file">, context: ToolContext): Promise<ToolOutcome> {
  const lineEdit: Edit = { kind: "search-replace", blockNumber: 1, path: input.path, search: input.search, replace: input.replace };
  const result = await applyCandidateEdits([lineEdit], context);
  if (result.errors.length === 0) return { output: `Applied: ${result.changedFiles.join(", ")} changed.`, changedFiles: result.changedFiles };
  const whole = await replaceUniqueSubstring(input, context);
  return whole ? applyOne(whole, context) : { output: `The edit was not applied: ${result.errors.join(" ")}` };
}

/** Returns a whole-file write that replaces the only occurrence of the search text, or undefined. */
async function replaceUniqueSubstring(input: ToolInput<"edit_file">, context: ToolContext): Promise<Edit | undefined> {
  const resolved = resolveEditPath(context.workspace.directory, input.path, context.protectedPaths);
  if (!resolved.ok) return undefined;
  const content = await readFile(resolved.absolutePath, "utf8").catch(() => undefined);
  // Files with CRLF or a BOM go through the line-based engine only, which keeps both exactly.
  if (content === undefined || content.includes("\r") || content.startsWith("\uFEFF")) return undefined;
  const first = content.indexOf(input.search);
  if (first === -1 || content.indexOf(input.search, first + 1) !== -1) return undefined;
  const updated = content.slice(0, first) + input.replace + content.slice(first + input.search.length);
  return { kind: "write", blockNumber: 1, path: input.path, content: updated };
}

/** Applies edits from tools or from reply text, keeping the reproduce phase to test files. */
export async function applyCandidateEdits(edits: Edit[], context: ToolContext): Promise<{ changedFiles: string[]; errors: string[] }> {
  if (context.testFilesOnly) {
    const outside = edits.flatMap((edit) => [edit.path, ...(edit.kind === "rename" ? [edit.newPath] : [])]).filter((path) => !isTestPath(path));
    if (outside.length > 0) {
      return { changedFiles: [], errors: [`While reproducing the issue, change test files only; ${outside.join(", ")} is not a test file. Nothing was written.`] };
    }
  }
  return applyEdits(context.workspace.directory, edits, { protectedPaths: context.protectedPaths });
}

async function applyOne(edit: Edit, context: ToolContext): Promise<ToolOutcome> {
  const result = await applyCandidateEdits([edit], context);
  if (result.errors.length > 0) return { output: `The edit was not applied: ${result.errors.join(" ")}` };
  return { output: `Applied: ${result.changedFiles.join(", ")} changed.`, changedFiles: result.changedFiles };
}

async function runTestsTool(paths: string[], context: ToolContext): Promise<ToolOutcome> {
  for (const path of paths) {
    const resolved = resolveEditPath(context.workspace.directory, path, []);
    if (!resolved.ok || path.startsWith("-")) return { output: `Invalid test path ${path}: ${resolved.ok ? "it may not start with -" : resolved.message}` };
  }
  const run = await runBudgetedTests(context.workspace, context.tests, paths, context.signal);
  if (!run.ok) return { output: `The tests were not run: the run's budget is spent (${run.reason}).`, refusal: run.reason };
  const description = describeTestRun(run.result, run.fullSuite ? context.baseline : undefined);
  return { output: run.note ? `${run.note}\n\n${description}` : description, test: { result: run.result, fullSuite: run.fullSuite } };
}
