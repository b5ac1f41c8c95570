import path from "node:path";
import { parseArgs } from "node:util";
import { z } from "zod";
import type { Prices } from "./budget.js";
import { HashHopError } from "./errors.js";
import { VARIANTS, type Variant } from "./generate.js";
import { defaultProfilePath, PROFILE_HOPS } from "./profile.js";
import type { EvalPlan } from "./run.js";
import { parseSize } from "./sizes.js";
import { TOKENIZER_NAMES, type TokenizerName } from "./tokenizer.js";

export const HASHHOP_USAGE = `Usage: magic eval hashhop [options]

Measures how well a model retrieves and chains facts across its context window: each prompt is
a shuffled list of random hash pairs, and the model follows chains of them for a number of hops.

Samples:
  --sizes LIST              Target prompt sizes in tokens, such as 2k,8k,32k,128k (k = 1,000,
                            m = 1,000,000). Default: 2k,8k,32k,128k
  --hops LIST               Hops per query. Default: 1,2,4
  --variant LIST            cot (the answer lists every hash on the way) and/or skip (only the
                            last one). Default: cot,skip
  --samples N               Prompts per size, hops and variant. Default: 20
  --queries N               Queries per prompt. Default: 4
  --hash-length N           Letters per hash, 4 to 64; 8 suits short runs. Default: 16
  --seed TEXT               Seed of the generator; the same seed gives the same samples. Default: hashhop
  --tokenizer NAME          o200k_base or cl100k_base, for sizing prompts. Default: picked from the model id

Generate only:
  --generate-only           Write the samples without calling a model.
  --out FILE                JSON lines file to write, one sample per line.

Evaluate:
  --model ID                Model as provider:model, such as openai:gpt-4.1. Default: MAGIC_MODEL
  --concurrency N           Requests in flight at once. Default: 4
  --requests-per-minute N   Provider limit on requests per minute. Default: no limit
  --tokens-per-minute N     Provider limit on input plus output tokens per minute. Default: no limit
  --timeout SECONDS         Time one request may take. Default: 300
  --max-output-tokens N     Output cap per request. Default: twice the expected answer plus 64
  --max-tokens N            Stop before input plus output tokens would pass N. Default: no limit
  --max-cost USD            Stop before the cost in US dollars would pass USD (priced from the model's facts unless both prices are given).
  --input-price USD         Price of a million input tokens, in US dollars.
  --output-price USD        Price of a million output tokens, in US dollars.
  --report-dir DIR          Folder for the CSV and SVG reports. Default: MAGIC_WORK_DIR/hashhop
  --write-profile           Store the effective window (largest size whose ${PROFILE_HOPS}-hop accuracy stays
                            at or above 90%) in the model profile file.
  --profile FILE            Model profile file. Default: MAGIC_WORK_DIR/model-profiles.json
  -h, --help                Show this help.
`;

export interface HashHopOptions {
  mode: "generate" | "evaluate";
  help: boolean;
  plan: EvalPlan;
  /** Output file of --generate-only. */
  out?: string;
  /** Model id, required to evaluate. */
  model?: string;
  tokenizer?: TokenizerName;
  concurrency: number;
  requestsPerMinute?: number;
  tokensPerMinute?: number;
  timeoutMs: number;
  maxOutputTokens?: number;
  maxTokens?: number;
  maxCostUsd?: number;
  prices?: Prices;
  reportDir: string;
  writeProfile: boolean;
  profilePath: string;
}

const MAX_SIZE = 10_000_000;

function invalid(context: z.core.$RefinementCtx, message: string): typeof z.NEVER {
  context.addIssue({ code: "custom", message });
  return z.NEVER;
}

function wholeNumber(min: number, max: number) {
  return z.string().transform((text, context) => {
    const value = Number(text.trim());
    if (!/^\d+$/.test(text.trim()) || value < min || value > max) return invalid(context, `"${text}" is not a whole number from ${min} to ${max}`);
    return value;
  });
}

function decimal(min: number, what: string) {
  return z.string().transform((text, context) => {
    const value = Number(text.trim());
    if (!/^\d+(\.\d+)?$/.test(text.trim()) || value < min) return invalid(context, `"${text}" is not ${what}`);
    return value;
  });
}

function list<T>(parseItem: (item: string) => T | undefined, what: string) {
  return z.string().transform((text, context) => {
    const items = text.split(",").map((item) => item.trim());
    const values: T[] = [];
    for (const item of items) {
      const value = item === "" ? undefined : parseItem(item);
      if (value === undefined) return invalid(context, `"${item}" in "${text}" is not ${what}`);
      if (!values.includes(value)) values.push(value);
    }
    return values;
  });
}

const parseHops = (item: string): number | undefined => (/^\d+$/.test(item) && Number(item) >= 1 && Number(item) <= 64 ? Number(item) : undefined);
const parseSizeItem = (item: string): number | undefined => {
  const size = parseSize(item);
  return size !== undefined && size <= MAX_SIZE ? size : undefined;
};
const parseVariant = (item: string): Variant | undefined => VARIANTS.find((variant) => variant === item);

/** Option values as strings, keyed by their names on the command line. */
const RawOptions = z.object({
  sizes: list(parseSizeItem, "a size in tokens up to 10m, such as 2000, 2k or 1.5m").prefault("2k,8k,32k,128k"),
  hops: list(parseHops, "a hop count from 1 to 64").prefault("1,2,4"),
  variant: list(parseVariant, "a variant: use cot or skip").prefault("cot,skip"),
  samples: wholeNumber(1, 100_000).prefault("20"),
  queries: wholeNumber(1, 1_000).prefault("4"),
  "hash-length": wholeNumber(4, 64).prefault("16"),
  seed: z.string().min(1, { error: "the seed is empty" }).prefault("hashhop"),
  tokenizer: z.enum(TOKENIZER_NAMES, { error: `use ${TOKENIZER_NAMES.join(" or ")}` }).optional(),
  "generate-only": z.boolean().default(false),
  out: z.string().trim().min(1, { error: "the file name is empty" }).optional(),
  model: z.string().trim().min(1, { error: "the model id is empty" }).optional(),
  concurrency: wholeNumber(1, 1_000).prefault("4"),
  "requests-per-minute": wholeNumber(1, 1_000_000).optional(),
  "tokens-per-minute": wholeNumber(1, 1_000_000_000).optional(),
  timeout: decimal(0.001, "a number of seconds above 0").prefault("300"),
  "max-output-tokens": wholeNumber(1, 1_000_000).optional(),
  "max-tokens": wholeNumber(1, Number.MAX_SAFE_INTEGER).optional(),
  "max-cost": decimal(0.000001, "an amount of US dollars above 0").optional(),
  "input-price": decimal(0, "a price in US dollars, 0 or more").optional(),
  "output-price": decimal(0, "a price in US dollars, 0 or more").optional(),
  "report-dir": z.string().trim().min(1, { error: "the folder name is empty" }).optional(),
  "write-profile": z.boolean().default(false),
  profile: z.string().trim().min(1, { error: "the file name is empty" }).optional(),
  help: z.boolean().default(false),
});
type RawOptions = z.infer<typeof RawOptions>;

const STRING_OPTIONS = Object.keys(RawOptions.shape).filter((name) => !["generate-only", "write-profile", "help"].includes(name));

/**
 * Parses the arguments after `magic eval hashhop`. `MAGIC_MODEL` and `MAGIC_WORK_DIR` give the
 * defaults of `--model` and of the report and profile paths. Every problem is reported at once in
 * a {@link HashHopError} with code `invalid-option`.
 */
export function parseHashHopOptions(argv: string[], env: Readonly<Record<string, string | undefined>>): HashHopOptions {
  let values: Record<string, unknown>;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(STRING_OPTIONS.map((name) => [name, { type: "string" as const }])),
        "generate-only": { type: "boolean" },
        "write-profile": { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }).values;
  } catch (error) {
    throw optionError([(error as Error).message]);
  }

  const parsed = RawOptions.safeParse(values);
  if (!parsed.success) {
    throw optionError(parsed.error.issues.map((issue) => `--${String(issue.path[0])}: ${issue.message}`));
  }
  const raw = parsed.data;
  const problems = checkCombinations(raw, env);
  if (problems.length > 0) throw optionError(problems);
  return toOptions(raw, env);
}

function checkCombinations(raw: RawOptions, env: Readonly<Record<string, string | undefined>>): string[] {
  if (raw.help) return [];
  const problems: string[] = [];
  if (raw["generate-only"]) {
    if (!raw.out) problems.push("--out is missing: --generate-only writes the samples to the file --out names");
    if (raw["write-profile"]) problems.push("--write-profile needs an evaluation: leave out --generate-only");
  } else {
    if (raw.out) problems.push("--out applies to --generate-only only: reports of an evaluation go to --report-dir");
    if (!raw.model && !env.MAGIC_MODEL?.trim()) problems.push("--model is missing: give a model id such as openai:gpt-4.1, or set MAGIC_MODEL");
  }
  if ((raw["input-price"] === undefined) !== (raw["output-price"] === undefined)) {
    problems.push("--input-price and --output-price go together, in US dollars per million tokens");
  }
  if (raw["write-profile"] && !raw.hops.includes(PROFILE_HOPS)) {
    problems.push(`--write-profile needs ${PROFILE_HOPS} in --hops, because the effective window is the ${PROFILE_HOPS}-hop accuracy`);
  }
  return problems;
}

function toOptions(raw: RawOptions, env: Readonly<Record<string, string | undefined>>): HashHopOptions {
  const workDir = path.resolve(env.MAGIC_WORK_DIR?.trim() || ".magic");
  const inputPrice = raw["input-price"];
  const outputPrice = raw["output-price"];
  return {
    mode: raw["generate-only"] ? "generate" : "evaluate",
    help: raw.help,
    plan: {
      sizes: [...raw.sizes].sort((left, right) => left - right),
      hops: [...raw.hops].sort((left, right) => left - right),
      variants: raw.variant,
      samples: raw.samples,
      queries: raw.queries,
      hashLength: raw["hash-length"],
      seed: raw.seed,
    },
    out: raw.out,
    model: raw.model ?? (env.MAGIC_MODEL?.trim() || undefined),
    tokenizer: raw.tokenizer,
    concurrency: raw.concurrency,
    requestsPerMinute: raw["requests-per-minute"],
    tokensPerMinute: raw["tokens-per-minute"],
    timeoutMs: Math.round(raw.timeout * 1000),
    maxOutputTokens: raw["max-output-tokens"],
    maxTokens: raw["max-tokens"],
    maxCostUsd: raw["max-cost"],
    prices: inputPrice !== undefined && outputPrice !== undefined ? { inputPerMillion: inputPrice, outputPerMillion: outputPrice } : undefined,
    reportDir: path.resolve(raw["report-dir"] ?? path.join(workDir, "hashhop")),
    writeProfile: raw["write-profile"],
    profilePath: path.resolve(raw.profile ?? defaultProfilePath(workDir)),
  };
}

function optionError(problems: string[]): HashHopError {
  return new HashHopError(
    "invalid-option",
    `Invalid options for magic eval hashhop:\n${problems.map((problem) => `  - ${problem}`).join("\n")}\nRun magic eval hashhop --help to list the options.`,
  );
}
