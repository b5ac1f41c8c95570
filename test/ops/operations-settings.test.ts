import { testPrivateKey } from "../helpers/app-key.js";
import { describe, expect, test } from "vitest";
import { defaultOperationsSettings, loadSettings, SettingsError } from "../../src/config/settings.js";
import { writeTestFactsFile } from "../helpers/settings.js";

const VALID = {
  APP_ID: "12",
  PRIVATE_KEY: testPrivateKey(),
  WEBHOOK_SECRET: "secret",
  MAGIC_MODEL: "openai-compatible:qwen",
  MAGIC_MODEL_BASE_URL: "http://127.0.0.1:11434/v1",
  MAGIC_MODEL_FACTS_FILE: writeTestFactsFile(["openai-compatible:qwen"]),
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadSettings({ ...VALID, ...env });
  } catch (error) {
    if (error instanceof SettingsError) return error.problems;
    throw error;
  }
  return [];
}

describe("operations settings", () => {
  test("defaults without variables", () => {
    const { operations } = loadSettings(VALID);

    expect(operations).toEqual(defaultOperationsSettings());
    expect(operations).toEqual({
      redisUrl: undefined,
      queuePrefix: "magic",
      githubApiUrl: "https://api.github.com",
      githubWriteThrottle: true,
      maxRunsPerInstallation: undefined,
      maxDollarsPerDay: undefined,
      shutdownGraceMs: 20_000,
      jobLockMs: 30_000,
      jobAttempts: 3,
      retryDelayMs: 10_000,
    });
  });

  test("every variable is read", () => {
    const { operations, port } = loadSettings({
      ...VALID,
      REDIS_URL: "rediss://cache.internal:6380/2",
      MAGIC_QUEUE_PREFIX: "team-a",
      GITHUB_API_URL: "https://github.example.com/api/v3/",
      MAGIC_GITHUB_WRITE_THROTTLE: "off",
      MAGIC_MAX_RUNS_PER_INSTALLATION: "3",
      MAGIC_MAX_DOLLARS_PER_DAY: "12.5",
      MAGIC_SHUTDOWN_GRACE_SECONDS: "45",
      MAGIC_JOB_LOCK_SECONDS: "60",
      MAGIC_JOB_ATTEMPTS: "5",
      MAGIC_RETRY_DELAY_SECONDS: "2.5",
      PORT: "0",
    });

    expect(port).toBe(0);
    expect(operations).toEqual({
      redisUrl: "rediss://cache.internal:6380/2",
      queuePrefix: "team-a",
      githubApiUrl: "https://github.example.com/api/v3",
      githubWriteThrottle: false,
      maxRunsPerInstallation: 3,
      maxDollarsPerDay: 12.5,
      shutdownGraceMs: 45_000,
      jobLockMs: 60_000,
      jobAttempts: 5,
      retryDelayMs: 2_500,
    });
  });

  test("empty optional limits mean no limit", () => {
    const { operations } = loadSettings({ ...VALID, REDIS_URL: "", MAGIC_MAX_RUNS_PER_INSTALLATION: " ", MAGIC_MAX_DOLLARS_PER_DAY: "" });

    expect(operations.redisUrl).toBeUndefined();
    expect(operations.maxRunsPerInstallation).toBeUndefined();
    expect(operations.maxDollarsPerDay).toBeUndefined();
  });

  test.each([
    [{ REDIS_URL: "http://127.0.0.1:6379" }, "REDIS_URL must be a URL such as redis://127.0.0.1:6379"],
    [{ MAGIC_QUEUE_PREFIX: "a:b" }, "MAGIC_QUEUE_PREFIX may contain only letters, digits, - and _"],
    [{ GITHUB_API_URL: "github.example.com" }, "GITHUB_API_URL must be a URL such as https://github.example.com/api/v3"],
    [{ MAGIC_GITHUB_WRITE_THROTTLE: "maybe" }, "MAGIC_GITHUB_WRITE_THROTTLE must be on or off"],
    [{ MAGIC_MAX_RUNS_PER_INSTALLATION: "0" }, "MAGIC_MAX_RUNS_PER_INSTALLATION must be a whole number of runs, 1 or more"],
    [{ MAGIC_MAX_DOLLARS_PER_DAY: "-1" }, "MAGIC_MAX_DOLLARS_PER_DAY must be more than 0"],
    [{ MAGIC_MAX_DOLLARS_PER_DAY: "lots" }, "MAGIC_MAX_DOLLARS_PER_DAY must be a number of US dollars"],
    [{ MAGIC_SHUTDOWN_GRACE_SECONDS: "-5" }, "MAGIC_SHUTDOWN_GRACE_SECONDS must be at least 0 seconds"],
    [{ MAGIC_JOB_LOCK_SECONDS: "0.5" }, "MAGIC_JOB_LOCK_SECONDS must be at least 1 second"],
    [{ MAGIC_JOB_ATTEMPTS: "two" }, "MAGIC_JOB_ATTEMPTS must be a whole number of tries, 1 or more"],
    [{ PORT: "-1" }, "PORT must be a TCP port number, or 0 for any free port"],
  ])("rejects %o", (env, message) => {
    expect(problemsOf(env)).toEqual([message]);
  });

  test("problems are listed together", () => {
    const problems = problemsOf({ REDIS_URL: "nope", MAGIC_JOB_ATTEMPTS: "0", MAGIC_MAX_DOLLARS_PER_DAY: "free" });

    expect(problems).toHaveLength(3);
  });
});
