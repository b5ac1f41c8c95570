import { APICallError } from "ai";
import { describe, expect, test } from "vitest";
import { backoffDelayMs, classifyFailure, parseRetryAfter, type RetryPolicy } from "../../src/llm/retry-policy.js";

const POLICY: RetryPolicy = { maxRetries: 4, baseDelayMs: 1_000, maxDelayMs: 30_000 };
const NOW = Date.parse("2026-12-04T12:00:00Z");

function apiError(statusCode: number | undefined, headers?: Record<string, string>, isRetryable?: boolean): APICallError {
  return new APICallError({ message: "failed", url: "https://api.example.test", requestBodyValues: {}, statusCode, responseHeaders: headers, isRetryable });
}

describe("parseRetryAfter", () => {
  test.each([
    [{ "retry-after": "5" }, 5_000],
    [{ "Retry-After": "0" }, 0],
    [{ "retry-after-ms": "250", "retry-after": "9" }, 250],
    [{ "retry-after": "Fri, 04 Dec 2026 12:00:30 GMT" }, 30_000],
    [{ "retry-after": "soon" }, undefined],
    [{ "retry-after": "-3" }, undefined],
    [{}, undefined],
  ])("%j gives %s ms", (headers, expected) => {
    expect(parseRetryAfter(headers, NOW)).toBe(expected);
  });
});

describe("backoffDelayMs", () => {
  test("doubles with equal jitter", () => {
    expect(backoffDelayMs(0, POLICY, undefined, () => 0)).toBe(500);
    expect(backoffDelayMs(0, POLICY, undefined, () => 1)).toBe(1_000);
    expect(backoffDelayMs(3, POLICY, undefined, () => 0.5)).toBe(6_000);
  });

  test("caps at the maximum delay", () => {
    expect(backoffDelayMs(10, POLICY, undefined, () => 1)).toBe(30_000);
  });

  test("never shorter than retry-after", () => {
    expect(backoffDelayMs(0, POLICY, 12_000, () => 0)).toBe(12_000);
  });

  test("retry-after above the maximum ends retries", () => {
    expect(backoffDelayMs(0, POLICY, 31_000, () => 0)).toBeUndefined();
  });
});

describe("classifyFailure", () => {
  test.each([
    ["429", apiError(429, { "retry-after": "2" }), { kind: "retryable", reason: "rate-limited", status: 429, retryAfterMs: 2_000 }],
    ["503", apiError(503), { kind: "retryable", reason: "server-error", status: 503, retryAfterMs: undefined }],
    ["408", apiError(408), { kind: "retryable", reason: "timeout", status: 408, retryAfterMs: undefined }],
    ["401", apiError(401), { kind: "fatal", reason: "rejected", status: 401 }],
    ["network", apiError(undefined, undefined, true), { kind: "retryable", reason: "connection" }],
    ["200 unreadable", apiError(200), { kind: "malformed", detail: "failed" }],
  ])("%s", (_name, error, expected) => {
    expect(classifyFailure(error, NOW)).toEqual(expected);
  });

  test("timeout and abort differ", () => {
    expect(classifyFailure(new DOMException("timed out", "TimeoutError"))).toEqual({ kind: "retryable", reason: "timeout" });
    expect(classifyFailure(new DOMException("aborted", "AbortError"))).toEqual({ kind: "aborted" });
  });

  test("socket error code is a connection failure", () => {
    const error = new TypeError("fetch failed", { cause: Object.assign(new Error("other side closed"), { code: "UND_ERR_SOCKET" }) });

    expect(classifyFailure(error)).toEqual({ kind: "retryable", reason: "connection" });
  });

  test("programming error is unexpected", () => {
    expect(classifyFailure(new RangeError("bad index"))).toEqual({ kind: "unexpected" });
  });
});
