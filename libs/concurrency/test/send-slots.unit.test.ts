import { SendSlots } from '../src/send-slots';

/** A task the test finishes by hand, recording when it started. */
function gate() {
  let open!: () => void;
  let fail!: (e: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { done, open, fail };
}

const tick = () => new Promise<void>((r) => setImmediate(r));

describe('SendSlots', () => {
  it.each([
    [1, 5],
    [3, 10],
    [4, 4],
    [16, 40],
  ])('with %i slots and %i callers: never more than the slots held at once, and every caller runs', async (size, callers) => {
    const slots = new SendSlots(size);
    const gates = Array.from({ length: callers }, gate);
    let running = 0;
    let most = 0;
    const runs = gates.map((g) =>
      slots.run(async () => {
        running++;
        most = Math.max(most, running);
        await g.done;
        running--;
      }),
    );
    await tick();
    expect(running).toBe(Math.min(size, callers));
    expect(slots.queued).toBe(Math.max(0, callers - size));
    for (const g of gates) {
      g.open();
      await tick();
    }
    await Promise.all(runs);
    expect(most).toBe(Math.min(size, callers));
    expect(slots.maxInUse).toBe(Math.min(size, callers));
    expect(slots.inUse).toBe(0);
  });

  it('serves waiters in arrival order: a later caller never takes a freed slot before an earlier one', async () => {
    const slots = new SendSlots(1);
    const order: string[] = [];
    const first = gate();
    const holding = slots.run(async () => {
      order.push('first');
      await first.done;
    });
    await tick();
    const waiters = ['a', 'b', 'c'].map((name) => slots.run(async () => void order.push(name)));
    await tick();
    first.open();
    await holding;
    // Arrives while b and c still wait for the slot that a now holds: it queues behind them.
    const late = slots.run(async () => void order.push('late'));
    await Promise.all([...waiters, late]);
    expect(order).toEqual(['first', 'a', 'b', 'c', 'late']);
  });

  it('gives the slot back when the task throws', async () => {
    const slots = new SendSlots(1);
    await expect(slots.run(() => Promise.reject(new Error('provider down')))).rejects.toThrow('provider down');
    expect(slots.inUse).toBe(0);
    await expect(slots.run(async () => 'next')).resolves.toBe('next');
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses %p slots', (size) => {
    expect(() => new SendSlots(size)).toThrow(RangeError);
  });
});
