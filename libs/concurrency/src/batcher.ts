/**
 * Groups calls made by concurrent callers into one batch operation (one database statement, one
 * Redis pipeline). Nothing waits on a timer: a batch leaves on the next turn of the event loop
 * if fewer than `maxInFlight` batches are out, otherwise as soon as one returns, taking
 * everything that queued up meanwhile. Light load: batches of one, no added latency. Heavy
 * load: batches grow, round trips per call fall.
 *
 * With `slotTimeoutMs`, a batch stops counting against `maxInFlight` after that long even if it
 * has not returned, so that a slow or stuck one (a lock wait, a server hanging) holds the calls
 * behind it no longer than that: they go out as the next batch while it is still out.
 */
export interface BatcherOptions {
  /** What the batches hold, e.g. `accepted-message-inserts`: names the batcher in its errors. */
  name?: string;
  /** Most items in one batch (default 100). */
  maxBatch?: number;
  /** Most batches out at once (default 2). */
  maxInFlight?: number;
  /** A batch frees its slot after this long at the latest (default: only when it returns). */
  slotTimeoutMs?: number;
}

/**
 * A result of `run` that fails its own item only: that caller's promise rejects with `error`,
 * the other items of the batch get their results (one bad row must not fail its neighbours).
 */
export class ItemFailure {
  constructor(readonly error: unknown) {}
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
  readonly name: string;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;
  private readonly slotTimeoutMs: number | undefined;
  private readonly flushNow = () => {
    this.scheduled = false;
    this.flush();
  };

  /**
   * `run` answers one result per item, in order (an `ItemFailure` fails that item alone); a
   * rejection rejects every item of the batch.
   */
  constructor(
    private readonly run: (items: I[]) => Promise<(O | ItemFailure)[]>,
    opts: BatcherOptions = {},
  ) {
    this.name = opts.name ?? 'batcher';
    this.maxBatch = opts.maxBatch ?? 100;
    this.maxInFlight = opts.maxInFlight ?? 2;
    this.slotTimeoutMs = opts.slotTimeoutMs;
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
    setImmediate(this.flushNow);
  }

  private flush(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) this.send(this.queue.splice(0, this.maxBatch));
  }

  private send(batch: Pending<I, O>[]): void {
    this.inFlight++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.inFlight--;
      this.schedule();
    };
    const slowTimer = this.slotTimeoutMs === undefined ? undefined : setTimeout(release, this.slotTimeoutMs);
    let results: Promise<(O | ItemFailure)[]>;
    try {
      results = this.run(batch.map((p) => p.item));
    } catch (err) {
      results = Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    results
      .then(
        (out) => {
          if (out.length !== batch.length) throw new Error(`${this.name}: batch answered ${out.length} results for ${batch.length} items`);
          for (let i = 0; i < batch.length; i++) {
            const o = out[i]!;
            if (o instanceof ItemFailure) batch[i]!.reject(o.error);
            else batch[i]!.resolve(o);
          }
        },
        (err: unknown) => batch.forEach((p) => p.reject(err)),
      )
      .catch((err: unknown) => batch.forEach((p) => p.reject(err)))
      .finally(() => {
        clearTimeout(slowTimer);
        release();
      });
  }
}
