import fp from 'fastify-plugin';
import type { Queryable } from '@pbx-sms/db';
import { ConfigCache } from '../cache/config.cache';

declare module 'fastify' {
  interface FastifyInstance {
    /** Tenant and extension configuration as the rules read it, cached for TENANT_CONFIG_TTL_MS. */
    tenantConfig: ConfigCache;
  }
}

export interface TenantConfigOptions {
  db: Queryable;
  cacheTtlMs: number;
}

/** The tenant-config cache, dropped for a tenant whenever its configuration changes. */
export const tenantConfigPlugin = fp<TenantConfigOptions>(
  async (app, { db, cacheTtlMs }) => {
    const cache = new ConfigCache(db, cacheTtlMs);
    app.configChanges.onChange((tenantId) => cache.invalidateTenant(tenantId));
    app.decorate('tenantConfig', cache);
  },
  { name: 'tenant-config', fastify: '5.x', dependencies: ['config-changes'] },
);
