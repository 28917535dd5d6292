import type { ExtensionConfig, TenantConfig } from '@pbx-sms/core';
import { defaultTenantConfig } from '@pbx-sms/core';
import { loadExtensionPg, loadTenantConfigPg, type Queryable } from '@pbx-sms/db';
import { TtlCache } from './ttl-cache';

/**
 * Tenant and extension configuration as the rules see it, cached for TENANT_CONFIG_TTL_MS
 * (a few seconds). Dropped at once when this process's admin routes change a tenant, or when
 * another process announces a change on the config channel; otherwise it expires.
 * Read with plain SQL on the API's pg pool (the same readers as the worker's, same answers as
 * the Prisma ones): a Prisma model query on the request path costs several times the CPU, and
 * the first one in a process loads Prisma's query compiler (~0.5 s of CPU) under load.
 */
export class ConfigCache {
  private readonly tenants: TtlCache<number, TenantConfig>;
  private readonly extensions: TtlCache<string, ExtensionConfig | null>;

  constructor(
    private readonly db: Queryable,
    ttlMs: number,
  ) {
    this.tenants = new TtlCache(ttlMs);
    this.extensions = new TtlCache(ttlMs, 50_000);
  }

  /** A tenant with no settings (or no row) behaves as the defaults: nothing enabled. */
  tenant(tenantId: number): Promise<TenantConfig> {
    return this.tenants.get(tenantId, async () => (await loadTenantConfigPg(this.db, tenantId)) ?? defaultTenantConfig(tenantId));
  }

  extension(tenantId: number, extension: string): Promise<ExtensionConfig | null> {
    return this.extensions.get(`${tenantId}\u0000${extension}`, () => loadExtensionPg(this.db, tenantId, extension));
  }

  invalidateTenant(tenantId: number): void {
    this.tenants.deleteWhere((k) => k === tenantId);
    const prefix = `${tenantId}\u0000`;
    this.extensions.deleteWhere((k) => k.startsWith(prefix));
  }

  clear(): void {
    this.tenants.clear();
    this.extensions.clear();
  }
}
