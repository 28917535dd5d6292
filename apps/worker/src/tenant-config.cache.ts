import type { ExtensionConfig, TenantConfig } from '@pbx-sms/core';

/** Where configuration comes from when it is not cached (Postgres in the worker). */
export interface ConfigSource {
  tenant(tenantId: number): Promise<TenantConfig | null>;
  extension(tenantId: number, extension: string): Promise<ExtensionConfig | null>;
}

interface Slot<T> {
  expiresAt: number;
  value: Promise<T>;
}

interface TenantEntry {
  config?: Slot<TenantConfig | null>;
  extensions: Map<string, Slot<ExtensionConfig | null>>;
}

/**
 * Tenant and extension configuration, cached for `ttlMs` and dropped per tenant when the admin
 * API announces a change. The cache holds promises, so concurrent jobs of one tenant share a
 * single load; a failed load is not kept. Invalidation removes the tenant's entry, so a load
 * that was in flight when the change arrived is never stored afterwards.
 */
export class TenantConfigCache {
  private readonly tenants = new Map<number, TenantEntry>();

  constructor(
    private readonly source: ConfigSource,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxTenants = 10_000,
  ) {}

  tenant(tenantId: number): Promise<TenantConfig | null> {
    const entry = this.entry(tenantId);
    const slot = entry.config;
    if (slot && slot.expiresAt > this.now()) return slot.value;
    const fresh = this.slot(() => this.source.tenant(tenantId));
    if (this.ttlMs > 0) {
      entry.config = fresh;
      fresh.value.catch(() => {
        if (entry.config === fresh) entry.config = undefined;
      });
    }
    return fresh.value;
  }

  extension(tenantId: number, extension: string): Promise<ExtensionConfig | null> {
    const entry = this.entry(tenantId);
    const slot = entry.extensions.get(extension);
    if (slot && slot.expiresAt > this.now()) return slot.value;
    const fresh = this.slot(() => this.source.extension(tenantId, extension));
    if (this.ttlMs > 0) {
      entry.extensions.set(extension, fresh);
      fresh.value.catch(() => {
        if (entry.extensions.get(extension) === fresh) entry.extensions.delete(extension);
      });
    }
    return fresh.value;
  }

  /** Drops everything cached for the tenant (its settings, numbers and extensions). */
  invalidate(tenantId: number): void {
    this.tenants.delete(tenantId);
  }

  clear(): void {
    this.tenants.clear();
  }

  get size(): number {
    return this.tenants.size;
  }

  private slot<T>(load: () => Promise<T>): Slot<T> {
    return { expiresAt: this.now() + this.ttlMs, value: load() };
  }

  private entry(tenantId: number): TenantEntry {
    let entry = this.tenants.get(tenantId);
    if (!entry) {
      if (this.tenants.size >= this.maxTenants) this.sweep();
      entry = { extensions: new Map() };
      this.tenants.set(tenantId, entry);
    }
    return entry;
  }

  /** Keeps memory bounded with many tenants: forget entries with nothing fresh in them. */
  private sweep(): void {
    const now = this.now();
    for (const [id, e] of this.tenants) {
      const fresh = (e.config && e.config.expiresAt > now) || [...e.extensions.values()].some((s) => s.expiresAt > now);
      if (!fresh) this.tenants.delete(id);
    }
    if (this.tenants.size >= this.maxTenants) this.tenants.clear();
  }
}
