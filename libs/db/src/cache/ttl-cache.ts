/**
 * A small in-process cache with a time to live, for what the hot path reads on every request
 * (tenant configuration, API keys). Concurrent misses for one key share one load; failed loads
 * are not cached; a value that is missing is cached as null, like any other. Bounded: past
 * `maxEntries` the oldest entries are dropped.
 */
export class TtlCache<K, V> {
  private readonly entries = new Map<K, { value: V; expiresAt: number }>();
  private readonly loading = new Map<K, Promise<V>>();
  /** Bumped by clear(), so a load that started before it does not store a stale value. */
  private generation = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached value when fresh, else undefined (no load). */
  peek(key: K, now = this.now()): V | undefined {
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    if (e.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  async get(key: K, load: () => Promise<V>, ttlMs = this.ttlMs): Promise<V> {
    // Values are never undefined (a missing thing is cached as null), so undefined means a miss.
    const hit = this.peek(key);
    if (hit !== undefined) return hit;
    const inFlight = this.loading.get(key);
    if (inFlight) return inFlight;
    const generation = this.generation;
    const p = load().then(
      (value) => {
        this.loading.delete(key);
        if (ttlMs > 0 && generation === this.generation) this.set(key, value, ttlMs);
        return value;
      },
      (err: unknown) => {
        this.loading.delete(key);
        throw err;
      },
    );
    this.loading.set(key, p);
    return p;
  }

  set(key: K, value: V, ttlMs = this.ttlMs): void {
    if (this.entries.size >= this.maxEntries) {
      // Maps iterate in insertion order: drop the oldest tenth.
      let drop = Math.ceil(this.maxEntries / 10);
      for (const k of this.entries.keys()) {
        if (drop-- <= 0) break;
        this.entries.delete(k);
      }
    }
    this.entries.set(key, { value, expiresAt: this.now() + ttlMs });
  }

  /** Drops the entries whose key or value matches. */
  deleteWhere(match: (key: K, value: V) => boolean): void {
    for (const [k, e] of this.entries) if (match(k, e.value)) this.entries.delete(k);
    this.generation++;
  }

  clear(): void {
    this.entries.clear();
    this.generation++;
  }

  get size(): number {
    return this.entries.size;
  }
}
