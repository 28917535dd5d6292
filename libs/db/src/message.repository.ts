import type { QueryResultRow } from 'pg';

/**
 * Message and attempt writes on the worker's hot path, in plain SQL over a `pg` pool: each
 * write is one statement (one round trip), with CTEs where a write touches two tables.
 * Prisma's `@updatedAt` is set by the Prisma client, so every statement here sets
 * `updated_at` itself.
 */

/** What the repository needs from a pool: `pg.Pool` and `pg.Client` both qualify. */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
}

export type MessageStatusName = 'queued' | 'sending' | 'sent' | 'failed' | 'skipped';

export interface NewVoicemailMessage {
  tenantId: number;
  eventId: string;
  extension: string;
  from: string | null;
  to: string | null;
  body: string;
  status: 'queued' | 'skipped';
  errorCode: string | null;
  errorDetail: string | null;
  segments: number;
  encoding: string;
}

export interface StoredMessageRef {
  id: string;
  status: MessageStatusName;
  /** False when a Message for this (tenant, eventId) already existed. */
  inserted: boolean;
}

/** A Message claimed for a send attempt: status `sending`, attempt counted and recorded. */
export interface ClaimedMessage {
  id: string;
  tenantId: number;
  kind: 'api' | 'voicemail';
  source: 'action' | 'rest' | 'event';
  from: string | null;
  to: string | null;
  body: string;
  extension: string | null;
  /** This attempt's number (1 for the first). */
  attempt: number;
  attemptId: string;
  createdAt: Date;
}

export interface StaleMessage {
  id: string;
  tenantId: number;
  status: MessageStatusName;
}

const TERMINAL: readonly MessageStatusName[] = ['sent', 'failed', 'skipped'];
export function isTerminalStatus(status: string): boolean {
  return (TERMINAL as readonly string[]).includes(status);
}

export class MessageRepository {
  constructor(private readonly db: Queryable) {}

  /**
   * Creates the Message for a voicemail event; the unique (tenant_id, event_id) is the dedup.
   * On a duplicate, answers the existing row (so a retried event job can still enqueue a
   * `queued` message whose enqueue was lost to a crash).
   */
  async insertVoicemailMessage(m: NewVoicemailMessage): Promise<StoredMessageRef> {
    const { rows } = await this.db.query<{ id: string; status: MessageStatusName; inserted: boolean }>(
      `WITH ins AS (
         INSERT INTO messages (id, tenant_id, kind, source, from_number, to_number, body, status, error_code, error_detail,
                               segments, encoding, extension, event_id, created_at, updated_at)
         VALUES (gen_random_uuid(), $1, 'voicemail', 'event', $2, $3, $4, $5::message_status, $6, $7, $8, $9, $10, $11, now(), now())
         ON CONFLICT (tenant_id, event_id) DO NOTHING
         RETURNING id, status, true AS inserted)
       SELECT id, status, inserted FROM ins
       UNION ALL
       SELECT id, status, false FROM messages WHERE tenant_id = $1 AND event_id = $11 AND NOT EXISTS (SELECT 1 FROM ins)`,
      [m.tenantId, m.from, m.to, m.body, m.status, m.errorCode, m.errorDetail, m.segments, m.encoding, m.extension, m.eventId],
    );
    const row = rows[0];
    if (row) return row;
    // A concurrent insert committed after this statement's snapshot: read it now.
    const again = await this.db.query<{ id: string; status: MessageStatusName }>(
      'SELECT id, status FROM messages WHERE tenant_id = $1 AND event_id = $2',
      [m.tenantId, m.eventId],
    );
    const existing = again.rows[0];
    if (!existing) throw new Error('voicemail message neither inserted nor found');
    return { ...existing, inserted: false };
  }

  async insertRejectedEvent(reason: string, excerpt: string): Promise<void> {
    await this.db.query('INSERT INTO rejected_events (reason, excerpt) VALUES ($1, $2)', [reason, excerpt]);
  }

  /**
   * Claims a non-terminal Message for one send attempt, in one statement: status `sending`,
   * attempts + 1, an attempt row started now, and any earlier attempt left open by a crash
   * closed as `interrupted`. Null when the Message is missing or already terminal.
   */
  async claimForSend(messageId: string): Promise<ClaimedMessage | null> {
    const { rows } = await this.db.query<{
      id: string; tenant_id: number; kind: 'api' | 'voicemail'; source: 'action' | 'rest' | 'event';
      from_number: string | null; to_number: string | null; body: string; extension: string | null;
      attempts: number; attempt_id: string; created_at: Date;
    }>(
      `WITH m AS (
         UPDATE messages SET status = 'sending', attempts = attempts + 1, updated_at = now()
         WHERE id = $1 AND status IN ('queued', 'sending')
         RETURNING id, tenant_id, kind, source, from_number, to_number, body, extension, attempts, created_at),
       open AS (
         UPDATE message_attempts SET outcome = 'interrupted', finished_at = now()
         WHERE message_id = $1 AND outcome IS NULL AND EXISTS (SELECT 1 FROM m)),
       a AS (
         INSERT INTO message_attempts (message_id, attempt, started_at)
         SELECT id, attempts, now() FROM m
         RETURNING id)
       SELECT m.*, a.id AS attempt_id FROM m, a`,
      [messageId],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id: r.id,
      tenantId: r.tenant_id,
      kind: r.kind,
      source: r.source,
      from: r.from_number,
      to: r.to_number,
      body: r.body,
      extension: r.extension,
      attempt: r.attempts,
      attemptId: String(r.attempt_id),
      createdAt: r.created_at,
    };
  }

  async findStatus(messageId: string): Promise<MessageStatusName | null> {
    const { rows } = await this.db.query<{ status: MessageStatusName }>('SELECT status FROM messages WHERE id = $1', [messageId]);
    return rows[0]?.status ?? null;
  }

  /** The provider accepted it. `from`/`to` are what was actually used (current configuration). */
  async markSent(c: Pick<ClaimedMessage, 'id' | 'attemptId'>, sent: { providerMessageId: string; from: string; to: string }, durationMs: number): Promise<void> {
    await this.db.query(
      `WITH a AS (UPDATE message_attempts SET outcome = 'sent', finished_at = now(), duration_ms = $3 WHERE id = $2)
       UPDATE messages SET status = 'sent', provider_message_id = $4, from_number = $5, to_number = $6, sent_at = now(),
                           error_code = NULL, error_detail = NULL, updated_at = now()
       WHERE id = $1`,
      [c.id, c.attemptId, durationMs, sent.providerMessageId, sent.from, sent.to],
    );
  }

  /** A transient failure with retries left: back to `queued` while the job waits out its backoff. */
  async markRetry(c: Pick<ClaimedMessage, 'id' | 'attemptId'>, errorCode: string, providerError: string, durationMs: number): Promise<void> {
    await this.db.query(
      `WITH a AS (UPDATE message_attempts SET outcome = 'retry', error_code = $3, provider_error = $4, finished_at = now(), duration_ms = $5 WHERE id = $2)
       UPDATE messages SET status = 'queued', error_detail = $4, updated_at = now() WHERE id = $1 AND status = 'sending'`,
      [c.id, c.attemptId, errorCode, providerError, durationMs],
    );
  }

  /** A permanent failure, or the retry budget spent: terminal `failed`. */
  async markFailed(c: Pick<ClaimedMessage, 'id' | 'attemptId'>, errorCode: string, detail: string, providerError: string | null, durationMs: number): Promise<void> {
    await this.db.query(
      `WITH a AS (UPDATE message_attempts SET outcome = 'failed', error_code = $3, provider_error = $5, finished_at = now(), duration_ms = $6 WHERE id = $2)
       UPDATE messages SET status = 'failed', error_code = $3, error_detail = $4, updated_at = now() WHERE id = $1`,
      [c.id, c.attemptId, errorCode, detail, providerError, durationMs],
    );
  }

  /**
   * A rule stopped the send before the provider was called: terminal `failed` (API messages)
   * or `skipped` (voicemail). No provider attempt happened, so the attempt opened by the claim
   * is removed and the count restored.
   */
  async markBlocked(c: Pick<ClaimedMessage, 'id' | 'attemptId'>, status: 'failed' | 'skipped', errorCode: string, detail: string): Promise<void> {
    await this.db.query(
      `WITH a AS (DELETE FROM message_attempts WHERE id = $2)
       UPDATE messages SET status = $3::message_status, error_code = $4, error_detail = $5, attempts = GREATEST(attempts - 1, 0), updated_at = now()
       WHERE id = $1`,
      [c.id, c.attemptId, status, errorCode, detail],
    );
  }

  /**
   * Messages that should have a live send job: `queued` or `sending`, untouched for
   * `olderThanMs`. Oldest first (served by the (status, updated_at) index).
   */
  async findStale(olderThanMs: number, limit: number): Promise<StaleMessage[]> {
    const { rows } = await this.db.query<{ id: string; tenant_id: number; status: MessageStatusName }>(
      `SELECT id, tenant_id, status FROM messages
       WHERE status IN ('queued', 'sending') AND updated_at < now() - ($1::int * interval '1 millisecond')
       ORDER BY updated_at LIMIT $2`,
      [olderThanMs, limit],
    );
    return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id, status: r.status }));
  }
}
