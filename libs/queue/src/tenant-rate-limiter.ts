import type { Redis } from 'ioredis';
import { Batcher } from '@pbx-sms/concurrency';

/**
 * A per-tenant token bucket in Redis, one atomic script per check, shared by every worker
 * replica. The bucket holds up to `burst` tokens and refills at `ratePerSec`; time comes from
 * the Redis server (TIME), so replica clocks do not matter. Answers 0 when a token was taken,
 * or the milliseconds until one will be available.
 *
 * TAKE is one bucket step (a token taken from `key`: 0, or the milliseconds to wait); the
 * single-key and the many-key scripts below are the same step.
 */
const TAKE = `
local function take(key, rate, burst, now)
  local state = redis.call('HMGET', key, 'tokens', 'ts')
  local tokens = tonumber(state[1])
  local ts = tonumber(state[2])
  if tokens == nil or ts == nil then
    tokens = burst
    ts = now
  end
  if now > ts then
    tokens = math.min(burst, tokens + (now - ts) * rate / 1000)
    ts = now
  end
  local ttl = math.ceil(burst * 1000 / rate) + 1000
  if tokens >= 1 then
    redis.call('HSET', key, 'tokens', tostring(tokens - 1), 'ts', tostring(ts))
    redis.call('PEXPIRE', key, ttl)
    return 0
  end
  redis.call('HSET', key, 'tokens', tostring(tokens), 'ts', tostring(ts))
  redis.call('PEXPIRE', key, ttl)
  return math.ceil((1 - tokens) * 1000 / rate)
end
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;
const TOKEN_BUCKET = `${TAKE}
return take(KEYS[1], rate, burst, now)
`;
/** The same step for each key in turn (a key given twice is taken from twice, in order). */
const TOKEN_BUCKETS = `${TAKE}
local out = {}
for i = 1, #KEYS do
  out[i] = take(KEYS[i], rate, burst, now)
end
return out
`;

type WithTokenBucket = Redis & {
  pbxTokenBucket(key: string, rate: number, burst: number): Promise<number>;
  pbxTokenBuckets(...args: (string | number)[]): Promise<number[]>;
};

function withScripts(redis: Redis): WithTokenBucket {
  if (!('pbxTokenBucket' in redis)) {
    redis.defineCommand('pbxTokenBucket', { numberOfKeys: 1, lua: TOKEN_BUCKET });
    redis.defineCommand('pbxTokenBuckets', { lua: TOKEN_BUCKETS });
  }
  return redis as WithTokenBucket;
}

/** Defines the bucket script on a connection once and takes a token from `key`: 0, or milliseconds to wait. */
export function takeToken(redis: Redis, key: string, ratePerSec: number, burst: number): Promise<number> {
  return withScripts(redis).pbxTokenBucket(key, ratePerSec, burst).then(Number);
}

/**
 * `takeToken` for several keys in one script call (one command for Redis to run instead of
 * one per key): answers, per key in order, 0 or the milliseconds to wait. Every key must hash
 * to the same Cluster slot (they carry the queue prefix's hash tag).
 */
export function takeTokens(redis: Redis, keys: readonly string[], ratePerSec: number, burst: number): Promise<number[]> {
  if (keys.length === 0) return Promise.resolve([]);
  return withScripts(redis)
    .pbxTokenBuckets(keys.length, ...keys, ratePerSec, burst)
    .then((waits) => waits.map(Number));
}

/** Most keys checked in one script call. */
export const MAX_TOKEN_BATCH = 200;

/**
 * `takeToken` for callers that check many buckets concurrently: the checks go to Redis in
 * batches, one `takeTokens` script call each (each bucket taken in arrival order), so under
 * load Redis runs one command per batch, not one per check, and the client builds no pipeline
 * (an ioredis pipeline copies every script defined on the connection). A batch leaves every
 * event-loop turn (`Batcher` with no limit on batches in flight).
 * Answers per check: 0 (a token was taken) or the milliseconds to wait.
 */
export class BatchedTokenBuckets {
  private readonly batcher: Batcher<string, number>;

  constructor(
    private readonly redis: Redis,
    readonly ratePerSec: number,
    readonly burst: number,
  ) {
    this.batcher = new Batcher((keys) => takeTokens(this.redis, keys, this.ratePerSec, this.burst), { maxBatch: MAX_TOKEN_BATCH, maxInFlight: Infinity });
  }

  take(key: string): Promise<number> {
    return this.batcher.submit(key);
  }
}

export interface TenantRateLimiterOptions {
  ratePerSec: number;
  /** Bucket size; default one second's worth (`ratePerSec`). */
  burst?: number;
}

/** The worker's per-tenant send limit: one bucket per tenant, checks batched per event-loop turn. */
export class TenantRateLimiter {
  private readonly buckets: BatchedTokenBuckets;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    opts: TenantRateLimiterOptions,
  ) {
    this.buckets = new BatchedTokenBuckets(redis, opts.ratePerSec, Math.max(1, opts.burst ?? opts.ratePerSec));
  }

  /** The key carries the queue prefix's hash tag, so it lives in the queues' Redis Cluster slot. */
  key(tenantId: number): string {
    return `${this.prefix}:rate:tenant:${tenantId}`;
  }

  /** 0 if the tenant may send now (a token was taken), else milliseconds to wait. */
  take(tenantId: number): Promise<number> {
    return this.buckets.take(this.key(tenantId));
  }
}
