import type { Redis } from 'ioredis';
import { takeToken } from '@pbx-sms/queue';

/**
 * Per-API-key rate limit: the same Redis token bucket as the worker's per-tenant limit
 * (refills at `ratePerSec`, holds twice that), checked and taken in one atomic script with the
 * Redis server's clock. The key carries the queue prefix's hash tag (same Cluster slot).
 */
export interface RateDecision {
  allowed: boolean;
  /** When refused: milliseconds until a token is available. */
  retryAfterMs: number;
}

export class ApiKeyRateLimiter {
  readonly burst: number;

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
  async take(apiKeyId: string): Promise<RateDecision> {
    const wait = await takeToken(this.redis, this.key(apiKeyId), this.ratePerSec, this.burst);
    return wait > 0 ? { allowed: false, retryAfterMs: wait } : { allowed: true, retryAfterMs: 0 };
  }
}
