import type { Redis } from "ioredis";
import type { SpendLedger } from "../../ops/daily-spend.js";
import type { RedisKeys } from "./connection.js";

/** A day's counter outlives the day by one more, for scrapes and late reads around midnight UTC. */
const SPEND_TTL_SECONDS = 2 * 24 * 60 * 60;

/** Daily dollars per installation in Redis, shared by every worker. */
export class RedisSpendLedger implements SpendLedger {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async spent(installationId: number, day: string): Promise<number> {
    const value = await this.redis.get(this.keys.spend(installationId, day));
    return value === null ? 0 : Number(value);
  }

  async add(installationId: number, day: string, dollars: number): Promise<void> {
    const key = this.keys.spend(installationId, day);
    await this.redis.multi().incrbyfloat(key, dollars).expire(key, SPEND_TTL_SECONDS).exec();
  }
}
