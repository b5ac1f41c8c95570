import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { ModelSettings } from "../llm/model-settings.js";
import { buildModelSettings, ModelEnvironment, type ModelSettingsResult } from "./model-settings.js";

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
    MAGIC_CONCURRENCY: positiveInteger("MAGIC_CONCURRENCY", "a whole number of runs, 1 or more").default(2),
    MAGIC_WORK_DIR: z.string().trim().min(1).default(".magic"),
    MAGIC_MIRROR_MAX_GB: z.coerce
      .number({ error: "MAGIC_MIRROR_MAX_GB must be a number of gigabytes, such as 20 or 0.5" })
      .positive({ error: "MAGIC_MIRROR_MAX_GB must be more than 0" })
      .default(20),
    MAGIC_TRIGGER_LABEL: z.string().trim().min(1).default("magic"),
    MAGIC_STATUS_INTERVAL_SECONDS: z.coerce
      .number({ error: "MAGIC_STATUS_INTERVAL_SECONDS must be a number of seconds" })
      .min(0, { error: "MAGIC_STATUS_INTERVAL_SECONDS must be 0 or more" })
      .default(3),
    MAGIC_MAX_RUN_USD: z.coerce
      .number({ error: "MAGIC_MAX_RUN_USD must be an amount of US dollars" })
      .positive({ error: "MAGIC_MAX_RUN_USD must be above 0" })
      .default(10),
    MAGIC_MAX_RUN_MINUTES: z.coerce
      .number({ error: "MAGIC_MAX_RUN_MINUTES must be a number of minutes" })
      .positive({ error: "MAGIC_MAX_RUN_MINUTES must be above 0" })
      .default(60),
    MAGIC_SANDBOX: z
      .enum(["auto", "bubblewrap", "docker", "process"], {
        error: "MAGIC_SANDBOX must be one of auto, bubblewrap, docker, process",
      })
      .default("auto"),
    MAGIC_SANDBOX_IMAGE: optionalText,
    MAGIC_SANDBOX_READ_ONLY_PATHS: optionalText.pipe(
      z
        .string()
        .refine((value) => value.split(":").every((entry) => path.isAbsolute(entry)), {
          error: "MAGIC_SANDBOX_READ_ONLY_PATHS must be absolute paths separated by colons, such as /opt/go:/opt/jdk",
        })
        .optional(),
    ),
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
    ...ModelEnvironment.shape,
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

export interface SandboxSettings {
  /** Sandbox that runs repository commands; `auto` picks the first that works on the host. */
  kind: SettingsEnvironment["MAGIC_SANDBOX"];
  /** Image for the Docker sandbox; undefined uses the sandbox's default. */
  dockerImage?: string;
  /** Host paths that the bubblewrap sandbox shows read-only besides the system folders. */
  readOnlyPaths: string[];
}

/** The operator's upper bounds for one run, which no repository config can pass. */
export interface BudgetCeilings {
  usd: number;
  minutes: number;
}

export interface Settings {
  appId: number;
  privateKey: string;
  webhookSecret: string;
  model: ModelSettings;
  concurrency: number;
  workDir: string;
  /** Disk bytes that repository mirrors may use before the least recently used are deleted. */
  maxMirrorBytes: number;
  triggerLabel: string;
  /** Minimum time between two edits of a status comment. */
  statusIntervalMs: number;
  /** The operator's ceilings on one run's budget, which repository config cannot pass. */
  budgetCeilings: BudgetCeilings;
  sandbox: SandboxSettings;
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

type PrivateKeyResult = { ok: true; key: string } | { ok: false; problem: string };

/**
 * Reads the app's private key from PRIVATE_KEY or the file PRIVATE_KEY_PATH names, and checks that it
 * parses, so a wrong key stops start-up with the other problems instead of failing every token request.
 */
function privateKeyOf(env: Environment): PrivateKeyResult {
  const inline = env.PRIVATE_KEY?.trim();
  const keyPath = env.PRIVATE_KEY_PATH?.trim();
  if (!inline && !keyPath) return { ok: false, problem: "PRIVATE_KEY is missing: set PRIVATE_KEY to the app's PEM key or PRIVATE_KEY_PATH to its file" };
  const variable = inline ? "PRIVATE_KEY" : "PRIVATE_KEY_PATH";
  let key: string;
  try {
    key = inline ? inline.replace(/\\n/g, "\n") : readFileSync(keyPath as string, "utf8");
  } catch (error) {
    return { ok: false, problem: `PRIVATE_KEY_PATH: cannot read ${keyPath} (${(error as Error).message})` };
  }
  try {
    createPrivateKey(key);
  } catch {
    return { ok: false, problem: `${variable}: not a PEM private key; use the .pem file GitHub gave when the key was generated` };
  }
  return { ok: true, key };
}

/**
 * Builds the model settings. Variables that do not parse are left out, so that the problems of the
 * others still show; the main schema reports the invalid ones.
 */
function modelSettingsOf(env: Environment): ModelSettingsResult | undefined {
  const values = ModelEnvironment.safeParse(env);
  if (values.success) return buildModelSettings(values.data);
  const invalid = new Set(values.error.issues.map((issue) => String(issue.path[0])));
  const valid = ModelEnvironment.safeParse(Object.fromEntries(Object.entries(env).filter(([variable]) => !invalid.has(variable))));
  return valid.success ? buildModelSettings(valid.data) : undefined;
}

/** True when no app credentials are set, so `magic serve` should show Probot's registration page. */
export function needsAppRegistration(env: Environment): boolean {
  return !env.APP_ID && !env.PRIVATE_KEY && !env.PRIVATE_KEY_PATH;
}

/** Validates the environment and reports every problem at once in a {@link SettingsError}. */
export function loadSettings(env: Environment): Settings {
  const parsed = SettingsEnvironment.safeParse(env);
  const model = modelSettingsOf(env);
  const privateKey = privateKeyOf(env);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map(describeIssue)),
    ...(privateKey.ok ? [] : [privateKey.problem]),
    ...(model && !model.ok ? model.problems : []),
  ];
  if (!parsed.success || !model?.ok || !privateKey.ok || problems.length > 0) throw new SettingsError(problems);
  const values = parsed.data;
  return {
    appId: values.APP_ID,
    privateKey: privateKey.key,
    webhookSecret: values.WEBHOOK_SECRET,
    model: model.settings,
    concurrency: values.MAGIC_CONCURRENCY,
    workDir: path.resolve(values.MAGIC_WORK_DIR),
    maxMirrorBytes: Math.round(values.MAGIC_MIRROR_MAX_GB * 1e9),
    triggerLabel: values.MAGIC_TRIGGER_LABEL,
    statusIntervalMs: values.MAGIC_STATUS_INTERVAL_SECONDS * 1000,
    budgetCeilings: { usd: values.MAGIC_MAX_RUN_USD, minutes: values.MAGIC_MAX_RUN_MINUTES },
    sandbox: {
      kind: values.MAGIC_SANDBOX,
      dockerImage: values.MAGIC_SANDBOX_IMAGE,
      readOnlyPaths: values.MAGIC_SANDBOX_READ_ONLY_PATHS?.split(":") ?? [],
    },
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
