import { toStatusView, type MessageStatusRow, type MessageStatusView } from './accept-message';
import type { SqlRunner } from './sql-runner';

export interface HistoryQuery {
  status?: MessageStatusView['status'] | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  /** Opaque cursor from a previous page. */
  cursor?: string | undefined;
  limit: number;
}

export interface HistoryPage {
  items: MessageStatusView[];
  /** Null on the last page. */
  nextCursor: string | null;
}

/**
 * Cursor = base64url of `<timestamp ISO>|<id>`: keyset pagination, stable while new rows arrive.
 * Messages page by (created_at, uuid); rejected events by (received_at, bigint id), hence `idPattern`.
 */
export function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(`${createdAt.toISOString()}|${id}`).toString('base64url');
}

const UUID = /^[0-9a-f-]{36}$/i;

export function decodeCursor(cursor: string, idPattern: RegExp = UUID): { createdAt: Date; id: string } | null {
  const [iso, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(iso ?? '');
  if (!id || !idPattern.test(id) || Number.isNaN(createdAt.getTime())) return null;
  return { createdAt, id };
}

/**
 * A tenant's messages, newest first, filtered by status and creation time, one page at a time.
 * Served by the (tenant_id, created_at DESC, id) index. Only the tenant's own rows, ever.
 */
export async function listTenantMessages(db: SqlRunner, tenantId: number, q: HistoryQuery): Promise<HistoryPage> {
  const where = ['tenant_id = $1'];
  const values: unknown[] = [tenantId];
  const add = (sql: string, v: unknown) => {
    values.push(v);
    where.push(sql.replace('?', `$${values.length}`));
  };
  if (q.status) add('status = ?::message_status', q.status);
  if (q.since) add('created_at >= ?', q.since);
  if (q.until) add('created_at < ?', q.until);
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    if (c) {
      values.push(c.createdAt, c.id);
      where.push(`(created_at, id) < ($${values.length - 1}, $${values.length}::uuid)`);
    }
  }
  values.push(q.limit + 1);
  const { rows } = await db.query<MessageStatusRow>({
    text: `SELECT id, status, to_number, from_number, error_code, attempts, provider_message_id, created_at, updated_at
           FROM messages WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT $${values.length}`,
    values,
  });
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toStatusView),
    nextCursor: rows.length > q.limit && last ? encodeCursor(last.created_at, last.id) : null,
  };
}
