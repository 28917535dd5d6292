import { Params } from './sql/columns';
import { finishAttemptsCte, type AttemptFinish } from './sql/attempts.finish';
import { claimMessagesForSend, type ClaimedMessage } from './sql/messages.claim';
import { findStaleMessages, type StaleMessage } from './sql/messages.stale';
import { insertRejectedEvent } from './sql/rejected-events.insert';
import type { SqlRunner } from './sql/sql-runner';
import {
  findVoicemailMessages,
  insertVoicemailMessagesCte,
  type InsertedRow,
  type NewVoicemailMessage,
  type StoredMessageRef,
} from './sql/voicemail-messages.insert';

/**
 * Message and attempt writes on the worker's hot path, in plain SQL over a `pg` pool: each
 * write is one statement (one round trip), with CTEs where a write touches two tables, and
 * set-based (`unnest`) so that many jobs' writes can share that one round trip. The
 * single-item methods are one-element batches of the same statements.
 * Prisma's `@updatedAt` is set by the Prisma client, so every statement here sets
 * `updated_at` itself.
 */
export class MessageRepository {
  constructor(private readonly db: SqlRunner) {}

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
    const params = new Params();
    const ctes: string[] = [];
    if (finishes.length > 0) ctes.push(finishAttemptsCte(params, finishes));
    if (sorted.length > 0) ctes.push(insertVoicemailMessagesCte(params, sorted));
    const select = sorted.length > 0 ? 'SELECT * FROM ins' : 'SELECT 1 FROM fin LIMIT 0';
    const { rows } = await this.db.query<InsertedRow>({ text: `WITH ${ctes.join(',\n')}\n${select}`, values: params.values });
    if (sorted.length === 0) return { inserted: [] };

    const byKey = new Map(sorted.map((m) => [key(m.tenantId, m.eventId), m]));
    const found = new Map<string, StoredMessageRef>();
    for (const r of rows) {
      const ref: StoredMessageRef = { id: r.id, status: r.status, inserted: true };
      const m = byKey.get(key(r.tenant_id, r.event_id));
      if (r.status === 'sending' && m) {
        ref.claimed = {
          id: r.id,
          tenantId: r.tenant_id,
          kind: 'voicemail',
          source: 'event',
          from: m.from,
          to: m.to,
          body: m.body,
          extension: m.extension,
          attempt: 1,
          attemptInRound: 1,
          startedAt: r.created_at,
          createdAt: r.created_at,
        };
      }
      found.set(key(r.tenant_id, r.event_id), ref);
    }
    const missing = inserts.filter((m) => !found.has(key(m.tenantId, m.eventId)));
    if (missing.length > 0) {
      for (const r of await findVoicemailMessages(this.db, missing)) found.set(key(r.tenant_id, r.event_id), { id: r.id, status: r.status, inserted: false });
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
    await insertRejectedEvent(this.db, reason, excerpt, tenantId);
  }

  /** Claims a non-terminal Message for one send attempt (`claimMessagesForSend`); null when it is missing or already terminal. */
  async claimForSend(messageId: string): Promise<ClaimedMessage | null> {
    return (await this.claimManyForSend([messageId])).get(messageId) ?? null;
  }

  /** Batch form: the claimed Messages by id (missing or terminal ones are absent). Ids must be distinct. */
  claimManyForSend(messageIds: string[]): Promise<Map<string, ClaimedMessage>> {
    return claimMessagesForSend(this.db, messageIds);
  }

  /** Ends attempts of any kind, many Messages in one statement. */
  async finishAttempts(list: AttemptFinish[]): Promise<void> {
    await this.writeBatch([], list);
  }

  /** Messages that should have a live job, oldest first (`findStaleMessages`). */
  findStale(olderThanMs: number, limit: number): Promise<StaleMessage[]> {
    return findStaleMessages(this.db, olderThanMs, limit);
  }
}
