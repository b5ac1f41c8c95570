import { pino } from "pino";
import { describe, expect, test } from "vitest";
import { RunQueue } from "../../src/queue/run-queue.js";
import type { RunRequest } from "../../src/run/run-request.js";
import { parseRepoConfig } from "../../src/config/repo-config.js";

function request(issue: number, runId: string): RunRequest {
  const config = parseRepoConfig(null);
  if (!config.ok) throw new Error("default config must parse");
  return {
    runId,
    deliveryId: runId,
    installationId: 1,
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
});
