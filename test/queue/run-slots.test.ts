import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { redisKeys } from "../../src/queue/redis/connection.js";
import { RunSlots } from "../../src/queue/redis/run-slots.js";
import { isolatedPrefix } from "../ops/redis-prefix.js";

describe("RunSlots", () => {
  let redisPrefix: ReturnType<typeof isolatedPrefix>;
  let now: number;

  beforeEach(() => {
    redisPrefix = isolatedPrefix();
    now = 1_000_000;
  });

  afterEach(async () => {
    await redisPrefix.cleanup();
  });

  function slots(maxRunsPerInstallation?: number, ttlMs = 60_000): RunSlots {
    return new RunSlots(redisPrefix.redis, redisKeys(redisPrefix.prefix), ttlMs, maxRunsPerInstallation, () => now);
  }

  test("one holder per issue", async () => {
    const runSlots = slots();

    expect(await runSlots.acquire("job-a", "o/r#1", 1)).toBe("acquired");
    expect(await runSlots.acquire("job-b", "o/r#1", 1)).toBe("issue-busy");
    expect(await runSlots.acquire("job-b", "o/r#2", 1)).toBe("acquired");
    expect(await runSlots.acquire("job-a", "o/r#1", 1)).toBe("acquired");
  });

  test("release frees the issue", async () => {
    const runSlots = slots();
    await runSlots.acquire("job-a", "o/r#1", 1);

    await runSlots.release("job-b", "o/r#1", 1);
    const whileHeld = await runSlots.acquire("job-b", "o/r#1", 1);
    await runSlots.release("job-a", "o/r#1", 1);
    const afterRelease = await runSlots.acquire("job-b", "o/r#1", 1);

    expect(whileHeld).toBe("issue-busy");
    expect(afterRelease).toBe("acquired");
  });

  test("expired lock passes to another job", async () => {
    const runSlots = slots(undefined, 200);
    await runSlots.acquire("dead-worker-job", "o/r#1", 1);

    await new Promise((resolve) => setTimeout(resolve, 300));
    const taken = await runSlots.acquire("job-b", "o/r#1", 1);
    const renewedByOldHolder = await runSlots.renew("dead-worker-job", "o/r#1", 1);

    expect(taken).toBe("acquired");
    expect(renewedByOldHolder).toBe(false);
  });

  test("renew keeps the lock alive", async () => {
    const runSlots = slots(undefined, 300);
    await runSlots.acquire("job-a", "o/r#1", 1);

    for (let renewal = 0; renewal < 4; renewal++) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(await runSlots.renew("job-a", "o/r#1", 1)).toBe(true);
    }

    expect(await runSlots.acquire("job-b", "o/r#1", 1)).toBe("issue-busy");
  });

  test("installation limit counts live holders", async () => {
    const runSlots = slots(2, 1_000);

    expect(await runSlots.acquire("job-a", "o/r#1", 7)).toBe("acquired");
    expect(await runSlots.acquire("job-b", "o/r#2", 7)).toBe("acquired");
    expect(await runSlots.acquire("job-c", "o/r#3", 7)).toBe("installation-busy");
    expect(await runSlots.acquire("job-c", "o/other#3", 8)).toBe("acquired");
    expect(await redisPrefix.redis.exists(redisKeys(redisPrefix.prefix).issueLock("o/r#3"))).toBe(0);

    await runSlots.release("job-a", "o/r#1", 7);
    expect(await runSlots.acquire("job-c", "o/r#3", 7)).toBe("acquired");

    now += 2_000;
    expect(await runSlots.acquire("job-d", "o/r#4", 7)).toBe("acquired");
  });
});
