/**
 * Counts jobs in progress so shutdown can wait for them with its own timeout. (BullMQ's
 * `worker.close()` waits without one, and once it has begun a later `close(true)` only
 * returns the same promise, so forcing has to be decided before closing.)
 */
export class ActiveJobs {
  private count = 0;
  private waiters: (() => void)[] = [];

  get size(): number {
    return this.count;
  }

  wrap<A extends unknown[], R>(fn: (...args: A) => Promise<R>): (...args: A) => Promise<R> {
    return async (...args: A) => {
      this.count++;
      try {
        return await fn(...args);
      } finally {
        this.count--;
        if (this.count === 0) {
          const waiters = this.waiters;
          this.waiters = [];
          for (const w of waiters) w();
        }
      }
    };
  }

  /** True once no job is active, false if `timeoutMs` passes first. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.count === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        resolve(false);
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.waiters.push(done);
    });
  }
}
