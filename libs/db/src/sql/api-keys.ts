import type { SqlRunner } from './sql-runner';

/** An API key as authentication needs it: the stored hash, never the key. */
export interface ApiKeyRecord {
  id: string;
  tenantId: number;
  prefix: string;
  hash: string;
  permissions: string[];
  revokedAt: Date | null;
}

/** The key with this public prefix (prefixes are unique), revoked or not; null when there is none. */
export async function findApiKeyByPrefix(db: SqlRunner, prefix: string): Promise<ApiKeyRecord | null> {
  const { rows } = await db.query<{ id: string; tenant_id: number; prefix: string; hash: string; permissions: string[] | null; revoked_at: Date | null }>({
    name: 'api_key_by_prefix',
    text: 'SELECT id, tenant_id, prefix, hash, permissions, revoked_at FROM api_keys WHERE prefix = $1',
    values: [prefix],
  });
  const r = rows[0];
  if (!r) return null;
  return { id: r.id, tenantId: r.tenant_id, prefix: r.prefix, hash: r.hash, permissions: r.permissions ?? [], revokedAt: r.revoked_at };
}

/** Records that the key was used; callers throttle this (it is not a write per request). */
export async function touchApiKeyLastUsed(db: SqlRunner, id: string): Promise<void> {
  await db.query({ name: 'api_key_touch', text: 'UPDATE api_keys SET last_used_at = now() WHERE id = $1', values: [id] });
}
