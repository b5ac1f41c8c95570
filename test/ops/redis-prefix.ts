import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";

export const REDIS_URL = "redis://127.0.0.1:6379";

/** A Redis key prefix of its own for one test, and a function that deletes every key under it. */
export function isolatedPrefix(): { prefix: string; redis: Redis; cleanup(): Promise<void> } {
  const prefix = `magic-test-${randomUUID().slice(0, 8)}`;
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  return {
    prefix,
    redis,
    cleanup: async () => {
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    },
  };
}
