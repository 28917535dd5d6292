import { Redis } from 'ioredis';
import { flushPrefix, sleep, testQueuePrefix, testRedisUrl } from '@pbx-sms/testing';
import { TenantRateLimiter } from '../src/tenant.rate-limiter';
import { takeOneTokenEach, takeTokens } from '../src/take-tokens.command';

/**
 * The one token-bucket script serves both callers: the worker's plain takes (one token each, no
 * lease) and the API's leases. Each caller's sequences keep the expectations they had against
 * their own script before.
 */
let redis: Redis;
let redis2: Redis;
const prefix = testQueuePrefix('bucket');

/** The worker's takes: one token each, no lease; per take 0, or the milliseconds to wait. */
const plain = (keys: string[], rate: number, burst: number) => takeOneTokenEach(redis, keys, rate, burst);

beforeAll(() => {
  redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
  redis2 = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  redis.disconnect();
  redis2.disconnect();
  await flushPrefix(prefix);
});

describe('takeTokens without leases (the worker per-tenant limit)', () => {
  it('answers nothing for no keys, without a round trip', async () => {
    await expect(takeOneTokenEach(redis, [], 1, 2)).resolves.toEqual([]);
    await expect(takeTokens(redis, [], 1, 2)).resolves.toEqual([]);
  });

  it('asking need 1 and extra 0 per key is the same as asking nothing per key', async () => {
    const f = `${prefix}:f`;
    const g = `${prefix}:g`;
    // rate 1/s, burst 2: the third take of each key is refused.
    const asked = await takeTokens(
      redis,
      [f, f, f].map((key) => ({ key, need: 1, extra: 0 })),
      1,
      2,
    );
    expect(asked.map((x) => x.granted)).toEqual([1, 1, 0]);
    const defaulted = await plain([g, g, g], 1, 2);
    expect(defaulted.slice(0, 2)).toEqual([0, 0]);
    expect(Math.abs(defaulted[2]! - asked[2]!.waitMs)).toBeLessThanOrEqual(50);
    expect(Object.keys(await redis.hgetall(f)).sort()).toEqual(['tokens', 'ts']);
  });

  it('takes from each key in order: a key given more often than its burst is refused past it', async () => {
    const a = `${prefix}:a`;
    const b = `${prefix}:b`;
    // rate 1/s, burst 2: a is given three times, b once.
    const waits = await plain([a, b, a, a], 1, 2);
    expect(waits.slice(0, 3)).toEqual([0, 0, 0]);
    expect(waits[3]).toBeGreaterThan(900);
    expect(waits[3]).toBeLessThanOrEqual(1000);
  });

  it('a single take through the tenant limiter and a batch call share their buckets', async () => {
    const limiter = new TenantRateLimiter(redis, `${prefix}:shared`, { ratePerSec: 1, burst: 2 });
    const c = limiter.key(7);
    expect(await limiter.take(7)).toBe(0);
    expect(await plain([c, c], 1, 2)).toEqual([0, expect.any(Number)]);
    expect(await limiter.take(7)).toBeGreaterThan(0);
  });

  it('sets the plain bucket expiry, and keeps only the tokens and their time', async () => {
    const limiter = new TenantRateLimiter(redis, `${prefix}:ttl`, { ratePerSec: 10, burst: 20 });
    const d = limiter.key(1);
    const e = `${prefix}:e`;
    await limiter.take(1);
    await plain([e], 10, 20);
    // ceil(burst * 1000 / rate) + 1000 = 3000 ms
    for (const k of [d, e]) {
      const ttl = await redis.pttl(k);
      expect(ttl).toBeGreaterThan(2500);
      expect(ttl).toBeLessThanOrEqual(3000);
      expect(Object.keys(await redis.hgetall(k)).sort()).toEqual(['tokens', 'ts']);
    }
  });
});

describe('takeTokens with leases (the API per-key limit)', () => {
  it('grants what is needed first, then the extra; past the bucket, the wait for one more token', async () => {
    const k = `${prefix}:la`;
    // rate 10/s, burst 20
    expect(await takeTokens(redis, [{ key: k, need: 1, extra: 4 }], 10, 20, 100)).toEqual([{ granted: 5, waitMs: 0 }]);
    const [g] = await takeTokens(redis, [{ key: k, need: 30, extra: 5 }], 10, 20, 100);
    expect(g!.granted).toBe(15);
    expect(g!.waitMs).toBeGreaterThan(0);
    expect(g!.waitMs).toBeLessThanOrEqual(100);
  });

  it('does not refill the bucket past what is leased: bucket plus leases never exceed the burst', async () => {
    const k = `${prefix}:lb`;
    // rate 100/s, burst 20, window 100 ms: 1 token now and 10 leased.
    expect((await takeTokens(redis, [{ key: k, need: 1, extra: 10 }], 100, 20, 100))[0]!.granted).toBe(11);
    // 50 ms later 5 tokens have refilled, but the 10 leased may still be spent: at most 10 now.
    await sleep(50);
    const [g] = await takeTokens(redis2, [{ key: k, need: 100, extra: 0 }], 100, 20, 100);
    expect(g!.granted + 10).toBeLessThanOrEqual(20);
  });

  it('lets the reservation go two windows later', async () => {
    const k = `${prefix}:lc`;
    expect((await takeTokens(redis, [{ key: k, need: 20, extra: 0 }], 100, 20, 100))[0]!.granted).toBe(20);
    expect((await takeTokens(redis, [{ key: k, need: 0, extra: 0 }], 100, 20, 100))[0]!.granted).toBe(0);
    await sleep(150);
    // Refilling 100/s: 15 tokens, all leasable.
    const [lease] = await takeTokens(redis, [{ key: k, need: 0, extra: 10 }], 100, 20, 100);
    expect(lease!.granted).toBe(10);
    await sleep(300);
    // Both windows over: the bucket refills to the full burst again.
    expect((await takeTokens(redis, [{ key: k, need: 100, extra: 0 }], 100, 20, 100))[0]!.granted).toBe(20);
  });

  it('keeps a bucket holding a reservation two windows longer than the plain expiry', async () => {
    const k = `${prefix}:ld`;
    // rate 10/s, burst 20, window 100 ms: 3000 ms + 2 × 100 ms.
    await takeTokens(redis, [{ key: k, need: 1, extra: 1 }], 10, 20, 100);
    const ttl = await redis.pttl(k);
    expect(ttl).toBeGreaterThan(3000);
    expect(ttl).toBeLessThanOrEqual(3200);
  });
});

/** The worker's plain bucket script as it was before the one script took its place (issue 13). */
const PLAIN_BEFORE = `
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
local out = {}
for i = 1, #KEYS do
  out[i] = take(KEYS[i], rate, burst, now)
end
return out
`;

describe('takeTokens without leases answers as the plain bucket script did', () => {
  const before = (keys: string[], rate: number, burst: number) =>
    redis.eval(PLAIN_BEFORE, keys.length, ...keys, rate, burst).then((out) => (out as number[]).map(Number));
  /** Calls to the two scripts are a round trip apart: waits and tokens may differ by what refills meanwhile. */
  async function expectSameBucket(oldKey: string, newKey: string, tokensWithin: number): Promise<void> {
    const [was, now] = await Promise.all([redis.hgetall(oldKey), redis.hgetall(newKey)]);
    expect(Object.keys(now).sort()).toEqual(['tokens', 'ts']);
    expect(Object.keys(was).sort()).toEqual(['tokens', 'ts']);
    expect(Math.abs(Number(now.tokens) - Number(was.tokens))).toBeLessThanOrEqual(tokensWithin);
    expect(Math.abs((await redis.pttl(newKey)) - (await redis.pttl(oldKey)))).toBeLessThanOrEqual(100);
  }

  it('same answers, state and expiry for random batches of keys', async () => {
    // 1 token per 100 s: what refills between the two calls cannot change an answer.
    const rate = 0.01;
    const burst = 3;
    let seed = 13;
    const pick = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return Math.floor(seed / 2 ** 16) % n;
    };
    for (let round = 0; round < 40; round++) {
      const keys = Array.from({ length: 1 + pick(6) }, () => `k${pick(4)}`);
      const was = await before(
        keys.map((k) => `${prefix}:old:${k}`),
        rate,
        burst,
      );
      const now = await plain(
        keys.map((k) => `${prefix}:new:${k}`),
        rate,
        burst,
      );
      expect(now.map((w) => w > 0)).toEqual(was.map((w) => w > 0));
      now.forEach((w, i) => expect(Math.abs(w - was[i]!)).toBeLessThanOrEqual(50));
    }
    for (const k of ['k0', 'k1', 'k2', 'k3']) await expectSameBucket(`${prefix}:old:${k}`, `${prefix}:new:${k}`, 0.001);
  });

  it('the same refill: drained buckets hold the same tokens again later', async () => {
    // rate 100/s, burst 5: drained, then 50 ms refill the whole burst.
    const oldKey = `${prefix}:old:refill`;
    const newKey = `${prefix}:new:refill`;
    const drain = Array.from({ length: 6 }, () => 'k');
    const was = await before(
      drain.map(() => oldKey),
      100,
      5,
    );
    const now = await plain(
      drain.map(() => newKey),
      100,
      5,
    );
    expect(was.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(now.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(Math.abs(now[5]! - was[5]!)).toBeLessThanOrEqual(50);
    await sleep(60);
    expect(await before([oldKey, oldKey], 100, 5)).toEqual([0, 0]);
    expect(await plain([newKey, newKey], 100, 5)).toEqual([0, 0]);
    await expectSameBucket(oldKey, newKey, 0.5);
  });
});
