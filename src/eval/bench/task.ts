import { readFile } from "node:fs/promises";
import { z } from "zod";
import { LocalRunError } from "../../local/errors.js";

const testNames = z.array(z.string().min(1, { error: "expected test names, not empty strings" }), { error: "expected a list of test names" });

/** One benchmark task: a problem on a repository at a commit, with the tests that judge a fix. */
export const BenchTask = z.strictObject({
  id: z.string({ error: "expected a task id" }).trim().min(1, { error: "expected a non-empty task id" }).max(200),
  /** Local path, relative to the tasks file, or an https:// or file:// URL. */
  repo: z.string({ error: "expected a repository path or URL" }).trim().min(1, { error: "expected a repository path or URL" }),
  base_commit: z.string({ error: "expected a commit id" }).regex(/^[0-9a-f]{7,64}$/i, { error: "expected a commit id of 7 to 64 hexadecimal digits" }),
  problem_statement: z.string({ error: "expected the problem statement as text" }).trim().min(1, { error: "expected a non-empty problem statement" }),
  /** Applied before evaluation and never shown to the agent. */
  test_patch: z.string().optional(),
  fail_to_pass: testNames.min(1, { error: "expected at least one test that the fix makes pass" }),
  pass_to_pass: testNames.default([]),
  gold_patch: z.string().optional(),
  setup_command: z.string().trim().min(1).optional(),
  test_command: z.string().trim().min(1).optional(),
});
export type BenchTask = z.infer<typeof BenchTask>;

/** Reads a JSON Lines file of tasks; every invalid line is reported with its line number, all at once. */
export async function readTasks(file: string): Promise<BenchTask[]> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new LocalRunError("invalid-tasks", `The tasks file ${file} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  const tasks: BenchTask[] = [];
  const problems: string[] = [];
  text.split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    const parsed = parseTaskLine(line);
    if (parsed.ok) tasks.push(parsed.task);
    else problems.push(...parsed.problems.map((problem) => `${file}:${index + 1}: ${problem}`));
  });
  problems.push(...duplicateIds(tasks));
  if (problems.length > 0) throw new LocalRunError("invalid-tasks", `The tasks file is invalid:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
  if (tasks.length === 0) throw new LocalRunError("invalid-tasks", `The tasks file ${file} contains no task: write one JSON object per line.`);
  return tasks;
}

function parseTaskLine(line: string): { ok: true; task: BenchTask } | { ok: false; problems: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (error) {
    return { ok: false, problems: [`not valid JSON (${(error as Error).message})`] };
  }
  const parsed = BenchTask.safeParse(json);
  if (parsed.success) return { ok: true, task: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => {
      if (issue.code === "unrecognized_keys") return `unknown field ${issue.keys.join(", ")}; expected ${Object.keys(BenchTask.shape).join(", ")}`;
      return `${issue.path.join(".") || "task"}: ${issue.message}`;
    }),
  };
}

function duplicateIds(tasks: BenchTask[]): string[] {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const task of tasks) {
    if (seen.has(task.id)) duplicates.add(task.id);
    seen.add(task.id);
  }
  return [...duplicates].map((id) => `the task id ${id} appears more than once`);
}

/** Formats tasks as JSON Lines. */
export function formatTasks(tasks: BenchTask[]): string {
  return tasks.map((task) => JSON.stringify(task)).join("\n") + (tasks.length > 0 ? "\n" : "");
}
