import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { loadSettings, needsAppRegistration } from "../../src/config/settings.js";
import { testPrivateKey } from "../helpers/app-key.js";
import { settingsProblems } from "../helpers/settings.js";

const FACTS_FILE = path.join(mkdtempSync(path.join(tmpdir(), "magic-facts-")), "facts.json");
writeFileSync(
  FACTS_FILE,
  JSON.stringify({
    "openai-compatible:qwen": { contextWindow: 32768, prices: { input: 0, output: 0 } },
    "openai-compatible:llama3": { contextWindow: 8192, prices: { input: 0, output: 0 } },
  }),
);

const VALID = {
  APP_ID: "12",
  PRIVATE_KEY: testPrivateKey(),
  WEBHOOK_SECRET: "secret",
  MAGIC_MODEL: "openai-compatible:qwen",
  MAGIC_MODEL_BASE_URL: "http://127.0.0.1:11434/v1",
  MAGIC_MODEL_FACTS_FILE: FACTS_FILE,
};

const problemsOf = settingsProblems;

describe("loadSettings", () => {
  test("valid environment with defaults", () => {
    const settings = loadSettings(VALID);

    expect(settings.appId).toBe(12);
    expect(settings.privateKey).toBe(testPrivateKey().trim());
    expect(settings.model.modelId).toBe("openai-compatible:qwen");
    expect(settings.model.providers.openaiCompatible).toEqual({ baseUrl: "http://127.0.0.1:11434/v1", apiKey: undefined });
    expect(settings.concurrency).toBe(2);
    expect(settings.triggerLabel).toBe("magic");
    expect(settings.port).toBe(3000);
  });

  test("every problem listed at once", () => {
    const problems = problemsOf({ APP_ID: "abc", MAGIC_CONCURRENCY: "0", MAGIC_MODEL: "openai:gpt-4.1", PORT: "70000" });

    expect(problems).toContain("APP_ID must be the numeric id of the GitHub App");
    expect(problems.some((problem) => problem.startsWith("WEBHOOK_SECRET is missing"))).toBe(true);
    expect(problems.some((problem) => problem.startsWith("PRIVATE_KEY is missing"))).toBe(true);
    expect(problems).toContain("MAGIC_CONCURRENCY must be a whole number of runs, 1 or more");
    expect(problems).toContain("PORT must be at most 65535");
    expect(problems.some((problem) => problem.startsWith("OPENAI_API_KEY is missing"))).toBe(true);
  });

  test("message names each variable", () => {
    expect(() => loadSettings({ ...VALID, MAGIC_MODEL: "gemini:pro" })).toThrow(/MAGIC_MODEL: The model id "gemini:pro" names the unknown provider "gemini"/);
    expect(() => loadSettings({ ...VALID, MAGIC_MODEL_BASE_URL: "not a url" })).toThrow(/MAGIC_MODEL_BASE_URL must be a URL/);
    expect(() => loadSettings({ ...VALID, LOG_LEVEL: "loud" })).toThrow(/LOG_LEVEL must be one of/);
  });

  test("mirror disk limit in gigabytes", () => {
    expect(loadSettings(VALID).maxMirrorBytes).toBe(20e9);
    expect(loadSettings({ ...VALID, MAGIC_MIRROR_MAX_GB: "0.5" }).maxMirrorBytes).toBe(5e8);
    expect(problemsOf({ ...VALID, MAGIC_MIRROR_MAX_GB: "lots" })).toEqual(["MAGIC_MIRROR_MAX_GB must be a number of gigabytes, such as 20 or 0.5"]);
    expect(problemsOf({ ...VALID, MAGIC_MIRROR_MAX_GB: "0" })).toEqual(["MAGIC_MIRROR_MAX_GB must be more than 0"]);
  });

  test("bare model name uses base URL", () => {
    const settings = loadSettings({ ...VALID, MAGIC_MODEL: "llama3" });

    expect(settings.model.modelId).toBe("openai-compatible:llama3");
  });

  test("private key with escaped newlines", () => {
    const settings = loadSettings({ ...VALID, PRIVATE_KEY: testPrivateKey().trim().replace(/\n/g, "\\n") });

    expect(settings.privateKey).toBe(testPrivateKey().trim());
  });

  test("invalid private key reported", () => {
    const problems = problemsOf({ ...VALID, PRIVATE_KEY: "not a key", PORT: "70000" });

    expect(problems).toContain("PRIVATE_KEY: not a PEM private key; use the .pem file GitHub gave when the key was generated");
    expect(problems.some((problem) => problem.startsWith("PORT"))).toBe(true);
  });

  test("unreadable key file reported", () => {
    const problems = problemsOf({ ...VALID, PRIVATE_KEY: undefined, PRIVATE_KEY_PATH: "/nonexistent/key.pem", PORT: "70000" });

    expect(problems.some((problem) => problem.startsWith("PRIVATE_KEY_PATH: cannot read /nonexistent/key.pem"))).toBe(true);
    expect(problems.some((problem) => problem.startsWith("PORT"))).toBe(true);
  });

  test("private key read from a file", async () => {
    const { writeFileSync, mkdtempSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const path = await import("node:path");
    const file = path.join(mkdtempSync(path.join(tmpdir(), "magic-key-")), "key.pem");
    writeFileSync(file, testPrivateKey());

    const settings = loadSettings({ ...VALID, PRIVATE_KEY: undefined, PRIVATE_KEY_PATH: file });

    expect(settings.privateKey).toBe(testPrivateKey());
    expect(problemsOf({ ...VALID, PRIVATE_KEY: undefined, PRIVATE_KEY_PATH: "/nonexistent/key.pem" })[0]).toMatch(/PRIVATE_KEY_PATH: cannot read/);
  });

  test("sandbox settings", () => {
    expect(loadSettings(VALID).sandbox).toEqual({ kind: "auto", dockerImage: undefined, readOnlyPaths: [] });

    const settings = loadSettings({ ...VALID, MAGIC_SANDBOX: "docker", MAGIC_SANDBOX_IMAGE: "ghcr.io/acme/ci:1", MAGIC_SANDBOX_READ_ONLY_PATHS: "/opt/go:/opt/jdk" });

    expect(settings.sandbox).toEqual({ kind: "docker", dockerImage: "ghcr.io/acme/ci:1", readOnlyPaths: ["/opt/go", "/opt/jdk"] });
  });

  test("invalid sandbox settings named", () => {
    const problems = problemsOf({ ...VALID, MAGIC_SANDBOX: "chroot", MAGIC_SANDBOX_READ_ONLY_PATHS: "/opt/go:relative" });

    expect(problems).toContain("MAGIC_SANDBOX must be one of auto, bubblewrap, docker, process");
    expect(problems.some((problem) => problem.startsWith("MAGIC_SANDBOX_READ_ONLY_PATHS must be absolute paths"))).toBe(true);
  });

  test("registration needed without credentials", () => {
    expect(needsAppRegistration({})).toBe(true);
    expect(needsAppRegistration({ APP_ID: "1" })).toBe(false);
  });
});
