import type { SqlRunner } from './sql-runner';

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
 * Claims non-terminal Messages for one send attempt each, in one statement: status `sending`,
 * attempts + 1 (and its number within the current round: `round_bases`, set by an operator
 * retry). A Message found `sending` had its previous attempt cut short (its worker died): that
 * attempt is recorded as `interrupted`. Missing or terminal Messages are absent from the
 * answer. Ids must be distinct.
 */
export async function claimMessagesForSend(db: SqlRunner, messageIds: readonly string[]): Promise<Map<string, ClaimedMessage>> {
  const { rows } = await db.query<{
    id: string;
    tenant_id: number;
    kind: 'api' | 'voicemail';
    source: 'action' | 'rest' | 'event';
    from_number: string | null;
    to_number: string | null;
    body: string;
    extension: string | null;
    attempts: number;
    attempt_in_round: number;
    claimed_at: Date;
    created_at: Date;
  }>({
    text: `WITH p AS (
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
    values: [[...messageIds].sort()],
  });
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
