import { createHash } from 'node:crypto';
import { AppError } from '@pbx-sms/core';
import {
  IDEMPOTENCY_PENDING,
  claimIdempotencyKey,
  completeIdempotencyKey,
  releaseIdempotencyKey,
  takeOverIdempotencyKey,
  tenantMessageExists,
  type ClaimInput,
  type SqlRunner,
} from '@pbx-sms/db';
import { acceptedBody } from '../reply';

/** Records are kept (and answers replayed) for 24 hours. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** An in-progress claim older than this belongs to a request that died; it may be taken over. */
export const IDEMPOTENCY_STALE_MS = 60_000;
/** How long a duplicate waits for the first request to finish before answering 503. */
export const IDEMPOTENCY_WAIT_MS = 5_000;

const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export type IdempotencyOutcome =
  /** This request owns the key: do the work, then complete() or release(). */
  | { kind: 'claimed' }
  /** The first request's answer, to be sent again as it is. */
  | { kind: 'replay'; status: number; body: string };

/**
 * `Idempotency-Key` on REST send (per tenant, 24 h): the same key with the same request
 * answers the first response again and creates nothing; with a different request, 422
 * `idempotency_conflict`. A duplicate arriving while the first is in progress waits for it.
 * Only successful answers (202) are kept: a refused request creates nothing, so it releases the
 * key and a retry is evaluated afresh.
 */
export class IdempotencyService {
  constructor(
    private readonly db: SqlRunner,
    private readonly waitMs = IDEMPOTENCY_WAIT_MS,
    private readonly staleMs = IDEMPOTENCY_STALE_MS,
  ) {}

  /** Validates the header value; undefined when absent. */
  static parseKey(header: unknown): string | undefined {
    if (header === undefined) return undefined;
    if (typeof header !== 'string' || !KEY_PATTERN.test(header)) {
      throw new AppError('invalid_request', 'Idempotency-Key: must be 1 to 255 printable ASCII characters, given once');
    }
    return header;
  }

  static requestHash(parts: readonly unknown[]): string {
    return createHash('sha256').update(JSON.stringify(parts)).digest('hex');
  }

  async begin(tenantId: number, key: string, requestHash: string, messageId: string): Promise<IdempotencyOutcome> {
    // The stored answer a claimed request will give on success: the 202 body with the promised id.
    const claim: ClaimInput = { tenantId, key, requestHash, pendingBody: acceptedBody(messageId), ttlMs: IDEMPOTENCY_TTL_MS };
    const deadline = Date.now() + this.waitMs;
    let delay = 10;
    for (;;) {
      const result = await claimIdempotencyKey(this.db, claim);
      if (result.claimed) return { kind: 'claimed' };
      const existing = result.existing;
      if (existing !== null) {
        if (existing.requestHash !== requestHash) throw new AppError('idempotency_conflict');
        if (existing.responseStatus !== IDEMPOTENCY_PENDING) return { kind: 'replay', status: existing.responseStatus, body: existing.responseBody };
        if (Date.now() - existing.createdAt.getTime() > this.staleMs) {
          const recovered = await this.recoverStale(claim, existing.responseBody, existing.createdAt);
          if (recovered) return recovered;
          continue;
        }
      }
      if (Date.now() >= deadline) throw new AppError('unavailable', 'A request with this Idempotency-Key is still in progress; retry later', { retryAfter: 1 });
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 200);
    }
  }

  /**
   * A claim left in progress by a request that died: if its message was written, the message is
   * accepted and its answer becomes the record; otherwise this request takes the claim over.
   */
  private async recoverStale(claim: ClaimInput, pendingBody: string, createdAt: Date): Promise<IdempotencyOutcome | null> {
    const promisedId = /"id":"([0-9a-f-]{36})"/.exec(pendingBody)?.[1];
    if (promisedId !== undefined && (await tenantMessageExists(this.db, claim.tenantId, promisedId))) {
      await completeIdempotencyKey(this.db, claim.tenantId, claim.key, 202, pendingBody);
      return { kind: 'replay', status: 202, body: pendingBody };
    }
    return (await takeOverIdempotencyKey(this.db, claim, createdAt)) ? { kind: 'claimed' } : null;
  }

  async complete(tenantId: number, key: string, status: number, body: string): Promise<void> {
    await completeIdempotencyKey(this.db, tenantId, key, status, body);
  }

  /** Best effort: a claim that cannot be released now is taken over once stale. */
  async release(tenantId: number, key: string): Promise<void> {
    await releaseIdempotencyKey(this.db, tenantId, key).catch(() => undefined);
  }
}
