import type { ExtensionConfig, TenantConfig } from '@pbx-sms/core';
import { defaultTenantConfig } from '@pbx-sms/core';
import type { Queryable } from './message.repository';

/**
 * The same readers as `tenant-config.repository.ts` (same answers, same contract), in plain
 * SQL over a `pg` pool. The worker uses these so it never builds a Prisma client: Prisma's
 * query compiler is WebAssembly that costs tens of MB of resident memory per process, and the
 * worker already holds a pg pool for its writes.
 */
export async function loadTenantConfigPg(db: Queryable, tenantId: number): Promise<TenantConfig | null> {
  const { rows } = await db.query<{
    id: number; time_zone: string; has_settings: boolean; active: boolean | null; api_enabled: boolean | null;
    voicemail_enabled: boolean | null; voicemail_template: string | null;
    sender_e164: string | null; sender_sms_enabled: boolean | null; sender_tenant_id: number | null;
  }>(
    `SELECT t.id, t.time_zone, (s.tenant_id IS NOT NULL) AS has_settings, s.active, s.api_enabled, s.voicemail_enabled,
            s.voicemail_template, n.e164 AS sender_e164, n.sms_enabled AS sender_sms_enabled, n.tenant_id AS sender_tenant_id
     FROM tenants t
     LEFT JOIN sms_settings s ON s.tenant_id = t.id
     LEFT JOIN sms_numbers n ON n.id = s.sender_number_id
     WHERE t.id = $1`,
    [tenantId],
  );
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

export async function loadExtensionPg(db: Queryable, tenantId: number, extension: string): Promise<ExtensionConfig | null> {
  const { rows } = await db.query<{ extension: string; sms_notifications: boolean; sms_number: string | null }>(
    'SELECT extension, sms_notifications, sms_number FROM extensions WHERE tenant_id = $1 AND extension = $2',
    [tenantId, extension],
  );
  const r = rows[0];
  return r ? { extension: r.extension, smsNotifications: r.sms_notifications, smsNumber: r.sms_number } : null;
}
