import { Redis } from 'ioredis';
import { flushPrefix, testQueuePrefix, testRedisUrl } from '@pbx-sms/testing';
import { LeasedTokenBuckets } from '../src/leased-token-buckets';

/** Leased token buckets: fewer round trips for busy keys, never more than the limit. */
let redis: Redis;
let redis2: Redis;
const prefix = testQueuePrefix('leases');

beforeAll(() => {
  redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
  redis2 = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  redis.disconnect();
  redis2.disconnect();
  await flushPrefix(prefix);
});

describe('LeasedTokenBuckets', () => {
  it('answers a busy key from its lease, without a round trip', async () => {
    const b = new LeasedTokenBuckets(redis, 1000, 2000, 100);
    const k = `${prefix}:d`;
    // The first takes ask Redis; the lease doubles while it is used up.
    for (let i = 0; i < 4; i++) expect(await b.take(k)).toBe(0);
    const sync = Array.from({ length: 3 }, () => b.take(k));
    expect(sync.some((x) => typeof x === 'number')).toBe(true);
    expect(await Promise.all(sync.map((x) => Promise.resolve(x)))).toEqual([0, 0, 0]);
  });

  it('answers every request of one turn for a key, refusing those past the bucket', async () => {
    const b = new LeasedTokenBuckets(redis, 1, 2, 100);
    const k = `${prefix}:e`;
    const waits = await Promise.all(Array.from({ length: 4 }, () => Promise.resolve(b.take(k))));
    expect(waits.slice(0, 2)).toEqual([0, 0]);
    for (const w of waits.slice(2)) expect(w).toBeGreaterThan(900);
  });

  it('two replicas hammering one key are admitted no more than the limit allows', async () => {
    const rate = 200;
    const burst = 400;
    const k = `${prefix}:f`;
    const replicas = [new LeasedTokenBuckets(redis, rate, burst, 100), new LeasedTokenBuckets(redis2, rate, burst, 100)];
    let admitted = 0;
    const started = performance.now();
    const until = started + 600;
    await Promise.all(
      replicas.map(async (b) => {
        while (performance.now() < until) {
          const waits = await Promise.all(Array.from({ length: 20 }, () => Promise.resolve(b.take(k))));
          admitted += waits.filter((w) => w === 0).length;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    expect(admitted).toBeLessThanOrEqual(burst + Math.ceil(rate * seconds) + 1);
    expect(admitted).toBeGreaterThanOrEqual(burst);
  });
});
