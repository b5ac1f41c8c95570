/**
 * Measures how often model-like edits derived from real commits apply correctly with this
 * project's applier, `git apply` and GNU `patch --fuzz=3`.
 *
 *   npm run bench:edits [-- <repository> --max-commits N --max-hunks N --seed N --list N --verbose]
 *
 * The repository defaults to the one this command runs in; a bare repository works too. It is only
 * read; every case is applied in a temporary folder.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { casesFor, FAULT_NAMES, type BenchCase } from "./edits-cases.js";
import { collectHunks } from "./edits-corpus.js";
import { classifyCase, type Placeability } from "./edits-oracle.js";
import { CaseFolder, runGitApply, runOurs, runPatch, type Outcome, type ToolResult } from "./edits-tools.js";

const TOOLS = ["ours", "git-apply", "patch", "ours-search-replace"] as const;
type Tool = (typeof TOOLS)[number];

interface CaseResult {
  bench: BenchCase;
  placeability: Placeability;
  results: Partial<Record<Tool, ToolResult>>;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      "max-commits": { type: "string", default: "400" },
      "max-hunks": { type: "string", default: "300" },
      "max-file-bytes": { type: "string", default: "400000" },
      seed: { type: "string", default: "1" },
      list: { type: "string", default: "40" },
      verbose: { type: "boolean", default: false },
    },
  });
  const repository = path.resolve(positionals[0] ?? currentRepository());
  const started = performance.now();
  const samples = collectHunks({
    repository,
    maxCommits: positiveInteger(values["max-commits"], "--max-commits"),
    maxHunks: positiveInteger(values["max-hunks"], "--max-hunks"),
    maxFileBytes: positiveInteger(values["max-file-bytes"], "--max-file-bytes"),
  });
  const seed = positiveInteger(values.seed, "--seed");
  const cases = samples.flatMap((sample) => casesFor(sample, seed));
  console.log(`repository: ${repository}`);
  console.log(`hunks: ${samples.length} from real commits; cases: ${cases.length} over ${FAULT_NAMES.length} fault kinds`);

  const scratch = mkdtempSync(path.join(tmpdir(), "magic-bench-edits-"));
  const results: CaseResult[] = [];
  try {
    const folder = new CaseFolder(scratch);
    const patchFile = path.join(scratch, "edit.diff");
    for (const bench of cases) {
      const caseResults: CaseResult["results"] = {
        ours: await runOurs(folder, bench, bench.diff),
        "git-apply": runGitApply(folder, bench, patchFile),
        patch: runPatch(folder, bench, patchFile),
      };
      if (bench.searchReplace) caseResults["ours-search-replace"] = await runOurs(folder, bench, bench.searchReplace);
      results.push({ bench, placeability: classifyCase(bench), results: caseResults });
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }

  printFaultTable(results);
  printAmbiguous(results, positiveInteger(values.list, "--list"));
  if (values.verbose) printRefusals(results);
  printSummary(results, (performance.now() - started) / 1000);
}

function printFaultTable(results: CaseResult[]): void {
  console.log("\nunambiguous cases by fault: correct % (wrong applications)");
  console.log(`${"fault".padEnd(34)}${"cases".padStart(6)}  ${TOOLS.map((tool) => tool.padStart(22)).join("")}`);
  for (const fault of FAULT_NAMES) {
    const rows = results.filter((result) => result.bench.fault === fault && result.placeability === "unambiguous");
    if (rows.length === 0) continue;
    const cells = TOOLS.map((tool) => cell(rows, tool).padStart(22));
    console.log(`${fault.padEnd(34)}${String(rows.length).padStart(6)}  ${cells.join("")}`);
  }
}

function cell(rows: CaseResult[], tool: Tool): string {
  const tried = rows.filter((row) => row.results[tool]);
  if (tried.length === 0) return "-";
  const correct = count(tried, tool, "correct");
  return `${percent(correct, tried.length)} (${count(tried, tool, "wrong")}) of ${tried.length}`;
}

function printAmbiguous(results: CaseResult[], limit: number): void {
  const ambiguous = results.filter((result) => result.placeability === "ambiguous" || result.placeability === "misleading");
  const outcomes = (tool: Tool) => {
    const tried = ambiguous.filter((row) => row.results[tool]);
    return `${tool}: refused ${count(tried, tool, "refused")}, correct ${count(tried, tool, "correct")}, wrong ${count(tried, tool, "wrong")} of ${tried.length}`;
  };
  console.log(`\nambiguous cases (the edit's lines match several places or only a wrong one): ${ambiguous.length}`);
  for (const tool of TOOLS) console.log(`  ${outcomes(tool)}`);
  for (const result of ambiguous.slice(0, limit)) {
    const ours = result.results.ours!;
    console.log(`  ${result.bench.id} [${result.placeability}] ours: ${ours.outcome}${ours.message ? ` - ${ours.message.slice(0, 160)}` : ""}`);
  }
  if (ambiguous.length > limit) console.log(`  … ${ambiguous.length - limit} more (raise --list to see them)`);
  const unplaceable = results.filter((result) => result.placeability === "unplaceable").length;
  if (unplaceable > 0) console.log(`cases whose lines occur nowhere in the file, left out: ${unplaceable}`);
}

function printRefusals(results: CaseResult[]): void {
  console.log("\nunambiguous cases our applier did not apply correctly:");
  for (const result of results.filter((row) => row.placeability === "unambiguous")) {
    for (const tool of ["ours", "ours-search-replace"] as const) {
      const outcome = result.results[tool];
      if (outcome && outcome.outcome !== "correct") console.log(`  ${tool} ${result.bench.id}: ${outcome.outcome} ${outcome.message ?? ""}`);
    }
  }
}

function printSummary(results: CaseResult[], seconds: number): void {
  const unambiguous = results.filter((result) => result.placeability === "unambiguous");
  const wrong = results.reduce((sum, result) => sum + (result.results.ours?.outcome === "wrong" ? 1 : 0) + (result.results["ours-search-replace"]?.outcome === "wrong" ? 1 : 0), 0);
  const searchReplace = unambiguous.filter((row) => row.results["ours-search-replace"]);
  console.log(`\nsearch/replace form: ours=${percent(count(searchReplace, "ours-search-replace", "correct"), searchReplace.length)} cases=${searchReplace.length}`);
  console.log(`time: ${seconds.toFixed(1)} s`);
  const pct = (tool: Tool) => percent(count(unambiguous, tool, "correct"), unambiguous.length);
  console.log(`edit-apply: ours=${pct("ours")} git-apply=${pct("git-apply")} patch=${pct("patch")} wrong-location=${wrong} cases=${unambiguous.length}`);
}

function count(rows: CaseResult[], tool: Tool, outcome: Outcome): number {
  return rows.filter((row) => row.results[tool]?.outcome === outcome).length;
}

function percent(part: number, whole: number): string {
  return whole === 0 ? "n/a" : `${((100 * part) / whole).toFixed(1)}%`;
}

function positiveInteger(value: string | undefined, name: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new Error(`${name} must be a positive whole number, got ${JSON.stringify(value)}`);
  return number;
}

function currentRepository(): string {
  return execFileSync("git", ["rev-parse", "--show-toplevel"], { encoding: "utf8" }).trim();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
