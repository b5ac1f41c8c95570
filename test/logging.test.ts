import { APICallError } from "ai";
import { describe, expect, test } from "vitest";
import { createLogger } from "../src/logging.js";

function logLines(write: (log: ReturnType<typeof createLogger>) => void): Array<Record<string, unknown>> {
  const lines: string[] = [];
  const log = createLogger("info", { write: (line: string) => void lines.push(line) });
  write(log);
  return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("process logger", () => {
  test("model error omits the prompt", () => {
    const error = new APICallError({
      message: "Internal error",
      url: "http://127.0.0.1:9/v1/chat/completions",
      requestBodyValues: { messages: [{ role: "user", content: "the whole repository" }] },
      statusCode: 500,
      responseBody: "x".repeat(2_000),
      isRetryable: true,
    });
    const [line] = logLines((log) => log.warn({ err: error }, "model call failed"));
    const logged = line?.err as Record<string, unknown>;
    expect(JSON.stringify(line)).not.toContain("the whole repository");
    expect(logged.requestBodyValues).toBe("[request body omitted]");
    expect(logged.responseBody).toBe(`${"x".repeat(500)}…`);
    expect(logged.statusCode).toBe(500);
  });

  test("tokens and keys are censored", () => {
    const [line] = logLines((log) => log.info({ token: "ghs_secret", provider: { apiKey: "sk-secret" } }, "settings"));
    expect(JSON.stringify(line)).not.toMatch(/secret/);
  });

  test("an error without a reply body keeps its other fields", () => {
    const [line] = logLines((log) => log.warn({ err: new Error("plain") }, "failed"));
    expect((line?.err as Record<string, unknown>).message).toBe("plain");
    expect(line?.err).not.toHaveProperty("responseBody");
  });
});
