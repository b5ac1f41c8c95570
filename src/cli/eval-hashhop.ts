import type { Environment } from "../config/settings.js";
import { createModelClient } from "../llm/create-model-client.js";
import type { ModelSettings } from "../llm/model-settings.js";
import { EvalBudget, InputCalibration } from "../eval/hashhop/budget.js";
import { HashHopError } from "../eval/hashhop/errors.js";
import { HASHHOP_USAGE, parseHashHopOptions, type HashHopOptions } from "../eval/hashhop/options.js";
import { prepareReportDirectory, writeReports, writeSamplesFile } from "../eval/hashhop/output-files.js";
import {
  accuracyBySize,
  findEffectiveWindow,
  PROFILE_HOPS,
  PROFILE_THRESHOLD,
  readProfileFile,
  writeModelProfile,
} from "../eval/hashhop/profile.js";
import { renderTable, summarize, type CellSummary } from "../eval/hashhop/report.js";
import { generatePlanSample, runHashHop, type RunOutcome } from "../eval/hashhop/run.js";
import { formatSize } from "../eval/hashhop/sizes.js";
import { type CommandIo, createCommandLogger, processIo } from "./command-io.js";
import { commandModelSettings } from "./model-options.js";
import { loadTokenCounter, tokenizerForModel, type TokenCounter } from "../eval/hashhop/tokenizer.js";

const EVAL_USAGE = `Usage: magic eval <evaluation> [options]

Evaluations:
  hashhop  Measure how much of its context window a model really uses (magic eval hashhop --help).
`;

// Requests that fail in a row before the evaluation gives up, as the provider is then likely down
// or the key is wrong.
const MAX_CONSECUTIVE_FAILURES = 5;

/** `magic eval …`: runs an evaluation and returns the process exit code. */
export async function evalCommand(argv: string[], env: Environment, io: CommandIo = processIo): Promise<number> {
  const [evaluation, ...rest] = argv;
  if (evaluation === undefined || evaluation === "--help" || evaluation === "-h") {
    io.stdout.write(EVAL_USAGE);
    return evaluation === undefined ? 2 : 0;
  }
  if (evaluation !== "hashhop") {
    io.stderr.write(`Unknown evaluation: ${evaluation}\n\n${EVAL_USAGE}`);
    return 2;
  }

  try {
    const options = parseHashHopOptions(rest, env);
    if (options.help) {
      io.stdout.write(HASHHOP_USAGE);
      return 0;
    }
    return options.mode === "generate" ? await generateOnly(options, io) : await evaluate(options, env, io);
  } catch (error) {
    if (!(error instanceof HashHopError)) throw error;
    io.stderr.write(`${error.message}\n`);
    return error.code === "invalid-option" ? 2 : 1;
  }
}

async function generateOnly(options: HashHopOptions, io: CommandIo): Promise<number> {
  const tokenizer = await loadTokenCounter(options.tokenizer ?? (options.model ? tokenizerForModel(options.model) : "o200k_base"));
  const written = await writeSamplesFile(options.plan, tokenizer, options.out as string);
  io.stdout.write(`Wrote ${written} ${written === 1 ? "sample" : "samples"} to ${options.out} (sizes counted with ${tokenizer.name}).\n`);
  return 0;
}

async function evaluate(options: HashHopOptions, env: Environment, io: CommandIo): Promise<number> {
  const settings = modelSettingsFor(options.model as string, env);
  const log = createCommandLogger(env, io, (message) => new HashHopError("invalid-option", message));
  const model = createModelClient(settings);
  const tokenizer = await loadTokenCounter(options.tokenizer ?? tokenizerForModel(model.modelId));
  checkPlanFits(options, tokenizer);
  await prepareReportDirectory(options.reportDir);
  // An invalid profile file is reported now rather than after every request has been paid for.
  if (options.writeProfile) readProfileFile(options.profilePath);
  // Without prices on the command line, the model's price table prices the evaluation.
  const prices = options.prices ?? { inputPerMillion: model.facts.prices.input, outputPerMillion: model.facts.prices.output };
  const budget = new EvalBudget({ maxTokens: options.maxTokens, maxCostUsd: options.maxCostUsd, prices });

  const outcome = await runHashHop({
    plan: options.plan,
    model,
    tokenizer,
    budget,
    log,
    limits: {
      concurrency: options.concurrency,
      requestsPerMinute: options.requestsPerMinute,
      tokensPerMinute: options.tokensPerMinute,
      timeoutMs: options.timeoutMs,
      maxConsecutiveFailures: MAX_CONSECUTIVE_FAILURES,
      maxOutputTokens: options.maxOutputTokens,
    },
    onResult: progressReporter(io),
  });

  const cells = summarize(options.plan, outcome.results);
  io.stdout.write(`HashHop accuracy of ${model.modelId} (exact match, sizes in ${tokenizer.name} tokens):\n\n${renderTable(options.plan, cells)}\n`);
  io.stdout.write(describeBudgetUse(budget, outcome));
  const { csvPath, svgPath } = await writeReports(options.reportDir, model.modelId, options.plan, cells);
  io.stdout.write(`Wrote ${csvPath}\nWrote ${svgPath}\n`);
  reportStop(outcome, io);
  if (options.writeProfile) await storeProfile(options, model.modelId, cells, outcome, io);
  return outcome.stopReason === "model-failed" ? 1 : 0;
}

function describeBudgetUse(budget: EvalBudget, outcome: RunOutcome): string {
  let text = `Budget used: ${budget.spent.inputTokens} input and ${budget.spent.outputTokens} output tokens`;
  if (budget.spentUsd !== undefined) text += `, at most $${budget.spentUsd.toFixed(4)}`;
  if (outcome.results.some((result) => result.status === "failed")) text += " (failed requests count at their reserved maximum)";
  return `${text}.\n`;
}

function reportStop(outcome: RunOutcome, io: CommandIo): void {
  const failed = outcome.results.filter((result) => result.status === "failed").length;
  const notRun = outcome.results.filter((result) => result.status === "not-run").length;
  if (outcome.stopReason === "budget") {
    io.stderr.write(`Stopped early: the budget cannot cover the next request, so ${notRun} of ${outcome.results.length} requests were not run.\n`);
  } else if (outcome.stopReason === "model-failed") {
    io.stderr.write(
      `Stopped early: ${MAX_CONSECUTIVE_FAILURES} requests in a row failed, the last with: ${outcome.lastError?.replace(/\.$/, "")}. ` +
        `Check the model id, its API key and base URL, and the provider's status.\n`,
    );
  } else if (failed > 0) {
    io.stderr.write(`${failed} of ${outcome.results.length} requests failed and are left out of the accuracy; the last error: ${outcome.lastError}\n`);
  }
}

async function storeProfile(options: HashHopOptions, modelId: string, cells: CellSummary[], outcome: RunOutcome, io: CommandIo): Promise<void> {
  if (outcome.stopReason !== "completed") {
    io.stderr.write(`The model profile was not written because the evaluation stopped early; ${options.profilePath} is unchanged.\n`);
    return;
  }
  const points = accuracyBySize(cells, PROFILE_HOPS);
  const effectiveWindow = findEffectiveWindow(points, PROFILE_THRESHOLD);
  await writeModelProfile(options.profilePath, modelId, {
    effectiveWindow: effectiveWindow ?? null,
    hops: PROFILE_HOPS,
    threshold: PROFILE_THRESHOLD,
    variants: options.plan.variants,
    accuracyBySize: points,
    samples: options.plan.samples,
    seed: options.plan.seed,
    measuredAt: new Date().toISOString(),
  });
  const found =
    effectiveWindow === undefined
      ? `no measured size reached ${PROFILE_THRESHOLD * 100}% ${PROFILE_HOPS}-hop accuracy, so the profile has no effective window`
      : `effective window ${formatSize(effectiveWindow)} tokens`;
  io.stdout.write(`Stored ${found} for ${modelId} in ${options.profilePath}\n`);
}

/** Fails before any request when the smallest size cannot hold the queries, or a request can never fit the token rate limit. */
function checkPlanFits(options: HashHopOptions, tokenizer: TokenCounter): void {
  const { plan } = options;
  const smallest = plan.sizes[0] as number;
  const maxHops = plan.hops[plan.hops.length - 1] as number;
  generatePlanSample(plan, { size: smallest, hops: maxHops, variant: plan.variants[0] ?? "cot", index: 0 }, tokenizer);
  const largest = plan.sizes[plan.sizes.length - 1] as number;
  // Until the provider reports usage, a request reserves more than its local count, and the header
  // and query lines add a little more.
  const firstRequest = new InputCalibration().estimate(largest);
  if (options.tokensPerMinute !== undefined && firstRequest > options.tokensPerMinute) {
    throw new HashHopError(
      "over-rate-limit",
      `--tokens-per-minute ${options.tokensPerMinute} is below one request of size ${formatSize(largest)} (about ${firstRequest} tokens): ` +
        `raise the limit or leave that size out of --sizes.`,
    );
  }
}

function progressReporter(io: CommandIo): (result: unknown, finished: number, total: number) => void {
  let lastTenth = 0;
  return (_result, finished, total) => {
    const tenth = Math.floor((finished / total) * 10);
    if (tenth === lastTenth && finished !== total) return;
    lastTenth = tenth;
    io.stderr.write(`hashhop: ${finished} of ${total} requests finished\n`);
  };
}

/** Builds the model settings of `magic eval hashhop`; an unusable model is an invalid option. */
export function modelSettingsFor(modelId: string, env: Environment): ModelSettings {
  const built = commandModelSettings(modelId, env);
  if (built.ok) return built.settings;
  throw new HashHopError("invalid-option", `Invalid model settings for magic eval hashhop:\n${built.problems.map((problem) => `  - ${problem}`).join("\n")}`);
}
