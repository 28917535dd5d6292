import type { SqlRunner } from './sql-runner';

/**
 * `Idempotency-Key` records (per tenant, 24 h). A request first claims its key: the row is
 * written with `response_status = 0` (in progress) and the answer it intends to give; when the
 * message is accepted the status is set, and a failed request releases the claim. The primary
 * key (tenant_id, key) makes concurrent claims exclusive.
 */

export const IDEMPOTENCY_PENDING = 0;

export interface IdempotencyRecord {
  requestHash: string;
  /** 0 while the first request is still in progress. */
  responseStatus: number;
  responseBody: string;
  createdAt: Date;
  expiresAt: Date;
}

export interface ClaimInput {
  tenantId: number;
  key: string;
  requestHash: string;
  /** The body the request will answer if it succeeds. */
  pendingBody: string;
  ttlMs: number;
}

export type ClaimResult = { claimed: true } | { claimed: false; existing: IdempotencyRecord | null };

/** Claims the key when it is free or expired; otherwise answers the live record (null if it vanished meanwhile). */
export async function claimIdempotencyKey(db: SqlRunner, c: ClaimInput): Promise<ClaimResult> {
  const { rows } = await db.query({
    name: 'idempotency_claim',
    text: `INSERT INTO idempotency_keys (tenant_id, key, request_hash, response_status, response_body, created_at, expires_at)
           VALUES ($1, $2, $3, 0, $4, now(), now() + $5::int * interval '1 millisecond')
           ON CONFLICT (tenant_id, key) DO UPDATE
             SET request_hash = EXCLUDED.request_hash, response_status = 0, response_body = EXCLUDED.response_body,
                 created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
             WHERE idempotency_keys.expires_at <= now()
           RETURNING 1`,
    values: [c.tenantId, c.key, c.requestHash, c.pendingBody, c.ttlMs],
  });
  if (rows.length > 0) return { claimed: true };
  return { claimed: false, existing: await findIdempotencyKey(db, c.tenantId, c.key) };
}

export async function findIdempotencyKey(db: SqlRunner, tenantId: number, key: string): Promise<IdempotencyRecord | null> {
  const { rows } = await db.query<{ request_hash: string; response_status: number; response_body: string; created_at: Date; expires_at: Date }>({
    name: 'idempotency_find',
    text: 'SELECT request_hash, response_status, response_body, created_at, expires_at FROM idempotency_keys WHERE tenant_id = $1 AND key = $2 AND expires_at > now()',
    values: [tenantId, key],
  });
  const r = rows[0];
  return r
    ? { requestHash: r.request_hash, responseStatus: r.response_status, responseBody: r.response_body, createdAt: r.created_at, expiresAt: r.expires_at }
    : null;
}

/** Records the answer of a claimed key. */
export async function completeIdempotencyKey(db: SqlRunner, tenantId: number, key: string, status: number, body: string): Promise<void> {
  await db.query({
    name: 'idempotency_complete',
    text: 'UPDATE idempotency_keys SET response_status = $3, response_body = $4 WHERE tenant_id = $1 AND key = $2',
    values: [tenantId, key, status, body],
  });
}

/** Frees an in-progress claim whose request failed, so the client may retry with the same key. */
export async function releaseIdempotencyKey(db: SqlRunner, tenantId: number, key: string): Promise<void> {
  await db.query({
    name: 'idempotency_release',
    text: 'DELETE FROM idempotency_keys WHERE tenant_id = $1 AND key = $2 AND response_status = 0',
    values: [tenantId, key],
  });
}

/**
 * Takes over an in-progress claim left behind (its request died between claim and answer),
 * compare-and-swap on the claim's creation time so only one request wins.
 */
export async function takeOverIdempotencyKey(db: SqlRunner, c: ClaimInput, staleCreatedAt: Date): Promise<boolean> {
  const { rowCount } = await db.query({
    name: 'idempotency_take_over',
    text: `UPDATE idempotency_keys SET request_hash = $3, response_body = $4, created_at = now(), expires_at = now() + $5::int * interval '1 millisecond'
           WHERE tenant_id = $1 AND key = $2 AND response_status = 0 AND created_at = $6`,
    values: [c.tenantId, c.key, c.requestHash, c.pendingBody, c.ttlMs, staleCreatedAt],
  });
  return (rowCount ?? 0) > 0;
}

/** Housekeeping: drops expired records. */
export async function deleteExpiredIdempotencyKeys(db: SqlRunner): Promise<number> {
  const { rowCount } = await db.query({ text: 'DELETE FROM idempotency_keys WHERE expires_at <= now()' });
  return rowCount ?? 0;
}
