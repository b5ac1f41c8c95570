import type { TaskResult } from "./run-task.js";
import { countOf } from "../../text/plural.js";

export interface BenchSummary {
  tasks: number;
  solved: number;
  usd: number;
  medianSeconds: number;
}

export function summarizeResults(results: TaskResult[]): BenchSummary {
  const seconds = results.map((result) => result.durationMs / 1000).sort((left, right) => left - right);
  const middle = Math.floor(seconds.length / 2);
  let medianSeconds = 0;
  if (seconds.length % 2 === 1) medianSeconds = seconds[middle] as number;
  else if (seconds.length > 0) medianSeconds = ((seconds[middle - 1] as number) + (seconds[middle] as number)) / 2;
  return {
    tasks: results.length,
    solved: results.filter((result) => result.solved).length,
    usd: results.reduce((sum, result) => sum + result.usd, 0),
    medianSeconds,
  };
}

/** Formats the closing line: `bench: tasks=<n> solved=<n> (<pct>%) usd=<total> median-time=<s>s`. */
export function summaryLine(summary: BenchSummary): string {
  const percent = summary.tasks === 0 ? 0 : (summary.solved / summary.tasks) * 100;
  return `bench: tasks=${summary.tasks} solved=${summary.solved} (${Number(percent.toFixed(1))}%) usd=${summary.usd.toFixed(4)} median-time=${summary.medianSeconds.toFixed(1)}s`;
}

const COLUMNS = ["task", "solved", "usd", "time", "steps", "stop reason", "note"] as const;

function cells(result: TaskResult): string[] {
  return [result.id, result.solved ? "yes" : "no", result.usd.toFixed(4), `${(result.durationMs / 1000).toFixed(1)}s`, String(result.steps), result.stopReason, result.reason ?? ""];
}

/** Renders a plain-text table for the terminal, with columns padded to their widest cell. */
export function renderTextTable(results: TaskResult[]): string {
  const rows = [[...COLUMNS], ...results.map(cells)];
  const widths = COLUMNS.map((_column, index) => Math.max(...rows.map((row) => (row[index] as string).length)));
  return rows.map((row) => row.map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] as number))).join("  ").trimEnd()).join("\n") + "\n";
}

/** States that a report covers only the tasks finished before the bench was cancelled. */
export function cancelledNote(tasksNotRun: number): string {
  return `Partial report: the bench was cancelled, and ${countOf(tasksNotRun, "task")} did not run.`;
}

/**
 * Renders the markdown report: the summary line and one row per task. `tasksNotRun` marks the report
 * of a cancelled bench as partial.
 */
export function renderMarkdownReport(results: TaskResult[], model: string, tasksNotRun?: number): string {
  const escape = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
  return [
    `# Benchmark of ${model}`,
    "",
    ...(tasksNotRun === undefined ? [] : [`**${cancelledNote(tasksNotRun)}**`, ""]),
    `\`${summaryLine(summarizeResults(results))}\``,
    "",
    `| ${COLUMNS.join(" | ")} |`,
    `| ${COLUMNS.map(() => "---").join(" | ")} |`,
    ...results.map((result) => `| ${cells(result).map(escape).join(" | ")} |`),
    "",
  ].join("\n");
}
