import type { Redis } from 'ioredis';
import { LeasedTokenBuckets } from './leased-token-buckets';
import { LEASE_WINDOW_MS } from './take-tokens.command';

export interface RateDecision {
  allowed: boolean;
  /** When refused: milliseconds until a token is available. */
  retryAfterMs: number;
}

/**
 * Per-API-key rate limit: the same Redis token bucket as the worker's per-tenant limit
 * (refills at `ratePerSec`, holds twice that), checked and taken atomically with the Redis
 * server's clock. The key carries the queue prefix's hash tag (same Cluster slot).
 *
 * Tokens are taken through short leases (`LeasedTokenBuckets`, docs/decisions.md "API rate
 * limit leases"): a busy key takes a few tokens more than it needs, which its next requests
 * spend in this process without a round trip for up to LEASE_WINDOW_MS. The limit still holds
 * across API replicas (leased tokens leave the shared bucket when leased, and the bucket does
 * not refill past what is leased); unspent leased tokens are lost. The checks that do go to
 * Redis in one event-loop turn go as one script call.
 */
export class ApiKeyRateLimiter {
  readonly burst: number;
  private readonly buckets: LeasedTokenBuckets;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    readonly ratePerSec: number,
  ) {
    this.burst = ratePerSec * 2;
    this.buckets = new LeasedTokenBuckets(redis, ratePerSec, this.burst, LEASE_WINDOW_MS);
  }

  key(apiKeyId: string): string {
    return `${this.prefix}:rate:api-key:${apiKeyId}`;
  }

  /**
   * Takes a token for the key, or answers how long to wait: at once when a lease answers, else
   * after the round trip. Rejects when Redis cannot be reached.
   */
  take(apiKeyId: string): RateDecision | Promise<RateDecision> {
    const wait = this.buckets.take(this.key(apiKeyId));
    return typeof wait === 'number' ? decision(wait) : wait.then(decision);
  }
}

const ALLOWED: RateDecision = Object.freeze({ allowed: true, retryAfterMs: 0 });

function decision(waitMs: number): RateDecision {
  return waitMs > 0 ? { allowed: false, retryAfterMs: waitMs } : ALLOWED;
}
