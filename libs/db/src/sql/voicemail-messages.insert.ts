import { Params, unnestRows, type Column } from './columns';
import type { ClaimedMessage } from './messages.claim';
import type { MessageStatusName } from './messages.read';
import type { SqlRunner } from './sql-runner';

/**
 * New voicemail Messages (the worker's): the unique (tenant_id, event_id) is the dedup, and
 * those to be sent at once are inserted already claimed (`sending`, attempt 1 begun at
 * `created_at`).
 */

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

/** A row the insert wrote. */
export interface InsertedRow {
  id: string;
  tenant_id: number;
  event_id: string;
  status: MessageStatusName;
  created_at: Date;
}

const COLUMNS: readonly Column<NewVoicemailMessage>[] = [
  { name: 'tenant_id', type: 'int', value: (m) => m.tenantId },
  { name: 'from_number', type: 'text', value: (m) => m.from },
  { name: 'to_number', type: 'text', value: (m) => m.to },
  { name: 'body', type: 'text', value: (m) => m.body },
  { name: 'status', type: 'text', value: (m) => m.status },
  { name: 'error_code', type: 'text', value: (m) => m.errorCode },
  { name: 'error_detail', type: 'text', value: (m) => m.errorDetail },
  { name: 'segments', type: 'int', value: (m) => m.segments },
  { name: 'encoding', type: 'text', value: (m) => m.encoding },
  { name: 'extension', type: 'text', value: (m) => m.extension },
  { name: 'event_id', type: 'text', value: (m) => m.eventId },
  { name: 'claim', type: 'bool', value: (m) => m.claim === true && m.status === 'queued' },
];

/** CTE `ins`: inserts the Messages, answering the rows written (not those that already existed). */
export function insertVoicemailMessagesCte(params: Params, sorted: readonly NewVoicemailMessage[]): string {
  return `ins AS (
         INSERT INTO messages (id, tenant_id, kind, source, from_number, to_number, body, status, error_code, error_detail,
                               segments, encoding, extension, event_id, attempts, created_at, updated_at)
         SELECT gen_random_uuid(), v.tenant_id, 'voicemail', 'event', v.from_number, v.to_number, v.body,
                (CASE WHEN v.claim THEN 'sending' ELSE v.status END)::message_status,
                v.error_code, v.error_detail, v.segments, v.encoding, v.extension, v.event_id, CASE WHEN v.claim THEN 1 ELSE 0 END, now(), now()
         FROM ${unnestRows(params, 'v', COLUMNS, sorted)}
         ON CONFLICT (tenant_id, event_id) DO NOTHING
         RETURNING id, tenant_id, event_id, status, created_at)`;
}

type EventKey = Pick<NewVoicemailMessage, 'tenantId' | 'eventId'>;

const KEY_COLUMNS: readonly Column<EventKey>[] = [
  { name: 'tenant_id', type: 'int', value: (m) => m.tenantId },
  { name: 'event_id', type: 'text', value: (m) => m.eventId },
];

/** The Messages that already exist for these events (the duplicates an insert skipped). */
export async function findVoicemailMessages(
  db: SqlRunner,
  events: readonly EventKey[],
): Promise<{ id: string; tenant_id: number; event_id: string; status: MessageStatusName }[]> {
  const params = new Params();
  const { rows } = await db.query<{ id: string; tenant_id: number; event_id: string; status: MessageStatusName }>({
    text: `SELECT m.id, m.tenant_id, m.event_id, m.status FROM messages m
         JOIN ${unnestRows(params, 'k', KEY_COLUMNS, events)} ON m.tenant_id = k.tenant_id AND m.event_id = k.event_id`,
    values: params.values,
  });
  return rows;
}
