import { Params } from './columns';
import { decodeCursor, encodeCursor } from './cursor';
import { STATUS_VIEW_COLUMNS, toStatusView, type MessageStatusRow, type MessageStatusView } from './messages.read';
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
 * A tenant's messages, newest first, filtered by status and creation time, one page at a time.
 * Served by the (tenant_id, created_at DESC, id) index. Only the tenant's own rows, ever.
 */
export async function listTenantMessages(db: SqlRunner, tenantId: number, q: HistoryQuery): Promise<HistoryPage> {
  const params = new Params();
  const where = [`tenant_id = ${params.add(tenantId)}`];
  if (q.status) where.push(`status = ${params.add(q.status, 'message_status')}`);
  if (q.since) where.push(`created_at >= ${params.add(q.since)}`);
  if (q.until) where.push(`created_at < ${params.add(q.until)}`);
  if (q.cursor) {
    const c = decodeCursor(q.cursor);
    if (c) where.push(`(created_at, id) < (${params.add(c.createdAt)}, ${params.add(c.id, 'uuid')})`);
  }
  const limit = params.add(q.limit + 1);
  const { rows } = await db.query<MessageStatusRow>({
    text: `SELECT ${STATUS_VIEW_COLUMNS} FROM messages WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT ${limit}`,
    values: params.values,
  });
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toStatusView),
    nextCursor: rows.length > q.limit && last ? encodeCursor(last.created_at, last.id) : null,
  };
}
