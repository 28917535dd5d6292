import type { ExtensionConfig, TenantConfig } from '@pbx-sms/core';
import { defaultTenantConfig } from '@pbx-sms/core';
import type { SqlRunner } from '../sql/sql-runner';

/**
 * Tenant and extension configuration as the rules see it, read from Postgres in plain SQL: the
 * one reader, behind the cache (API and worker) and the dry run. Plain `pg`, not Prisma: the
 * worker holds no Prisma client (its WebAssembly query compiler costs tens of MB per process),
 * and a Prisma model query on the API's request path costs several times the CPU.
 */

/** The tenant's configuration, or null when the tenant does not exist. A tenant with no settings row has the defaults: nothing enabled. */
export async function loadTenantConfig(db: SqlRunner, tenantId: number): Promise<TenantConfig | null> {
  const { rows } = await db.query<{
    id: number;
    time_zone: string;
    has_settings: boolean;
    active: boolean | null;
    api_enabled: boolean | null;
    voicemail_enabled: boolean | null;
    voicemail_template: string | null;
    sender_e164: string | null;
    sender_sms_enabled: boolean | null;
    sender_tenant_id: number | null;
  }>({
    name: 'tenant_config',
    text: `SELECT t.id, t.time_zone, (s.tenant_id IS NOT NULL) AS has_settings, s.active, s.api_enabled, s.voicemail_enabled,
            s.voicemail_template, n.e164 AS sender_e164, n.sms_enabled AS sender_sms_enabled, n.tenant_id AS sender_tenant_id
     FROM tenants t
     LEFT JOIN sms_settings s ON s.tenant_id = t.id
     LEFT JOIN sms_numbers n ON n.id = s.sender_number_id
     WHERE t.id = $1`,
    values: [tenantId],
  });
  const r = rows[0];
  if (!r) return null;
  if (!r.has_settings) return defaultTenantConfig(r.id, r.time_zone);
  return {
    tenantId: r.id,
    active: r.active!,
    apiEnabled: r.api_enabled!,
    voicemailEnabled: r.voicemail_enabled!,
    sender: r.sender_e164 !== null ? { e164: r.sender_e164, smsEnabled: r.sender_sms_enabled!, tenantId: r.sender_tenant_id! } : null,
    voicemailTemplate: r.voicemail_template,
    timeZone: r.time_zone,
  };
}

/** The extension's configuration, or null when the tenant has no such extension. */
export async function loadExtension(db: SqlRunner, tenantId: number, extension: string): Promise<ExtensionConfig | null> {
  const { rows } = await db.query<{ extension: string; sms_notifications: boolean; sms_number: string | null }>({
    name: 'tenant_extension',
    text: 'SELECT extension, sms_notifications, sms_number FROM extensions WHERE tenant_id = $1 AND extension = $2',
    values: [tenantId, extension],
  });
  const r = rows[0];
  return r ? { extension: r.extension, smsNotifications: r.sms_notifications, smsNumber: r.sms_number } : null;
}

/** Where configuration comes from when it is not cached. */
export interface ConfigSource {
  tenant(tenantId: number): Promise<TenantConfig | null>;
  extension(tenantId: number, extension: string): Promise<ExtensionConfig | null>;
}

/** The reader over a pool, as the cache's source. */
export function tenantConfigReader(db: SqlRunner): ConfigSource {
  return { tenant: (id) => loadTenantConfig(db, id), extension: (id, ext) => loadExtension(db, id, ext) };
}
