import { ActiveJobs } from '../src/active-jobs';

/** A task the test finishes by hand. */
function gate() {
  let open!: () => void;
  let fail!: (e: Error) => void;
  const done = new Promise<void>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { done, open, fail };
}

describe('ActiveJobs', () => {
  it('counts the wrapped calls in progress and passes their arguments and results through', async () => {
    const active = new ActiveJobs();
    const g = gate();
    const job = active.wrap(async (a: number, b: number) => {
      await g.done;
      return a + b;
    });
    const running = [job(1, 2), job(3, 4)];
    expect(active.size).toBe(2);
    g.open();
    await expect(Promise.all(running)).resolves.toEqual([3, 7]);
    expect(active.size).toBe(0);
  });

  it('is idle at once when nothing runs', async () => {
    await expect(new ActiveJobs().idle(1_000)).resolves.toBe(true);
  });

  it('answers true once the last job ends, however it ends', async () => {
    const active = new ActiveJobs();
    const ok = gate();
    const bad = gate();
    const jobs = [active.wrap(() => ok.done)(), active.wrap(() => bad.done)()];
    const idle = active.idle(5_000);
    ok.open();
    await jobs[0];
    expect(active.size).toBe(1);
    bad.fail(new Error('provider down'));
    await expect(jobs[1]).rejects.toThrow('provider down');
    await expect(idle).resolves.toBe(true);
  });

  it('answers false when the timeout passes first, and a later wait still sees the end', async () => {
    const active = new ActiveJobs();
    const g = gate();
    const job = active.wrap(() => g.done)();
    await expect(active.idle(10)).resolves.toBe(false);
    const later = active.idle(5_000);
    g.open();
    await job;
    await expect(later).resolves.toBe(true);
    expect(active.size).toBe(0);
  });
});
