import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

const positiveInteger = (variable: string, what: string) =>
  z.coerce
    .number({ error: `${variable} must be ${what}` })
    .int({ error: `${variable} must be ${what}` })
    .positive({ error: `${variable} must be ${what}` });

const optionalText = z
  .string()
  .trim()
  .transform((value) => (value === "" ? undefined : value))
  .optional();

function emptyToUndefined(value: unknown): unknown {
  return typeof value === "string" && value.trim() === "" ? undefined : value;
}

const seconds = (variable: string, minimum: number) =>
  z.coerce
    .number({ error: `${variable} must be a number of seconds` })
    .min(minimum, { error: `${variable} must be at least ${minimum} ${minimum === 1 ? "second" : "seconds"}` });

/** Environment variables of {@link OperationsSettings}. Part of {@link SettingsEnvironment}. */
const OperationsEnvironment = z.object({
  REDIS_URL: optionalText.pipe(
    z.url({ protocol: /^rediss?$/, error: "REDIS_URL must be a URL such as redis://127.0.0.1:6379" }).optional(),
  ),
  MAGIC_QUEUE_PREFIX: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]+$/, { error: "MAGIC_QUEUE_PREFIX may contain only letters, digits, - and _" })
    .default("magic"),
  GITHUB_API_URL: z
    .url({ protocol: /^https?$/, error: "GITHUB_API_URL must be a URL such as https://github.example.com/api/v3" })
    .default("https://api.github.com"),
  MAGIC_GITHUB_WRITE_THROTTLE: z.enum(["on", "off"], { error: "MAGIC_GITHUB_WRITE_THROTTLE must be on or off" }).default("on"),
  MAGIC_MAX_RUNS_PER_INSTALLATION: z.preprocess(
    emptyToUndefined,
    positiveInteger("MAGIC_MAX_RUNS_PER_INSTALLATION", "a whole number of runs, 1 or more").optional(),
  ),
  MAGIC_MAX_DOLLARS_PER_DAY: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ error: "MAGIC_MAX_DOLLARS_PER_DAY must be a number of US dollars" })
      .positive({ error: "MAGIC_MAX_DOLLARS_PER_DAY must be more than 0" })
      .optional(),
  ),
  MAGIC_SHUTDOWN_GRACE_SECONDS: seconds("MAGIC_SHUTDOWN_GRACE_SECONDS", 0).default(20),
  MAGIC_JOB_LOCK_SECONDS: seconds("MAGIC_JOB_LOCK_SECONDS", 1).default(30),
  MAGIC_JOB_ATTEMPTS: positiveInteger("MAGIC_JOB_ATTEMPTS", "a whole number of tries, 1 or more").default(3),
  MAGIC_RETRY_DELAY_SECONDS: seconds("MAGIC_RETRY_DELAY_SECONDS", 0).default(10),
});

/**
 * App settings as read from the environment. Every key is the environment variable that sets it,
 * so a validation message can name the variable to fix.
 */
export const SettingsEnvironment = z
  .object({
    APP_ID: positiveInteger("APP_ID", "the numeric id of the GitHub App"),
    PRIVATE_KEY: optionalText,
    PRIVATE_KEY_PATH: optionalText,
    WEBHOOK_SECRET: z.string({ error: "WEBHOOK_SECRET is missing: set it to the webhook secret of the GitHub App" }).min(1, {
      error: "WEBHOOK_SECRET is empty: set it to the webhook secret of the GitHub App",
    }),
    MAGIC_MODEL: z
      .string({ error: "MAGIC_MODEL is missing: set it to a model id such as openai:gpt-4.1 or openai-compatible:qwen2.5-coder" })
      .trim()
      .min(1, { error: "MAGIC_MODEL is empty: set it to a model id such as openai:gpt-4.1" }),
    MAGIC_MODEL_BASE_URL: optionalText.pipe(z.url({ error: "MAGIC_MODEL_BASE_URL must be a URL such as http://localhost:11434/v1" }).optional()),
    MAGIC_MODEL_API_KEY: optionalText,
    OPENAI_API_KEY: optionalText,
    ANTHROPIC_API_KEY: optionalText,
    MAGIC_CONCURRENCY: positiveInteger("MAGIC_CONCURRENCY", "a whole number of runs, 1 or more").default(2),
    MAGIC_WORK_DIR: z.string().trim().min(1).default(".magic"),
    MAGIC_TRIGGER_LABEL: z.string().trim().min(1).default("magic"),
    MAGIC_STATUS_INTERVAL_SECONDS: z.coerce
      .number({ error: "MAGIC_STATUS_INTERVAL_SECONDS must be a number of seconds" })
      .min(0, { error: "MAGIC_STATUS_INTERVAL_SECONDS must be 0 or more" })
      .default(3),
    PORT: z.coerce
      .number({ error: "PORT must be a TCP port number" })
      .int({ error: "PORT must be a TCP port number" })
      .min(0, { error: "PORT must be a TCP port number, or 0 for any free port" })
      .max(65535, { error: "PORT must be at most 65535" })
      .default(3000),
    HOST: z.string().trim().min(1).default("localhost"),
    LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"], {
      error: "LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent",
    }).default("info"),
    ...OperationsEnvironment.shape,
  });

export type SettingsEnvironment = z.infer<typeof SettingsEnvironment>;

/** Settings for queueing, limiting and stopping runs, and the location of the GitHub API. */
export interface OperationsSettings {
  /** Redis connection URL. When set, `magic serve` only enqueues and `magic worker` processes run. */
  redisUrl?: string;
  /** Prefix of every Redis key, so several deployments can share one Redis. */
  queuePrefix: string;
  /** Base URL of the GitHub REST API. GitHub Enterprise Server uses `https://HOST/api/v3`. */
  githubApiUrl: string;
  /** Whether Octokit spaces content-creating requests a second apart, as GitHub's rate limit rules ask. */
  githubWriteThrottle: boolean;
  /** Runs of one installation that may execute at the same time. Undefined means no limit. */
  maxRunsPerInstallation?: number;
  /** Dollars one installation may spend per UTC day. Undefined means no limit. */
  maxDollarsPerDay?: number;
  /** Time a stopping process gives running runs before it interrupts them and requeues them. */
  shutdownGraceMs: number;
  /** How long a job's lock outlives a worker that stopped renewing it. Another worker retries it then. */
  jobLockMs: number;
  /** Tries of one job, counting worker deaths, before it moves to the dead-letter state. */
  jobAttempts: number;
  /** First delay before a retry. Each later retry waits twice as long. */
  retryDelayMs: number;
}

/** Environment variables as `process.env` provides them. */
export type Environment = Readonly<Record<string, string | undefined>>;

export type ModelProvider = "openai" | "anthropic" | "openai-compatible";

export interface ModelSettings {
  provider: ModelProvider;
  modelName: string;
  baseUrl?: string;
  apiKey?: string;
}

export interface Settings {
  appId: number;
  privateKey: string;
  webhookSecret: string;
  model: ModelSettings;
  concurrency: number;
  workDir: string;
  triggerLabel: string;
  /** Minimum time between two edits of a status comment. */
  statusIntervalMs: number;
  port: number;
  host: string;
  logLevel: SettingsEnvironment["LOG_LEVEL"];
  operations: OperationsSettings;
}

export class SettingsError extends Error {
  readonly code = "invalid-settings";

  constructor(readonly problems: string[]) {
    super(`Magic PR cannot start because of invalid settings:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "SettingsError";
  }
}

/** Splits `provider:model`; a bare name means openai-compatible when a base URL is set, else openai. */
export function parseModelId(modelId: string, baseUrl: string | undefined): { provider: string; modelName: string } {
  const separator = modelId.indexOf(":");
  if (separator === -1) return { provider: baseUrl ? "openai-compatible" : "openai", modelName: modelId };
  return { provider: modelId.slice(0, separator), modelName: modelId.slice(separator + 1) };
}

/** Checks that span several variables; they run on the raw environment so their problems join the others. */
function checkCombinations(env: Environment): string[] {
  const problems: string[] = [];
  if (!env.PRIVATE_KEY?.trim() && !env.PRIVATE_KEY_PATH?.trim()) {
    problems.push("PRIVATE_KEY is missing: set PRIVATE_KEY to the app's PEM key or PRIVATE_KEY_PATH to its file");
  }
  const modelProblem = checkModelSettings(env);
  if (modelProblem) problems.push(modelProblem);
  return problems;
}

function checkModelSettings(env: Environment): string | undefined {
  if (!env.MAGIC_MODEL?.trim()) return undefined;
  const { provider, modelName } = parseModelId(env.MAGIC_MODEL.trim(), env.MAGIC_MODEL_BASE_URL?.trim() || undefined);
  if (!modelName) return `MAGIC_MODEL "${env.MAGIC_MODEL}" has no model name after the provider`;
  switch (provider) {
    case "openai":
      return env.OPENAI_API_KEY ? undefined : "OPENAI_API_KEY is missing: MAGIC_MODEL uses the openai provider";
    case "anthropic":
      return env.ANTHROPIC_API_KEY ? undefined : "ANTHROPIC_API_KEY is missing: MAGIC_MODEL uses the anthropic provider";
    case "openai-compatible":
      return env.MAGIC_MODEL_BASE_URL
        ? undefined
        : "MAGIC_MODEL_BASE_URL is missing: MAGIC_MODEL uses the openai-compatible provider";
    default:
      return `MAGIC_MODEL provider "${provider}" is unknown: use openai, anthropic or openai-compatible`;
  }
}

/** True when no app credentials are set, so `magic serve` should show Probot's registration page. */
export function needsAppRegistration(env: Environment): boolean {
  return !env.APP_ID && !env.PRIVATE_KEY && !env.PRIVATE_KEY_PATH;
}

/** Validates the environment and reports every problem at once in a {@link SettingsError}. */
export function loadSettings(env: Environment): Settings {
  const parsed = SettingsEnvironment.safeParse(env);
  const problems = [...(parsed.success ? [] : parsed.error.issues.map(describeIssue)), ...checkCombinations(env)];
  if (!parsed.success || problems.length > 0) throw new SettingsError(problems);
  const values = parsed.data;
  const { provider, modelName } = parseModelId(values.MAGIC_MODEL, values.MAGIC_MODEL_BASE_URL);
  return {
    appId: values.APP_ID,
    privateKey: readPrivateKey(values),
    webhookSecret: values.WEBHOOK_SECRET,
    model: {
      provider: provider as ModelProvider,
      modelName,
      baseUrl: values.MAGIC_MODEL_BASE_URL,
      apiKey: apiKeyFor(provider as ModelProvider, values),
    },
    concurrency: values.MAGIC_CONCURRENCY,
    workDir: path.resolve(values.MAGIC_WORK_DIR),
    triggerLabel: values.MAGIC_TRIGGER_LABEL,
    statusIntervalMs: values.MAGIC_STATUS_INTERVAL_SECONDS * 1000,
    port: values.PORT,
    host: values.HOST,
    logLevel: values.LOG_LEVEL,
    operations: operationsSettingsOf(values),
  };
}

function operationsSettingsOf(values: z.infer<typeof OperationsEnvironment>): OperationsSettings {
  return {
    redisUrl: values.REDIS_URL,
    queuePrefix: values.MAGIC_QUEUE_PREFIX,
    githubApiUrl: values.GITHUB_API_URL.replace(/\/+$/, ""),
    githubWriteThrottle: values.MAGIC_GITHUB_WRITE_THROTTLE === "on",
    maxRunsPerInstallation: values.MAGIC_MAX_RUNS_PER_INSTALLATION,
    maxDollarsPerDay: values.MAGIC_MAX_DOLLARS_PER_DAY,
    shutdownGraceMs: values.MAGIC_SHUTDOWN_GRACE_SECONDS * 1000,
    jobLockMs: values.MAGIC_JOB_LOCK_SECONDS * 1000,
    jobAttempts: values.MAGIC_JOB_ATTEMPTS,
    retryDelayMs: values.MAGIC_RETRY_DELAY_SECONDS * 1000,
  };
}

/** Operations settings with every default, for code that builds {@link Settings} without the environment. */
export function defaultOperationsSettings(overrides: Partial<OperationsSettings> = {}): OperationsSettings {
  return { ...operationsSettingsOf(OperationsEnvironment.parse({})), ...overrides };
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const variable = String(issue.path[0] ?? "");
  if (issue.message.startsWith(variable) && variable) return issue.message;
  if (issue.code === "invalid_type" && issue.input === undefined) return `${variable} is missing`;
  return `${variable}: ${issue.message}`;
}

function readPrivateKey(values: SettingsEnvironment): string {
  if (values.PRIVATE_KEY) return values.PRIVATE_KEY.replace(/\\n/g, "\n");
  const keyPath = values.PRIVATE_KEY_PATH as string;
  try {
    return readFileSync(keyPath, "utf8");
  } catch (error) {
    throw new SettingsError([`PRIVATE_KEY_PATH: cannot read ${keyPath} (${(error as Error).message})`]);
  }
}

function apiKeyFor(provider: ModelProvider, values: SettingsEnvironment): string | undefined {
  if (provider === "openai") return values.OPENAI_API_KEY;
  if (provider === "anthropic") return values.ANTHROPIC_API_KEY;
  return values.MAGIC_MODEL_API_KEY;
}
