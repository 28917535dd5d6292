import type { QueryResultRow } from 'pg';
import { finishRow, finishSql, finishValues, insertSql, insertValues, type InsertedRow } from './message-write.sql';

export { attemptRef } from './message-write.sql';

/**
 * Message and attempt writes on the worker's hot path, in plain SQL over a `pg` pool: each
 * write is one statement (one round trip), with CTEs where a write touches two tables, and
 * set-based (`unnest`) so that many jobs' writes can share that one round trip. The
 * single-item methods are one-element batches of the same statements.
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
  /** `skipped` or `failed`: a rule stopped it (see `blockedStatus`), with its code. */
  status: 'queued' | 'skipped' | 'failed';
  errorCode: string | null;
  errorDetail: string | null;
  segments: number;
  encoding: string;
  /**
   * Insert it already claimed for its first send attempt (status `sending`, attempts 1), for a
   * worker that sends it at once. Only with status `queued`.
   */
  claim?: boolean;
}

export interface StoredMessageRef {
  id: string;
  status: MessageStatusName;
  /** False when a Message for this (tenant, eventId) already existed. */
  inserted: boolean;
  /** Set when this call inserted the Message with `claim`: its first attempt, as claimForSend answers it. */
  claimed?: ClaimedMessage;
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
  /** This attempt's number (1 for the first); numbering goes on across operator retries. */
  attempt: number;
  /** This attempt's number within the current round (an operator retry starts a new one): what SEND_MAX_ATTEMPTS limits. */
  attemptInRound: number;
  /** When this attempt began (the claim): its attempt row, written when it ends, says so. */
  startedAt: Date;
  createdAt: Date;
}

/**
 * Which attempt ended: the Message, the attempt's number and when it began. Its attempt row is
 * written now, keyed by (message, attempt), so writing the same outcome twice (a retried write)
 * leaves one row.
 */
export interface AttemptRef {
  id: string;
  attempt: number;
  startedAt: Date;
}

/** How an attempt ended: the Message's new state and the attempt's record, in one write. */
export type AttemptFinish = AttemptRef &
  (
    | { kind: 'sent'; providerMessageId: string; from: string; to: string; durationMs: number }
    /** Transient failure with retries left: back to `queued` while the job waits out its backoff. */
    | { kind: 'retry'; errorCode: string; providerError: string; durationMs: number }
    /** Permanent failure or retry budget spent: terminal `failed`. */
    | { kind: 'failed'; errorCode: string; detail: string; providerError: string | null; durationMs: number }
    /**
     * A rule stopped the send before the provider was called: terminal `failed` or `skipped`
     * (`blockedStatus`). No provider attempt happened: no attempt row, and the count is restored.
     */
    | { kind: 'blocked'; status: 'failed' | 'skipped'; errorCode: string; detail: string }
  );

export interface StaleMessage {
  id: string;
  tenantId: number;
  status: MessageStatusName;
  /** Set for a voicemail event's Message: its job id derives from (tenantId, eventId). */
  eventId: string | null;
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
    const [ref] = await this.insertVoicemailMessages([m]);
    return ref!;
  }

  /** Batch form: answers one ref per input, in input order. */
  async insertVoicemailMessages(list: NewVoicemailMessage[]): Promise<StoredMessageRef[]> {
    return (await this.writeBatch(list, [])).inserted;
  }

  /**
   * New voicemail Messages and attempt outcomes of many jobs in one statement (one round trip,
   * one commit): the worker's hot-path write. The two parts touch different rows (an outcome
   * belongs to a Message that already exists), so sharing a statement changes nothing but the
   * cost: per statement Postgres pays planning, executor set-up and a commit (~0.6 ms here),
   * per row far less (docs/performance.md "Floor"). Answers the inserts' refs in input order.
   */
  async writeBatch(inserts: NewVoicemailMessage[], finishes: AttemptFinish[]): Promise<{ inserted: StoredMessageRef[] }> {
    if (inserts.length === 0 && finishes.length === 0) return { inserted: [] };
    const key = (tenantId: number, eventId: string) => `${tenantId}\u0000${eventId}`;
    // A stable order keeps concurrent batches from waiting on each other in a cycle.
    const sorted = [...inserts].sort((a, b) => a.tenantId - b.tenantId || (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
    const finishRows = [...finishes].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map(finishRow);
    const parts: string[] = [];
    const values: unknown[] = [];
    if (finishRows.length > 0) {
      parts.push(finishSql(values.length));
      values.push(...finishValues(finishRows));
    }
    if (sorted.length > 0) {
      parts.push(insertSql(values.length));
      values.push(...insertValues(sorted));
    }
    const select = sorted.length > 0 ? 'SELECT * FROM ins' : 'SELECT 1 FROM fin LIMIT 0';
    const { rows } = await this.db.query<InsertedRow>(`WITH ${parts.join(',\n')}\n${select}`, values);
    if (sorted.length === 0) return { inserted: [] };

    const byKey = new Map(sorted.map((m) => [key(m.tenantId, m.eventId), m]));
    const found = new Map<string, StoredMessageRef>();
    for (const r of rows) {
      const ref: StoredMessageRef = { id: r.id, status: r.status, inserted: true };
      const m = byKey.get(key(r.tenant_id, r.event_id));
      if (r.status === 'sending' && m) {
        ref.claimed = { id: r.id, tenantId: r.tenant_id, kind: 'voicemail', source: 'event', from: m.from, to: m.to, body: m.body, extension: m.extension, attempt: 1, attemptInRound: 1, startedAt: r.created_at, createdAt: r.created_at };
      }
      found.set(key(r.tenant_id, r.event_id), ref);
    }
    const missing = inserts.filter((m) => !found.has(key(m.tenantId, m.eventId)));
    if (missing.length > 0) {
      const existing = await this.db.query<{ id: string; tenant_id: number; event_id: string; status: MessageStatusName }>(
        `SELECT m.id, m.tenant_id, m.event_id, m.status FROM messages m
         JOIN unnest($1::int[], $2::text[]) AS k(tenant_id, event_id) ON m.tenant_id = k.tenant_id AND m.event_id = k.event_id`,
        [missing.map((m) => m.tenantId), missing.map((m) => m.eventId)],
      );
      for (const r of existing.rows) found.set(key(r.tenant_id, r.event_id), { id: r.id, status: r.status, inserted: false });
    }
    const seen = new Set<string>();
    return {
      inserted: inserts.map((m) => {
        const k = key(m.tenantId, m.eventId);
        const ref = found.get(k);
        if (!ref) throw new Error('voicemail message neither inserted nor found');
        // The same event twice in one batch: only the first counts as inserted.
        const inserted = ref.inserted && !seen.has(k);
        seen.add(k);
        return inserted ? ref : { id: ref.id, status: ref.status, inserted: false };
      }),
    };
  }

  async insertRejectedEvent(reason: string, excerpt: string, tenantId: number | null = null): Promise<void> {
    await this.db.query('INSERT INTO rejected_events (reason, excerpt, tenant_id) VALUES ($1, $2, $3)', [reason, excerpt, tenantId]);
  }

  /**
   * Claims a non-terminal Message for one send attempt, in one statement: status `sending`,
   * attempts + 1 (and its number within the current round: `round_bases`, message-ops.service.ts). A Message found `sending` had its previous attempt cut short (its worker
   * died): that attempt is recorded as `interrupted`. Null when the Message is missing or
   * already terminal.
   */
  async claimForSend(messageId: string): Promise<ClaimedMessage | null> {
    return (await this.claimManyForSend([messageId])).get(messageId) ?? null;
  }

  /** Batch form: the claimed Messages by id (missing or terminal ones are absent). Ids must be distinct. */
  async claimManyForSend(messageIds: string[]): Promise<Map<string, ClaimedMessage>> {
    const { rows } = await this.db.query<{
      id: string; tenant_id: number; kind: 'api' | 'voicemail'; source: 'action' | 'rest' | 'event';
      from_number: string | null; to_number: string | null; body: string; extension: string | null;
      attempts: number; attempt_in_round: number; claimed_at: Date; created_at: Date;
    }>(
      `WITH p AS (
         SELECT id, status AS prev_status, updated_at AS prev_updated_at FROM messages
         WHERE id = ANY($1::uuid[]) AND status IN ('queued', 'sending')
         ORDER BY id FOR UPDATE),
       m AS (
         UPDATE messages SET status = 'sending', attempts = attempts + 1, updated_at = now()
         FROM p WHERE messages.id = p.id
         RETURNING messages.id, tenant_id, kind, source, from_number, to_number, body, extension, attempts,
                   attempts - COALESCE(round_bases[cardinality(round_bases)], 0) AS attempt_in_round,
                   messages.updated_at AS claimed_at, created_at, p.prev_status, p.prev_updated_at),
       open AS (
         -- Rows of attempts begun before attempt rows were written at the end (December 2026).
         UPDATE message_attempts SET outcome = 'interrupted', finished_at = now()
         WHERE message_id IN (SELECT id FROM m) AND outcome IS NULL),
       lost AS (
         INSERT INTO message_attempts (message_id, attempt, started_at, finished_at, outcome)
         SELECT id, attempts - 1, prev_updated_at, now(), 'interrupted' FROM m WHERE prev_status = 'sending'
         ON CONFLICT (message_id, attempt) DO NOTHING)
       SELECT id, tenant_id, kind, source, from_number, to_number, body, extension, attempts, attempt_in_round, claimed_at, created_at FROM m`,
      [[...messageIds].sort()],
    );
    const out = new Map<string, ClaimedMessage>();
    for (const r of rows) {
      out.set(r.id, {
        id: r.id,
        tenantId: r.tenant_id,
        kind: r.kind,
        source: r.source,
        from: r.from_number,
        to: r.to_number,
        body: r.body,
        extension: r.extension,
        attempt: r.attempts,
        attemptInRound: r.attempt_in_round,
        startedAt: r.claimed_at,
        createdAt: r.created_at,
      });
    }
    return out;
  }

  async findStatus(messageId: string): Promise<MessageStatusName | null> {
    const { rows } = await this.db.query<{ status: MessageStatusName }>('SELECT status FROM messages WHERE id = $1', [messageId]);
    return rows[0]?.status ?? null;
  }

  /** Ends attempts of any kind, many Messages in one statement. */
  async finishAttempts(list: AttemptFinish[]): Promise<void> {
    await this.writeBatch([], list);
  }

  /**
   * Messages that should have a live job (a send job, or for an event's Message its voicemail
   * job sending inline): `queued` or `sending`, untouched for `olderThanMs`. Oldest first (served by the (status, updated_at) index).
   */
  async findStale(olderThanMs: number, limit: number): Promise<StaleMessage[]> {
    const { rows } = await this.db.query<{ id: string; tenant_id: number; status: MessageStatusName; event_id: string | null }>(
      `SELECT id, tenant_id, status, event_id FROM messages
       WHERE status IN ('queued', 'sending') AND updated_at < now() - ($1::int * interval '1 millisecond')
       ORDER BY updated_at LIMIT $2`,
      [olderThanMs, limit],
    );
    return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id, status: r.status, eventId: r.event_id }));
  }
}
