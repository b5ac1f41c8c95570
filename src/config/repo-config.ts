import { z } from "zod";
import { PROVIDERS } from "../llm/model-id.js";

/** Ways a candidate may work: fix directly, or first write a test that reproduces the issue. */
export const APPROACHES = ["direct", "reproduce-first"] as const;
export type Approach = (typeof APPROACHES)[number];

/** Where maintainers configure the app inside their repository. */
export const REPO_CONFIG_PATH = ".github/magic.yml";

const shellCommand = z.string().trim().min(1, { error: "expected a non-empty shell command" });

/** Providers a repository may name; `replay` reads a file on the app's server, so only the operator may set it. */
const REPOSITORY_PROVIDERS = PROVIDERS.filter((provider) => provider !== "replay");
const MODEL_ID_EXPECTED = `expected a model id such as anthropic:claude-sonnet-4-5, with a provider among ${REPOSITORY_PROVIDERS.join(", ")}`;

function isRepositoryModelId(value: string): boolean {
  const separator = value.indexOf(":");
  const provider = value.slice(0, separator);
  return separator > 0 && value.slice(separator + 1).trim() !== "" && (REPOSITORY_PROVIDERS as readonly string[]).includes(provider);
}

/** Per-run limits; dollars and minutes are further capped by the operator's ceilings. */
export const RepoBudget = z.strictObject({
  usd: z.number({ error: "expected an amount of US dollars" }).positive().max(1_000).default(2),
  minutes: z.number({ error: "expected a number of minutes" }).positive().max(240).default(20),
  test_runs: z.int({ error: "expected a whole number of test runs" }).min(1).max(1_000).default(40),
  model_calls: z.int({ error: "expected a whole number of model calls" }).min(1).max(2_000).default(60),
  input_tokens: z.int({ error: "expected a whole number of tokens" }).min(1_000).max(200_000_000).default(5_000_000),
  output_tokens: z.int({ error: "expected a whole number of tokens" }).min(100).max(20_000_000).default(300_000),
});
export type RepoBudget = z.infer<typeof RepoBudget>;

/** The repository's `.github/magic.yml`, with defaults filled in. */
export const RepoConfig = z.strictObject({
  trigger_label: z.string({ error: "expected a label name" }).trim().min(1).optional(),
  test_command: shellCommand.optional(),
  setup_command: shellCommand.optional(),
  setup_network: z.boolean({ error: "expected true or false" }).default(true),
  test_timeout_seconds: z.number({ error: "expected a number of seconds" }).positive().max(3_600).default(600),
  budget: RepoBudget.default(RepoBudget.parse({})),
  candidates: z.int({ error: "expected a whole number of candidates from 1 to 8" }).min(1).max(8).default(2),
  approaches: z
    .array(z.enum(APPROACHES, { error: `expected one of ${APPROACHES.join(", ")}` }), { error: "expected a list of approaches" })
    .min(1)
    .default([...APPROACHES]),
  strategy: z.enum(["until-green", "exhaust"], { error: "expected until-green or exhaust" }).default("until-green"),
  on_budget_exhausted: z.enum(["draft", "branch"], { error: "expected draft or branch" }).default("draft"),
  model: z
    .string({ error: MODEL_ID_EXPECTED })
    .trim()
    .refine(isRepositoryModelId, { error: MODEL_ID_EXPECTED })
    .optional(),
  protected_paths: z
    .array(z.string({ error: "expected a glob such as .github/workflows/**" }).min(1), {
      error: "expected a list of globs",
    })
    .default([".github/workflows/**"]),
});
export type RepoConfig = z.infer<typeof RepoConfig>;

export interface ConfigProblem {
  key: string;
  found: string;
  expected: string;
}

export type RepoConfigResult = { ok: true; config: RepoConfig } | { ok: false; problems: ConfigProblem[] };

/** Validates a parsed `.github/magic.yml` (or `null` when the file is absent) and lists every problem. */
export function parseRepoConfig(raw: unknown): RepoConfigResult {
  const parsed = RepoConfig.safeParse(raw ?? {});
  if (parsed.success) return { ok: true, config: parsed.data };
  return { ok: false, problems: parsed.error.issues.flatMap((issue) => describeProblem(issue, raw)) };
}

function describeProblem(issue: z.core.$ZodIssue, raw: unknown): ConfigProblem[] {
  const key = issue.path.map(String).join(".") || "(top level)";
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((unknownKey) => ({
      key: [...issue.path.map(String), unknownKey].join("."),
      found: "an unknown key",
      expected: `one of ${knownKeysAt(issue.path).join(", ")}`,
    }));
  }
  return [{ key, found: describeValue(valueAt(raw, issue.path)), expected: expectedText(issue) }];
}

function expectedText(issue: z.core.$ZodIssue): string {
  if (issue.code === "too_small") return `a value of at least ${String(issue.minimum)}`;
  if (issue.code === "too_big") return `a value of at most ${String(issue.maximum)}`;
  return issue.message.replace(/^expected /, "").replace(/^Invalid input: expected /, "");
}

function knownKeysAt(path: PropertyKey[]): string[] {
  const shape = path.length === 0 ? RepoConfig.shape : path[0] === "budget" ? RepoBudget.shape : {};
  return Object.keys(shape);
}

function valueAt(raw: unknown, path: PropertyKey[]): unknown {
  let value: unknown = raw;
  for (const part of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Returns the trigger label a repository uses, falling back to the operator's default. */
export function triggerLabelOf(raw: unknown, operatorDefault: string): string {
  if (raw && typeof raw === "object" && "trigger_label" in raw) {
    const label = (raw as { trigger_label: unknown }).trigger_label;
    if (typeof label === "string" && label.trim()) return label.trim();
  }
  return operatorDefault;
}
