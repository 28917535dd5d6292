/**
 * Groups calls made by concurrent jobs into one batch operation (one database statement, one
 * Redis pipeline). Nothing waits on a timer: a batch leaves on the next turn of the event loop
 * if fewer than `maxInFlight` batches are out, otherwise as soon as one returns, taking
 * everything that queued up meanwhile. Light load: batches of one, no added latency. Heavy
 * load: batches grow, round trips per job fall.
 */
export interface BatcherOptions {
  maxBatch?: number;
  maxInFlight?: number;
}

interface Pending<I, O> {
  item: I;
  resolve: (o: O) => void;
  reject: (err: unknown) => void;
}

export class Batcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;

  /** `run` answers one result per item, in order. */
  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    opts: BatcherOptions = {},
  ) {
    this.maxBatch = opts.maxBatch ?? 100;
    this.maxInFlight = opts.maxInFlight ?? 2;
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlight++;
      let results: Promise<O[]>;
      try {
        results = this.run(batch.map((p) => p.item));
      } catch (err) {
        results = Promise.reject(err);
      }
      results
        .then(
          (out) => {
            if (out.length !== batch.length) throw new Error(`batch answered ${out.length} results for ${batch.length} items`);
            batch.forEach((p, i) => p.resolve(out[i]!));
          },
          (err: unknown) => batch.forEach((p) => p.reject(err)),
        )
        .catch((err: unknown) => batch.forEach((p) => p.reject(err)))
        .finally(() => {
          this.inFlight--;
          this.schedule();
        });
    }
  }
}
