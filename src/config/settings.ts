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
    MAGIC_MIRROR_MAX_GB: z.coerce
      .number({ error: "MAGIC_MIRROR_MAX_GB must be a number of gigabytes, such as 20 or 0.5" })
      .positive({ error: "MAGIC_MIRROR_MAX_GB must be more than 0" })
      .default(20),
    MAGIC_TRIGGER_LABEL: z.string().trim().min(1).default("magic"),
    MAGIC_STATUS_INTERVAL_SECONDS: z.coerce
      .number({ error: "MAGIC_STATUS_INTERVAL_SECONDS must be a number of seconds" })
      .min(0, { error: "MAGIC_STATUS_INTERVAL_SECONDS must be 0 or more" })
      .default(3),
    PORT: positiveInteger("PORT", "a TCP port number").max(65535, { error: "PORT must be at most 65535" }).default(3000),
    HOST: z.string().trim().min(1).default("localhost"),
    LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"], {
      error: "LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent",
    }).default("info"),
  });

export type SettingsEnvironment = z.infer<typeof SettingsEnvironment>;

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
  /** Disk bytes that repository mirrors may use before the least recently used are deleted. */
  maxMirrorBytes: number;
  triggerLabel: string;
  /** Minimum time between two edits of a status comment. */
  statusIntervalMs: number;
  port: number;
  host: string;
  logLevel: SettingsEnvironment["LOG_LEVEL"];
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
    maxMirrorBytes: Math.round(values.MAGIC_MIRROR_MAX_GB * 1e9),
    triggerLabel: values.MAGIC_TRIGGER_LABEL,
    statusIntervalMs: values.MAGIC_STATUS_INTERVAL_SECONDS * 1000,
    port: values.PORT,
    host: values.HOST,
    logLevel: values.LOG_LEVEL,
  };
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
