import type { ExtensionConfig, TenantConfig } from '@pbx-sms/core';
import { defaultTenantConfig } from '@pbx-sms/core';
import { loadExtension, loadTenantConfig, type PrismaClient } from '@pbx-sms/db';
import { TtlCache } from './ttl-cache';

/**
 * Tenant and extension configuration as the rules see it, cached for TENANT_CONFIG_TTL_MS
 * (a few seconds). Dropped at once when this process's admin routes change a tenant, or when
 * another process announces a change on the config channel; otherwise it expires.
 */
export class ConfigCache {
  private readonly tenants: TtlCache<number, TenantConfig>;
  private readonly extensions: TtlCache<string, ExtensionConfig | null>;

  constructor(
    private readonly prisma: PrismaClient,
    ttlMs: number,
  ) {
    this.tenants = new TtlCache(ttlMs);
    this.extensions = new TtlCache(ttlMs, 50_000);
  }

  /** A tenant with no settings (or no row) behaves as the defaults: nothing enabled. */
  tenant(tenantId: number): Promise<TenantConfig> {
    return this.tenants.get(tenantId, async () => (await loadTenantConfig(this.prisma, tenantId)) ?? defaultTenantConfig(tenantId));
  }

  extension(tenantId: number, extension: string): Promise<ExtensionConfig | null> {
    return this.extensions.get(`${tenantId}\u0000${extension}`, () => loadExtension(this.prisma, tenantId, extension));
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
