import type { Redis } from 'ioredis';
import { Batcher } from '@pbx-sms/concurrency';
import { MAX_TOKEN_BATCH, takeOneTokenEach } from './take-tokens.command';

export interface TenantRateLimiterOptions {
  ratePerSec: number;
  /** Bucket size; default one second's worth (`ratePerSec`). */
  burst?: number;
}

/**
 * The worker's per-tenant send limit: one token bucket per tenant in Redis (`takeOneTokenEach`:
 * no lease), shared by every worker replica, with the Redis server's clock. Each check takes one
 * token; the checks of one event-loop turn go to Redis as one script call (each bucket taken in
 * arrival order), so under load Redis runs one command per batch, and the client builds no
 * pipeline (an ioredis pipeline copies every script defined on the connection).
 */
export class TenantRateLimiter {
  private readonly takes: Batcher<string, number>;
  readonly ratePerSec: number;
  readonly burst: number;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    opts: TenantRateLimiterOptions,
  ) {
    this.ratePerSec = opts.ratePerSec;
    this.burst = Math.max(1, opts.burst ?? opts.ratePerSec);
    this.takes = new Batcher((keys) => takeOneTokenEach(redis, keys, this.ratePerSec, this.burst), {
      name: 'tenant-token-takes',
      maxBatch: MAX_TOKEN_BATCH,
      maxInFlight: Infinity,
    });
  }

  /** The key carries the queue prefix's hash tag, so it lives in the queues' Redis Cluster slot. */
  key(tenantId: number): string {
    return `${this.prefix}:rate:tenant:${tenantId}`;
  }

  /** 0 if the tenant may send now (a token was taken), else milliseconds to wait. */
  take(tenantId: number): Promise<number> {
    return this.takes.submit(this.key(tenantId));
  }
}
