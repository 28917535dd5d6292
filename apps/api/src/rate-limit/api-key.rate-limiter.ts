import type { Redis } from 'ioredis';
import { takeTokens } from '@pbx-sms/queue';

/**
 * Per-API-key rate limit: the same Redis token bucket as the worker's per-tenant limit
 * (refills at `ratePerSec`, holds twice that), checked and taken atomically with the Redis
 * server's clock. The key carries the queue prefix's hash tag (same Cluster slot).
 *
 * The checks of the requests that arrive in the same event-loop turn go to Redis as one script
 * call (each key's bucket taken in arrival order), so that under load Redis runs one command
 * per turn rather than one per request.
 */
export interface RateDecision {
  allowed: boolean;
  /** When refused: milliseconds until a token is available. */
  retryAfterMs: number;
}

interface PendingTake {
  key: string;
  resolve(d: RateDecision): void;
  reject(err: unknown): void;
}

/** Most keys checked in one script call. */
export const MAX_RATE_BATCH = 200;

export class ApiKeyRateLimiter {
  readonly burst: number;
  private pending: PendingTake[] = [];

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    readonly ratePerSec: number,
  ) {
    this.burst = ratePerSec * 2;
  }

  key(apiKeyId: string): string {
    return `${this.prefix}:rate:api-key:${apiKeyId}`;
  }

  /** Takes a token for the key, or answers how long to wait. Rejects when Redis cannot be reached. */
  take(apiKeyId: string): Promise<RateDecision> {
    return new Promise<RateDecision>((resolve, reject) => {
      if (this.pending.push({ key: this.key(apiKeyId), resolve, reject }) === 1) setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    const all = this.pending;
    this.pending = [];
    for (let i = 0; i < all.length; i += MAX_RATE_BATCH) {
      const batch = all.slice(i, i + MAX_RATE_BATCH);
      takeTokens(
        this.redis,
        batch.map((p) => p.key),
        this.ratePerSec,
        this.burst,
      ).then(
        (waits) => {
          batch.forEach((p, k) => {
            const wait = waits[k] ?? 0;
            p.resolve(wait > 0 ? { allowed: false, retryAfterMs: wait } : { allowed: true, retryAfterMs: 0 });
          });
        },
        (err: unknown) => {
          for (const p of batch) p.reject(err);
        },
      );
    }
  }
}
