import { sleep } from '@pbx-sms/testing/wait';
import { Batcher, ItemFailure } from '../src/batcher';

describe('Batcher', () => {
  it('sends a lone call at once, in a batch of one', async () => {
    const batches: number[][] = [];
    const b = new Batcher(async (xs: number[]) => {
      batches.push(xs);
      return xs.map((x) => x * 2);
    });
    await expect(b.submit(21)).resolves.toBe(42);
    expect(batches).toEqual([[21]]);
  });

  it('groups calls made while batches are in flight, answering each caller its own result', async () => {
    const batches: number[][] = [];
    const b = new Batcher(
      async (xs: number[]) => {
        batches.push(xs);
        await sleep(10);
        return xs.map((x) => x + 1);
      },
      { maxInFlight: 1, maxBatch: 50 },
    );
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => b.submit(i)));
    expect(results).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(batches.length).toBeLessThanOrEqual(3);
    expect(batches.every((x) => x.length <= 50)).toBe(true);
  });

  it('an ItemFailure fails its own caller only; the rest of the batch gets its results', async () => {
    const b = new Batcher(async (xs: number[]) => xs.map((x) => (x < 0 ? new ItemFailure(new Error(`bad ${x}`)) : x * 10)));
    const settled = await Promise.allSettled([b.submit(1), b.submit(-2), b.submit(3)]);
    expect(settled).toEqual([
      { status: 'fulfilled', value: 10 },
      { status: 'rejected', reason: new Error('bad -2') },
      { status: 'fulfilled', value: 30 },
    ]);
  });

  it('rejects every caller of a failed batch, and keeps working afterwards', async () => {
    let fail = true;
    const b = new Batcher(async (xs: number[]) => {
      if (fail) throw new Error('database down');
      return xs;
    });
    await expect(Promise.all([b.submit(1), b.submit(2)])).rejects.toThrow('database down');
    fail = false;
    await expect(b.submit(3)).resolves.toBe(3);
  });

  it('rejects every caller of a batch answered with the wrong number of results, naming the batcher', async () => {
    const b = new Batcher(async (xs: number[]) => xs.slice(1), { name: 'test-rows' });
    expect(b.name).toBe('test-rows');
    const settled = await Promise.allSettled([b.submit(1), b.submit(2)]);
    expect(settled).toEqual([
      { status: 'rejected', reason: new Error('test-rows: batch answered 1 results for 2 items') },
      { status: 'rejected', reason: new Error('test-rows: batch answered 1 results for 2 items') },
    ]);
  });
});

/** A batcher whose first batch stays out until `releaseFirst()`; the batches it ran, in `batches`. */
function holdingFirstBatch(opts: { maxInFlight: number; slotTimeoutMs?: number }) {
  const batches: number[][] = [];
  let releaseFirst!: () => void;
  const firstDone = new Promise<void>((r) => (releaseFirst = r));
  const b = new Batcher(async (xs: number[]) => {
    batches.push(xs);
    if (batches.length === 1) await firstDone;
    return xs;
  }, opts);
  return { b, batches, releaseFirst };
}

describe('Batcher slot timeout', () => {
  it('lets the next batch go out while a slow one is still out, and answers both', async () => {
    const { b, batches, releaseFirst } = holdingFirstBatch({ maxInFlight: 1, slotTimeoutMs: 5 });
    const first = b.submit(1);
    await new Promise((r) => setImmediate(r));
    const second = b.submit(2);
    // Only the slot timeout can let the second batch out: the first one never returns until told.
    await expect(second).resolves.toBe(2);
    expect(batches).toEqual([[1], [2]]);
    releaseFirst();
    await expect(first).resolves.toBe(1);
  });

  it('without a slot timeout, waits for the batch in flight', async () => {
    const { b, batches, releaseFirst } = holdingFirstBatch({ maxInFlight: 1 });
    const first = b.submit(1);
    await new Promise((r) => setImmediate(r));
    const second = b.submit(3);
    await sleep(20);
    expect(batches).toEqual([[1]]);
    releaseFirst();
    await expect(Promise.all([first, second])).resolves.toEqual([1, 3]);
    expect(batches).toEqual([[1], [3]]);
  });
});
