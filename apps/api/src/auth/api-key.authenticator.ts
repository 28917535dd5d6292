import { apiKeyMatches, apiKeyPrefix, type Permission } from '@pbx-sms/core';
import { findApiKeyByPrefix, touchApiKeyLastUsed, TtlCache, type ApiKeyRecord, type SqlRunner } from '@pbx-sms/db';
import type { Logger } from '@pbx-sms/observability';

/** A key that passed authentication. */
export interface AuthenticatedKey {
  id: string;
  tenantId: number;
  permissions: readonly string[];
}

export function hasPermission(key: AuthenticatedKey, permission: Permission): boolean {
  return key.permissions.includes(permission);
}

/** Most verified keys remembered (past it the memory starts again). */
const MAX_VERIFIED_KEYS = 10_000;

/** How often, at most, one process writes a key's lastUsedAt. */
export const LAST_USED_WRITE_INTERVAL_MS = 60_000;

/**
 * API key authentication: look the key up by its public prefix, compare the SHA-256 of the
 * presented key with the stored hash in constant time (once per key and cached record), refuse
 * revoked keys. Lookups are cached
 * for `ttlMs` (a few seconds; revocation through this process's admin API drops the cache at
 * once). `lastUsedAt` is written at most once a minute per key, off the request path.
 */
export class ApiKeyAuthenticator {
  private readonly cache: TtlCache<string, ApiKeyRecord | null>;
  private readonly lastWritten = new Map<string, number>();
  /**
   * Presented keys whose hash matched, with the cached record they matched: the SHA-256 is
   * computed once per key and cache lifetime, not per request. An entry counts only while its
   * record is still the one cached for the prefix, so a reload (TTL), a revocation or an
   * invalidation makes the next request check the hash again. Only matching keys are kept.
   */
  private readonly verified = new Map<string, ApiKeyRecord>();

  constructor(
    private readonly db: SqlRunner,
    private readonly logger: Logger,
    ttlMs: number,
  ) {
    this.cache = new TtlCache(ttlMs);
  }

  /** The key's identity, or null when it is missing, malformed, unknown, wrong or revoked. */
  async authenticate(presented: string | undefined): Promise<AuthenticatedKey | null> {
    if (presented === undefined || presented.length > 200) return null;
    const prefix = apiKeyPrefix(presented);
    if (prefix === null) return null;
    const cached = this.cache.peek(prefix);
    const record = cached !== undefined ? cached : await this.cache.get(prefix, () => findApiKeyByPrefix(this.db, prefix));
    if (record === null || record.revokedAt !== null) return null;
    if (this.verified.get(presented) !== record) {
      if (!apiKeyMatches(presented, record.hash)) return null;
      if (this.verified.size >= MAX_VERIFIED_KEYS) this.verified.clear();
      this.verified.set(presented, record);
    }
    this.noteUse(record.id);
    return record;
  }

  private noteUse(id: string): void {
    const now = Date.now();
    const last = this.lastWritten.get(id);
    if (last !== undefined && now - last < LAST_USED_WRITE_INTERVAL_MS) return;
    if (this.lastWritten.size > 100_000) this.lastWritten.clear();
    this.lastWritten.set(id, now);
    touchApiKeyLastUsed(this.db, id).catch((err: unknown) => {
      // Best effort: try again on a later request.
      this.lastWritten.delete(id);
      this.logger.debug({ err }, 'could not record API key use');
    });
  }

  /** Drops every cached key (a change of all tenants was announced, or changes were missed). */
  clear(): void {
    this.cache.deleteWhere(() => true);
  }

  /** Drops cached keys of a tenant (after a revoke) and every cached "no such key". */
  invalidateTenant(tenantId: number): void {
    this.cache.deleteWhere((_prefix, record) => record === null || record.tenantId === tenantId);
  }
}
