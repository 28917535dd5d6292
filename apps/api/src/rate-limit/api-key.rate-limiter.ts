import type { Redis } from 'ioredis';
import { BatchedTokenBuckets } from '@pbx-sms/queue';

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

export class ApiKeyRateLimiter {
  readonly burst: number;
  private readonly buckets: BatchedTokenBuckets;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    readonly ratePerSec: number,
  ) {
    this.burst = ratePerSec * 2;
    this.buckets = new BatchedTokenBuckets(redis, ratePerSec, this.burst);
  }

  key(apiKeyId: string): string {
    return `${this.prefix}:rate:api-key:${apiKeyId}`;
  }

  /** Takes a token for the key, or answers how long to wait. Rejects when Redis cannot be reached. */
  async take(apiKeyId: string): Promise<RateDecision> {
    const wait = await this.buckets.take(this.key(apiKeyId));
    return wait > 0 ? { allowed: false, retryAfterMs: wait } : { allowed: true, retryAfterMs: 0 };
  }
}
