import type { Redis } from 'ioredis';

/**
 * Per-API-key rate limit: a token bucket in Redis (refills at `ratePerSec`, holds twice that),
 * checked and taken in one atomic script. Time comes from the Redis server, so API replicas'
 * clocks do not matter. The key carries the queue prefix's hash tag (same Cluster slot).
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
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(ts))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return wait
`;

type WithApiKeyBucket = Redis & { pbxApiKeyBucket(key: string, rate: number, burst: number): Promise<number> };

export interface RateDecision {
  allowed: boolean;
  /** When refused: milliseconds until a token is available. */
  retryAfterMs: number;
}

export class ApiKeyRateLimiter {
  private readonly redis: WithApiKeyBucket;
  readonly burst: number;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    readonly ratePerSec: number,
  ) {
    if (!('pbxApiKeyBucket' in redis)) redis.defineCommand('pbxApiKeyBucket', { numberOfKeys: 1, lua: TOKEN_BUCKET });
    this.redis = redis as WithApiKeyBucket;
    this.burst = ratePerSec * 2;
  }

  key(apiKeyId: string): string {
    return `${this.prefix}:rate:api-key:${apiKeyId}`;
  }

  /** Takes a token for the key, or answers how long to wait. Rejects when Redis cannot be reached. */
  async take(apiKeyId: string): Promise<RateDecision> {
    const wait = Number(await this.redis.pbxApiKeyBucket(this.key(apiKeyId), this.ratePerSec, this.burst));
    return wait > 0 ? { allowed: false, retryAfterMs: wait } : { allowed: true, retryAfterMs: 0 };
  }
}
