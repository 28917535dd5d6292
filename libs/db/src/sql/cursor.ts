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
