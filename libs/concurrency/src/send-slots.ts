/**
 * A counting semaphore with a FIFO wait list: at most `size` holders at once, and waiters are
 * served in arrival order, so no caller waits behind later arrivals (no starvation).
 *
 * The worker holds one per process, of WORKER_CONCURRENCY slots, around every provider call
 * and the write of its outcome, whichever job kind makes the call (a send job, or a voicemail
 * job sending inline). So at most WORKER_CONCURRENCY messages per process can be sent but not
 * yet recorded: the number a `kill -9` can turn into duplicates (docs/reliability.md). A holder
 * needs nothing but the provider and Postgres while it holds a slot, never a second slot or a
 * queue job, so waiting for one cannot deadlock.
 */
export class SendSlots {
  private held = 0;
  private highWater = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`slots must be a positive integer, got ${size}`);
  }

  /** Slots held now. */
  get inUse(): number {
    return this.held;
  }

  /** Callers waiting for a slot now. */
  get queued(): number {
    return this.waiting.length;
  }

  /** The most slots ever held at once. */
  get maxInUse(): number {
    return this.highWater;
  }

  /** Runs `fn` holding one slot; the slot is given back however `fn` ends. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await fn();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.held < this.size && this.waiting.length === 0) {
      this.take();
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private take(): void {
    this.held++;
    if (this.held > this.highWater) this.highWater = this.held;
  }

  private release(): void {
    this.held--;
    // Hand the slot straight to the oldest waiter: a caller arriving meanwhile cannot jump it.
    const next = this.waiting.shift();
    if (next) {
      this.take();
      next();
    }
  }
}
