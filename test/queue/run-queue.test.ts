import { pino } from "pino";
import { describe, expect, test } from "vitest";
import { RunQueue } from "../../src/queue/run-queue.js";
import { RunInterruptedError } from "../../src/run/checkpoint.js";
import type { RunRequest } from "../../src/run/run-request.js";
import { parseRepoConfig } from "../../src/config/repo-config.js";

function request(issue: number, runId: string, installationId = 1): RunRequest {
  const config = parseRepoConfig(null);
  if (!config.ok) throw new Error("default config must parse");
  return {
    runId,
    deliveryId: runId,
    installationId,
    trigger: "label",
    repository: { owner: "o", name: "r", cloneUrl: "file:///nowhere", defaultBranch: "main" },
    issue: { number: issue, title: "t", body: "" },
    sender: "someone",
    config: config.config,
    requestedAt: new Date(0).toISOString(),
  };
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("RunQueue", () => {
  test("one issue runs in order", async () => {
    const events: string[] = [];
    const queue = new RunQueue(async (run) => {
      events.push(`start ${run.runId}`);
      await delay(20);
      events.push(`end ${run.runId}`);
    }, { concurrency: 4, log: pino({ level: "silent" }) });

    queue.submit(request(1, "a"));
    queue.submit(request(1, "b"));
    await queue.onIdle();

    expect(events).toEqual(["start a", "end a", "start b", "end b"]);
  });

  test("global concurrency is respected", async () => {
    let running = 0;
    let maxRunning = 0;
    const queue = new RunQueue(async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await delay(20);
      running--;
    }, { concurrency: 2, log: pino({ level: "silent" }) });

    for (let issue = 1; issue <= 6; issue++) queue.submit(request(issue, `run-${issue}`));
    await queue.onIdle();

    expect(maxRunning).toBe(2);
  });

  test("cancel aborts the running run", async () => {
    let aborted = false;
    const queue = new RunQueue(async (_run, signal) => {
      await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
      aborted = signal.aborted;
    }, { concurrency: 1, log: pino({ level: "silent" }) });

    queue.submit(request(1, "a"));
    await delay(10);
    const cancelled = queue.cancel("o/r#1");
    await queue.onIdle();

    expect(cancelled).toBe(true);
    expect(aborted).toBe(true);
  });

  test("installation limit holds back its runs", async () => {
    const running = new Map<number, number>();
    const maxRunning = new Map<number, number>();
    const queue = new RunQueue(async (run) => {
      running.set(run.installationId, (running.get(run.installationId) ?? 0) + 1);
      maxRunning.set(run.installationId, Math.max(maxRunning.get(run.installationId) ?? 0, running.get(run.installationId) ?? 0));
      await delay(20);
      running.set(run.installationId, (running.get(run.installationId) ?? 0) - 1);
    }, { concurrency: 4, maxRunsPerInstallation: 1, log: pino({ level: "silent" }) });

    for (let issue = 1; issue <= 4; issue++) queue.submit(request(issue, `a-${issue}`, 10));
    for (let issue = 1; issue <= 4; issue++) queue.submit(request(issue, `b-${issue}`, 20));
    await queue.onIdle();

    expect(maxRunning.get(10)).toBe(1);
    expect(maxRunning.get(20)).toBe(1);
  });

  test("shutdown interrupts after the grace period", async () => {
    let reason: unknown;
    const started: string[] = [];
    const queue = new RunQueue(async (run, signal) => {
      started.push(run.runId);
      await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
      reason = signal.reason;
    }, { concurrency: 1, log: pino({ level: "silent" }) });
    queue.submit(request(1, "a"));
    queue.submit(request(2, "b"));
    await delay(10);

    const startedAt = Date.now();
    await queue.shutdown(100);

    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(90);
    expect(reason).toBeInstanceOf(RunInterruptedError);
    await delay(20);
    expect(started).toEqual(["a"]);
  });

  test("shutdown waits for a run that ends in time", async () => {
    let aborted = false;
    const queue = new RunQueue(async (_run, signal) => {
      await delay(30);
      aborted = signal.aborted;
    }, { concurrency: 1, log: pino({ level: "silent" }) });
    queue.submit(request(1, "a"));
    await delay(5);

    await queue.shutdown(5_000);

    expect(aborted).toBe(false);
    expect(queue.size.running).toBe(0);
  });
});
