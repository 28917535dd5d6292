import { Redis } from 'ioredis';
import { flushPrefix, testQueuePrefix, testRedisUrl } from '@pbx-sms/testing';
import { takeToken, takeTokens } from '../src/tenant-rate-limiter';

/** The many-key bucket script is the single-key one applied to each key in turn. */
let redis: Redis;
const prefix = testQueuePrefix('bucket');

beforeAll(() => {
  redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  redis.disconnect();
  await flushPrefix(prefix);
});

describe('takeTokens', () => {
  it('answers nothing for no keys, without a round trip', async () => {
    await expect(takeTokens(redis, [], 1, 2)).resolves.toEqual([]);
  });

  it('takes from each key in order: a key given more often than its burst is refused past it', async () => {
    const a = `${prefix}:a`;
    const b = `${prefix}:b`;
    // rate 1/s, burst 2: a is given three times, b once.
    const waits = await takeTokens(redis, [a, b, a, a], 1, 2);
    expect(waits.slice(0, 3)).toEqual([0, 0, 0]);
    expect(waits[3]).toBeGreaterThan(900);
    expect(waits[3]).toBeLessThanOrEqual(1000);
  });

  it('shares its buckets with takeToken', async () => {
    const c = `${prefix}:c`;
    expect(await takeToken(redis, c, 1, 2)).toBe(0);
    expect(await takeTokens(redis, [c, c], 1, 2)).toEqual([0, expect.any(Number)]);
    expect(await takeToken(redis, c, 1, 2)).toBeGreaterThan(0);
  });

  it('sets the same expiry as takeToken', async () => {
    const d = `${prefix}:d`;
    const e = `${prefix}:e`;
    await takeToken(redis, d, 10, 20);
    await takeTokens(redis, [e], 10, 20);
    // ceil(burst * 1000 / rate) + 1000 = 3000 ms
    for (const k of [d, e]) {
      const ttl = await redis.pttl(k);
      expect(ttl).toBeGreaterThan(2500);
      expect(ttl).toBeLessThanOrEqual(3000);
    }
  });
});
