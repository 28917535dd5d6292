import { Redis } from 'ioredis';
import { flushPrefix, testQueuePrefix, testRedisUrl } from '@pbx-sms/testing';
import { LeasedTokenBuckets, takeLeases } from '../src/token-leases';

/** Leased token buckets: fewer round trips for busy keys, never more than the limit. */
let redis: Redis;
let redis2: Redis;
const prefix = testQueuePrefix('leases');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(() => {
  redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
  redis2 = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
});
afterAll(async () => {
  redis.disconnect();
  redis2.disconnect();
  await flushPrefix(prefix);
});

describe('takeLeases', () => {
  it('grants what is needed first, then the extra; past the bucket, the wait for one more token', async () => {
    const k = `${prefix}:a`;
    // rate 10/s, burst 20
    expect(await takeLeases(redis, [{ key: k, need: 1, extra: 4 }], 10, 20, 100)).toEqual([{ granted: 5, waitMs: 0 }]);
    const [g] = await takeLeases(redis, [{ key: k, need: 30, extra: 5 }], 10, 20, 100);
    expect(g!.granted).toBe(15);
    expect(g!.waitMs).toBeGreaterThan(0);
    expect(g!.waitMs).toBeLessThanOrEqual(100);
  });

  it('does not refill the bucket past what is leased: bucket plus leases never exceed the burst', async () => {
    const k = `${prefix}:b`;
    // rate 100/s, burst 20, window 100 ms: 1 token now and 10 leased.
    expect((await takeLeases(redis, [{ key: k, need: 1, extra: 10 }], 100, 20, 100))[0]!.granted).toBe(11);
    // 50 ms later 5 tokens have refilled, but the 10 leased may still be spent: at most 10 now.
    await sleep(50);
    const [g] = await takeLeases(redis2, [{ key: k, need: 100, extra: 0 }], 100, 20, 100);
    expect(g!.granted + 10).toBeLessThanOrEqual(20);
  });

  it('lets the reservation go two windows later', async () => {
    const k = `${prefix}:c`;
    expect((await takeLeases(redis, [{ key: k, need: 20, extra: 0 }], 100, 20, 100))[0]!.granted).toBe(20);
    expect((await takeLeases(redis, [{ key: k, need: 0, extra: 0 }], 100, 20, 100))[0]!.granted).toBe(0);
    await sleep(150);
    // Refilling 100/s: 15 tokens, all leasable.
    const [lease] = await takeLeases(redis, [{ key: k, need: 0, extra: 10 }], 100, 20, 100);
    expect(lease!.granted).toBe(10);
    await sleep(300);
    // Both windows over: the bucket refills to the full burst again.
    expect((await takeLeases(redis, [{ key: k, need: 100, extra: 0 }], 100, 20, 100))[0]!.granted).toBe(20);
  });
});

describe('LeasedTokenBuckets', () => {
  it('answers a busy key from its lease, without a round trip', async () => {
    const b = new LeasedTokenBuckets(redis, 1000, 2000, 100);
    const k = `${prefix}:d`;
    // The first takes ask Redis; the lease doubles while it is used up.
    for (let i = 0; i < 4; i++) expect(await b.take(k)).toBe(0);
    const sync = Array.from({ length: 3 }, () => b.take(k));
    expect(sync.some((x) => typeof x === 'number')).toBe(true);
    expect(await Promise.all(sync)).toEqual([0, 0, 0]);
  });

  it('answers every request of one turn for a key, refusing those past the bucket', async () => {
    const b = new LeasedTokenBuckets(redis, 1, 2, 100);
    const k = `${prefix}:e`;
    const waits = await Promise.all(Array.from({ length: 4 }, () => b.take(k)));
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
          const waits = await Promise.all(Array.from({ length: 20 }, () => b.take(k)));
          admitted += waits.filter((w) => w === 0).length;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    expect(admitted).toBeLessThanOrEqual(burst + Math.ceil(rate * seconds) + 1);
    expect(admitted).toBeGreaterThanOrEqual(burst);
  });
});
