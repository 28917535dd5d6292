import fp from 'fastify-plugin';
import { TenantConfigCache, tenantConfigReader, type SqlRunner } from '@pbx-sms/db';

declare module 'fastify' {
  interface FastifyInstance {
    /** Tenant and extension configuration as the rules read it, cached for TENANT_CONFIG_TTL_MS (null: unknown tenant). */
    tenantConfig: TenantConfigCache;
  }
}

export interface TenantConfigOptions {
  db: SqlRunner;
  cacheTtlMs: number;
}

/** The tenant-config cache (the worker's too), dropped for a tenant whenever its configuration changes. */
export const tenantConfigPlugin = fp<TenantConfigOptions>(
  async (app, { db, cacheTtlMs }) => {
    const cache = new TenantConfigCache(tenantConfigReader(db), cacheTtlMs);
    app.configChanges.onChange((change) => cache.forget(change));
    app.decorate('tenantConfig', cache);
  },
  { name: 'tenant-config', fastify: '5.x', dependencies: ['config-changes'] },
);
