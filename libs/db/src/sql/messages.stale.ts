import type { MessageStatusName } from './messages.read';
import type { SqlRunner } from './sql-runner';

export interface StaleMessage {
  id: string;
  tenantId: number;
  status: MessageStatusName;
  /** Set for a voicemail event's Message: its job id derives from (tenantId, eventId). */
  eventId: string | null;
}

/**
 * Messages that should have a live job (a send job, or for an event's Message its voicemail
 * job sending inline): `queued` or `sending`, untouched for `olderThanMs`. Oldest first
 * (served by the (status, updated_at) index).
 */
export async function findStaleMessages(db: SqlRunner, olderThanMs: number, limit: number): Promise<StaleMessage[]> {
  const { rows } = await db.query<{ id: string; tenant_id: number; status: MessageStatusName; event_id: string | null }>({
    text: `SELECT id, tenant_id, status, event_id FROM messages
       WHERE status IN ('queued', 'sending') AND updated_at < now() - ($1::int * interval '1 millisecond')
       ORDER BY updated_at LIMIT $2`,
    values: [olderThanMs, limit],
  });
  return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id, status: r.status, eventId: r.event_id }));
}
