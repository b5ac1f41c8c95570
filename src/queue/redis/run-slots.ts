import type { Redis } from "ioredis";
import type { RedisKeys } from "./connection.js";

export type SlotResult = "acquired" | "issue-busy" | "installation-busy";

/**
 * Takes the issue lock and, when a limit is set, one of the installation's run slots, atomically.
 * KEYS: issue lock, installation slot set. ARGV: holder token, ttl ms, now ms, installation limit (0: none).
 * The slot set scores each holder with its expiry, so slots of dead workers lapse on their own.
 */
const ACQUIRE = `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 'issue-busy' end
local limit = tonumber(ARGV[4])
if limit > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[3])
  if not redis.call('ZSCORE', KEYS[2], ARGV[1]) and redis.call('ZCARD', KEYS[2]) >= limit then return 'installation-busy' end
  redis.call('ZADD', KEYS[2], tonumber(ARGV[3]) + tonumber(ARGV[2]), ARGV[1])
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 'acquired'
`;

/** Extends both while the token still holds the issue lock. Returns 0 when the lock was lost. */
const RENEW = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
if redis.call('ZSCORE', KEYS[2], ARGV[1]) then
  redis.call('ZADD', KEYS[2], tonumber(ARGV[3]) + tonumber(ARGV[2]), ARGV[1])
  redis.call('PEXPIRE', KEYS[2], ARGV[2])
end
return 1
`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
redis.call('ZREM', KEYS[2], ARGV[1])
return 1
`;

/**
 * Per-issue serialisation and per-installation concurrency across every worker, in Redis.
 *
 * BullMQ has no job groups in its open-source edition, so a run job first takes a lock named after
 * its issue, held under the job's BullMQ lock token and renewed while the run goes on. A job that
 * finds the lock held is moved back to the delayed set and tried again shortly, without counting as
 * a failed attempt. A worker that dies stops renewing, so the lock expires after its ttl. That ttl is
 * also the time after which BullMQ hands the job itself to another worker, so a dead worker never
 * blocks an issue for longer.
 */
export class RunSlots {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly ttlMs: number,
    private readonly maxRunsPerInstallation: number | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  async acquire(token: string, issueKey: string, installationId: number): Promise<SlotResult> {
    const result = await this.redis.eval(ACQUIRE, 2, ...this.keysOf(issueKey, installationId), token, this.ttlMs, this.now(), this.maxRunsPerInstallation ?? 0);
    return result as SlotResult;
  }

  /** Extends the lock. Returns false when another holder has it or it expired. */
  async renew(token: string, issueKey: string, installationId: number): Promise<boolean> {
    const result = await this.redis.eval(RENEW, 2, ...this.keysOf(issueKey, installationId), token, this.ttlMs, this.now());
    return result === 1;
  }

  async release(token: string, issueKey: string, installationId: number): Promise<void> {
    await this.redis.eval(RELEASE, 2, ...this.keysOf(issueKey, installationId), token);
  }

  private keysOf(issueKey: string, installationId: number): [string, string] {
    return [this.keys.issueLock(issueKey), this.keys.installationRuns(installationId)];
  }
}
