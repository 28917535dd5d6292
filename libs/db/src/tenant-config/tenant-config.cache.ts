import type { ExtensionConfig, TenantConfig } from '@pbx-sms/core';
import { TtlCache } from '../cache/ttl-cache';
import type { ConfigChange } from './config-changes.subscription';
import type { ConfigSource } from './tenant-config.reader';

/**
 * Tenant and extension configuration as the rules read it, cached for TENANT_CONFIG_TTL_MS (a
 * few seconds) in the API and the worker alike, and dropped per tenant when a change is
 * announced (`subscribeConfigChanges`) or made by this process. An unknown tenant is `null`,
 * cached like any answer: the API refuses it by its rules, the worker records the event as
 * rejected. Concurrent reads of one tenant share a single load; a failed load is not kept; a
 * load in flight when the tenant is dropped is not stored.
 */
export class TenantConfigCache {
  private readonly tenants: TtlCache<number, TenantConfig | null>;
  private readonly extensions: TtlCache<string, ExtensionConfig | null>;

  constructor(
    private readonly source: ConfigSource,
    ttlMs: number,
    now: () => number = Date.now,
  ) {
    this.tenants = new TtlCache(ttlMs, 10_000, now);
    this.extensions = new TtlCache(ttlMs, 50_000, now);
  }

  /** The tenant's configuration; null when the tenant does not exist. */
  tenant(tenantId: number): Promise<TenantConfig | null> {
    return this.tenants.get(tenantId, () => this.source.tenant(tenantId));
  }

  /** The extension's configuration; null when the tenant has no such extension. */
  extension(tenantId: number, extension: string): Promise<ExtensionConfig | null> {
    return this.extensions.get(`${tenantId}\u0000${extension}`, () => this.source.extension(tenantId, extension));
  }

  /** Drops everything cached for the tenant (its settings, numbers and extensions). */
  invalidate(tenantId: number): void {
    this.tenants.deleteWhere((k) => k === tenantId);
    const prefix = `${tenantId}\u0000`;
    this.extensions.deleteWhere((k) => k.startsWith(prefix));
  }

  clear(): void {
    this.tenants.clear();
    this.extensions.clear();
  }

  /** Applies an announced change: one tenant's, or all. */
  forget(change: ConfigChange): void {
    if (change === 'all') this.clear();
    else this.invalidate(change);
  }

  /** Tenants cached (fresh or not yet swept). */
  get size(): number {
    return this.tenants.size;
  }
}
