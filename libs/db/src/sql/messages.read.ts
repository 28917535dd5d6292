import type { SqlRunner } from './sql-runner';

/** A tenant's message as the API shows it (`GET /api/sms/messages/:id` and the history). */

export type MessageStatusName = 'queued' | 'sending' | 'sent' | 'failed' | 'skipped';

export interface MessageStatusView {
  id: string;
  status: MessageStatusName;
  to: string | null;
  from: string | null;
  errorCode: string | null;
  attempts: number;
  providerMessageId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A well-formed uuid: anything else cannot name a message (and must not reach a `::uuid` cast). */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The columns a status view is read from. */
export const STATUS_VIEW_COLUMNS = 'id, status, to_number, from_number, error_code, attempts, provider_message_id, created_at, updated_at';

export interface MessageStatusRow {
  id: string;
  status: MessageStatusName;
  to_number: string | null;
  from_number: string | null;
  error_code: string | null;
  attempts: number;
  provider_message_id: string | null;
  created_at: Date;
  updated_at: Date;
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

/** A tenant's own message; null for another tenant's id, an unknown id or one that is not a UUID. */
export async function findTenantMessage(db: SqlRunner, tenantId: number, id: string): Promise<MessageStatusView | null> {
  if (!UUID.test(id)) return null;
  const { rows } = await db.query<MessageStatusRow>({
    name: 'tenant_message',
    text: `SELECT ${STATUS_VIEW_COLUMNS} FROM messages WHERE id = $1 AND tenant_id = $2`,
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
