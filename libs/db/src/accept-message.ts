import type { SqlRunner } from './sql-runner';

/**
 * The API side of the message log: the one INSERT that accepts a message, the DELETE that
 * undoes it when the enqueue fails, and the status read for `GET /api/sms/messages/:id`.
 * (The worker's writes live in message.repository.ts.) Prisma's `@updatedAt` is set by the
 * Prisma client, so these statements set `updated_at` themselves.
 */

export interface AcceptedMessage {
  /** Chosen by the caller (a v4 UUID), so it can be promised before the row exists (idempotency). */
  id: string;
  tenantId: number;
  kind: 'api' | 'voicemail';
  /** `action` for the PBXware action API, `rest` for the REST endpoints. */
  source: 'action' | 'rest';
  from: string;
  to: string;
  body: string;
  segments: number;
  encoding: string;
  /** The extension, for voicemail notifications. */
  extension: string | null;
}

/** Writes the Message row in status `queued`. */
export async function insertAcceptedMessage(db: SqlRunner, m: AcceptedMessage): Promise<void> {
  await db.query({
    name: 'accept_message',
    text: `INSERT INTO messages (id, tenant_id, kind, source, from_number, to_number, body, status, segments, encoding, extension, created_at, updated_at)
           VALUES ($1, $2, $3::message_kind, $4::message_source, $5, $6, $7, 'queued', $8, $9, $10, now(), now())`,
    values: [m.id, m.tenantId, m.kind, m.source, m.from, m.to, m.body, m.segments, m.encoding, m.extension],
  });
}

/**
 * Writes several accepted messages in one statement (one round trip, one commit): the API
 * batches the requests that arrive in the same event-loop turn.
 */
export async function insertAcceptedMessages(db: SqlRunner, ms: readonly AcceptedMessage[]): Promise<void> {
  if (ms.length === 1) return insertAcceptedMessage(db, ms[0]!);
  await db.query({
    name: 'accept_messages',
    text: `INSERT INTO messages (id, tenant_id, kind, source, from_number, to_number, body, status, segments, encoding, extension, created_at, updated_at)
           SELECT u.id, u.tenant_id, u.kind::message_kind, u.source::message_source, u.from_number, u.to_number, u.body, 'queued', u.segments, u.encoding, u.extension, now(), now()
           FROM unnest($1::uuid[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::text[], $10::text[])
             AS u(id, tenant_id, kind, source, from_number, to_number, body, segments, encoding, extension)`,
    values: [
      ms.map((m) => m.id),
      ms.map((m) => m.tenantId),
      ms.map((m) => m.kind),
      ms.map((m) => m.source),
      ms.map((m) => m.from),
      ms.map((m) => m.to),
      ms.map((m) => m.body),
      ms.map((m) => m.segments),
      ms.map((m) => m.encoding),
      ms.map((m) => m.extension),
    ],
  });
}

/** Undoes accepts whose enqueue failed (only rows nothing has happened to); answers the ids deleted. */
export async function deleteUnsentMessages(db: SqlRunner, ids: readonly string[]): Promise<Set<string>> {
  const { rows } = await db.query<{ id: string }>({
    name: 'delete_unsent_messages',
    text: `DELETE FROM messages WHERE id = ANY($1::uuid[]) AND status = 'queued' AND attempts = 0 RETURNING id`,
    values: [ids],
  });
  return new Set(rows.map((r) => r.id));
}

/** Undoes an accept whose enqueue failed: only while nothing has happened to the row yet. */
export async function deleteUnsentMessage(db: SqlRunner, id: string): Promise<boolean> {
  const { rowCount } = await db.query({
    name: 'delete_unsent_message',
    text: `DELETE FROM messages WHERE id = $1 AND status = 'queued' AND attempts = 0`,
    values: [id],
  });
  return (rowCount ?? 0) > 0;
}

export interface MessageStatusView {
  id: string;
  status: 'queued' | 'sending' | 'sent' | 'failed' | 'skipped';
  to: string | null;
  from: string | null;
  errorCode: string | null;
  attempts: number;
  providerMessageId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A tenant's own message; null for another tenant's id, an unknown id or one that is not a UUID. */
export async function findTenantMessage(db: SqlRunner, tenantId: number, id: string): Promise<MessageStatusView | null> {
  if (!UUID.test(id)) return null;
  const { rows } = await db.query<MessageStatusRow>({
    name: 'tenant_message',
    text: `SELECT id, status, to_number, from_number, error_code, attempts, provider_message_id, created_at, updated_at
           FROM messages WHERE id = $1 AND tenant_id = $2`,
    values: [id, tenantId],
  });
  const r = rows[0];
  return r ? toStatusView(r) : null;
}

/** Whether a worker has already turned this voicemail event into a Message (sent, queued or skipped). */
export async function voicemailEventRecorded(db: SqlRunner, tenantId: number, eventId: string): Promise<boolean> {
  const { rows } = await db.query({
    name: 'voicemail_event_recorded',
    text: 'SELECT 1 FROM messages WHERE tenant_id = $1 AND event_id = $2',
    values: [tenantId, eventId],
  });
  return rows.length > 0;
}

/** Whether a Message with this id exists for the tenant (idempotency recovery). */
export async function tenantMessageExists(db: SqlRunner, tenantId: number, id: string): Promise<boolean> {
  if (!UUID.test(id)) return false;
  const { rows } = await db.query({ name: 'tenant_message_exists', text: 'SELECT 1 FROM messages WHERE id = $1 AND tenant_id = $2', values: [id, tenantId] });
  return rows.length > 0;
}

export interface MessageStatusRow {
  id: string; status: MessageStatusView['status']; to_number: string | null; from_number: string | null; error_code: string | null;
  attempts: number; provider_message_id: string | null; created_at: Date; updated_at: Date;
}

export function toStatusView(r: MessageStatusRow): MessageStatusView {
  return {
    id: r.id,
    status: r.status,
    to: r.to_number,
    from: r.from_number,
    errorCode: r.error_code,
    attempts: r.attempts,
    providerMessageId: r.provider_message_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
