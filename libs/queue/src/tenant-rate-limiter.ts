import type { Redis } from 'ioredis';

/**
 * A per-tenant token bucket in Redis, one atomic script per check, shared by every worker
 * replica. The bucket holds up to `burst` tokens and refills at `ratePerSec`; time comes from
 * the Redis server (TIME), so replica clocks do not matter. Answers 0 when a token was taken,
 * or the milliseconds until one will be available.
 */
const TOKEN_BUCKET = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
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
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - 1), 'ts', tostring(ts))
  redis.call('PEXPIRE', KEYS[1], ttl)
  return 0
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(ts))
redis.call('PEXPIRE', KEYS[1], ttl)
return math.ceil((1 - tokens) * 1000 / rate)
`;

type WithTokenBucket = Redis & { pbxTokenBucket(key: string, rate: number, burst: number): Promise<number> };

/** Defines the bucket script on a connection once and takes a token from `key`: 0, or milliseconds to wait. */
export function takeToken(redis: Redis, key: string, ratePerSec: number, burst: number): Promise<number> {
  if (!('pbxTokenBucket' in redis)) redis.defineCommand('pbxTokenBucket', { numberOfKeys: 1, lua: TOKEN_BUCKET });
  return (redis as WithTokenBucket).pbxTokenBucket(key, ratePerSec, burst).then(Number);
}

export interface TenantRateLimiterOptions {
  ratePerSec: number;
  /** Bucket size; default one second's worth (`ratePerSec`). */
  burst?: number;
}

export class TenantRateLimiter {
  private readonly rate: number;
  private readonly burst: number;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    opts: TenantRateLimiterOptions,
  ) {
    this.rate = opts.ratePerSec;
    this.burst = Math.max(1, opts.burst ?? opts.ratePerSec);
  }

  /** The key carries the queue prefix's hash tag, so it lives in the queues' Redis Cluster slot. */
  key(tenantId: number): string {
    return `${this.prefix}:rate:tenant:${tenantId}`;
  }

  /** 0 if the tenant may send now (a token was taken), else milliseconds to wait. */
  async take(tenantId: number): Promise<number> {
    return takeToken(this.redis, this.key(tenantId), this.rate, this.burst);
  }
}
