/**
 * Measures what prompt caching saves on a scripted run of 2 candidates x 10 steps on a generated
 * repository of 200 files. The model client's layout builds each request the way the agent sends
 * it: the stable prefix, then the candidate's growing history. The benchmark prints the share of
 * input tokens in the cacheable prefix and the cost with and without caching at the shipped
 * Anthropic prices. Run it with `npm run bench:cache`.
 */
import { seededRandom } from "../test/helpers/seeded-random.js";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ModelMessage } from "ai";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { approachInstruction, approachFor } from "../src/agent/approaches.js";
import { buildPrefix, SYSTEM_PROMPT } from "../src/agent/prompt.js";
import { buildContext } from "../src/context/build-context.js";
import { type ModelFacts, resolveModelFacts } from "../src/llm/model-facts.js";
import { layoutPrompt } from "../src/llm/prompt-layout.js";
import { priceUsage } from "../src/llm/pricing.js";
import { addUsage, emptyUsage, type TokenUsage } from "../src/llm/usage.js";
import { parseTestReport } from "../src/sandbox/reports/parse-report.js";
import type { TestResult } from "../src/sandbox/run-tests.js";
import { contextTokenBudget } from "../src/run/repository-context.js";
import { describeTestRun } from "../src/sandbox/test-feedback.js";

const FILE_COUNT = 200;
const CANDIDATES = 2;
const STEPS = 10;
const MODEL_ID = "anthropic:claude-sonnet-4-5";
const ISSUE = { issueNumber: 42, title: "parseDuration rejects values with a space before the unit", body: "`parseDuration(\"5 min\")` throws in src/module-03/parse-duration.ts; `parseDuration(\"5min\")` works." };

function sourceFile(moduleIndex: number, fileIndex: number, random: () => number): string {
  const functions = 2 + Math.floor(random() * 6);
  const lines = [`// Module ${moduleIndex}, file ${fileIndex}.`, `import { assertValid } from "../shared/assert.js";`, ""];
  for (let index = 0; index < functions; index++) {
    const name = `transform${moduleIndex}_${fileIndex}_${index}`;
    lines.push(
      `/** Applies step ${index} of the module ${moduleIndex} pipeline to a record. */`,
      `export function ${name}(record: Record<string, number>, factor = ${(random() * 10).toFixed(2)}): Record<string, number> {`,
      `  assertValid(record, "${name}");`,
      `  const result: Record<string, number> = {};`,
      `  for (const [key, value] of Object.entries(record)) {`,
      `    result[key] = value > ${Math.floor(random() * 100)} ? value * factor : value - ${Math.floor(random() * 10)};`,
      `  }`,
      `  return result;`,
      `}`,
      "",
    );
  }
  return lines.join("\n");
}

/** Writes and commits a repository of {@link FILE_COUNT} TypeScript files; returns its folder. */
function createRepository(): string {
  const root = mkdtempSync(path.join(tmpdir(), "magic-bench-cache-"));
  const random = seededRandom(7);
  for (let index = 0; index < FILE_COUNT; index++) {
    const moduleIndex = index % 20;
    const folder = path.join(root, "src", `module-${String(moduleIndex).padStart(2, "0")}`);
    mkdirSync(folder, { recursive: true });
    const name = moduleIndex === 3 && index === 3 ? "parse-duration.ts" : `file-${String(index).padStart(3, "0")}.ts`;
    writeFileSync(path.join(folder, name), sourceFile(moduleIndex, index, random));
  }
  const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=Bench", "-c", "user.email=bench@example.com", ...args], { cwd: root, stdio: "ignore" });
  git("init", "--quiet");
  git("add", "--all");
  git("commit", "--quiet", "-m", "Generated repository");
  return root;
}

/** Dollar budget of the scripted run, which sizes the repository context as a real run would. */
const BUDGET_USD = 2;

function testResult(output: string): TestResult {
  const report = parseTestReport({ output, runner: "jest" });
  return { passed: false, timedOut: false, exitCode: 1, outputTail: output, durationMs: 900, report };
}

function failureOutput(candidate: number, step: number): string {
  const lines = [`FAIL src/module-03/parse-duration.test.ts (candidate ${candidate}, run ${step})`];
  for (let index = 0; index < 12; index++) {
    lines.push(`  ✕ parses "${index} min" (${3 + index} ms)`, `    Expected: ${index * 60_000}`, `    Received: NaN`, `      at Object.<anonymous> (src/module-03/parse-duration.test.ts:${20 + index}:5)`);
  }
  return lines.join("\n");
}

function scriptedEdit(candidate: number, step: number): string {
  const body = Array.from({ length: 8 }, (_, index) => `  const part${index} = input.slice(${index}).trim(); // candidate ${candidate}, step ${step}`);
  return `src/module-03/parse-duration.ts\n<<<<<<< SEARCH\nexport function parseDuration(input: string): number {\n=======\nexport function parseDuration(input: string): number {\n${body.join("\n")}\n>>>>>>> REPLACE`;
}

function textOf(message: ModelMessage): string {
  if (typeof message.content === "string") return message.content;
  return message.content.map((part) => ("text" in part ? part.text : "")).join("");
}

interface Totals {
  requests: number;
  prefixTokens: number;
  cached: TokenUsage;
  uncachedCostUsd: number;
  cachedCostUsd: number;
}

/**
 * Sends nothing: lays out each request as the client would and counts its tokens. The candidates
 * start together, so each one's first request writes the prefix to the cache and every later
 * request reads it, as it does while steps follow within the 5-minute cache lifetime.
 */
function measure(prefix: string, facts: ModelFacts): Totals & { stableTokens: number } {
  const totals: Totals = { requests: 0, prefixTokens: 0, cached: emptyUsage(), uncachedCostUsd: 0, cachedCostUsd: 0 };
  let stableTokens = 0;
  for (let candidate = 1; candidate <= CANDIDATES; candidate++) {
    const history: ModelMessage[] = [{ role: "user", content: approachInstruction(approachFor(candidate - 1), candidate - 1) }];
    for (let step = 1; step <= STEPS; step++) {
      const layout = layoutPrompt({ system: SYSTEM_PROMPT, prefix, messages: history }, facts.promptCaching);
      const [prefixMessage, ...conversation] = layout.messages;
      stableTokens = countTokens(layout.system.content) + countTokens(textOf(prefixMessage as ModelMessage));
      const inputTokens = stableTokens + conversation.reduce((sum, message) => sum + countTokens(textOf(message)), 0);
      const reply = scriptedEdit(candidate, step);
      const outputTokens = countTokens(reply);
      const firstOfCandidate = step === 1;
      const cachedUsage: TokenUsage = {
        inputTokens,
        cachedInputTokens: firstOfCandidate ? 0 : stableTokens,
        cacheWriteTokens: firstOfCandidate ? stableTokens : 0,
        outputTokens,
      };
      totals.requests += 1;
      totals.prefixTokens += stableTokens;
      totals.cached = addUsage(totals.cached, cachedUsage);
      totals.cachedCostUsd += priceUsage(facts, cachedUsage);
      totals.uncachedCostUsd += priceUsage(facts, { inputTokens, cachedInputTokens: 0, cacheWriteTokens: 0, outputTokens });
      history.push({ role: "assistant", content: reply }, { role: "user", content: `Your edits were applied to src/module-03/parse-duration.ts.\n${describeTestRun(testResult(failureOutput(candidate, step)))}` });
    }
  }
  return { ...totals, stableTokens };
}

async function main(): Promise<void> {
  const repository = createRepository();
  try {
    const facts = resolveModelFacts(MODEL_ID);
    const context = await buildContext({
      worktree: repository,
      query: `${ISSUE.title}\n${ISSUE.body}`,
      tokenBudget: contextTokenBudget(facts, BUDGET_USD),
      cacheDir: path.join(repository, ".bench-context-cache"),
      modelId: MODEL_ID,
    });
    const prefix = buildPrefix(ISSUE, context.text, testResult(failureOutput(0, 0)));
    const result = measure(prefix, facts);
    const share = (100 * result.prefixTokens) / result.cached.inputTokens;
    const number = (value: number) => value.toLocaleString("en-US");
    process.stdout.write(
      [
        `repository: ${FILE_COUNT} files, ${context.wholeFiles.length} whole and ${context.mappedFiles.length} as signatures in the prompt (${number(context.tokens)} tokens of context)`,
        `run: ${CANDIDATES} candidates x ${STEPS} steps = ${result.requests} requests, priced as ${MODEL_ID} (${facts.source ?? "shipped facts"})`,
        "tokens: counted with o200k_base (gpt-tokenizer), an estimate of Claude's own count",
        `prefix: ${number(result.stableTokens)} tokens per request (system prompt, repository files, issue, first test run)`,
        `input: ${number(result.cached.inputTokens)} tokens, ${number(result.prefixTokens)} in the prefix; output: ${number(result.cached.outputTokens)} tokens`,
        `with caching: ${number(result.cached.cacheWriteTokens)} tokens written to the cache, ${number(result.cached.cachedInputTokens)} read from it`,
        `cache: prefix-share=${share.toFixed(1)}% cost-cached=$${result.cachedCostUsd.toFixed(4)} cost-uncached=$${result.uncachedCostUsd.toFixed(4)}`,
        "",
      ].join("\n"),
    );
  } finally {
    rmSync(repository, { recursive: true, force: true });
  }
}

await main();
