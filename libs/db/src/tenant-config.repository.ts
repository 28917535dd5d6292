import type { ExtensionConfig, TenantConfig } from '@pbx-sms/core';
import { defaultTenantConfig } from '@pbx-sms/core';
import type { PrismaClient } from './client';

/** The tenant's configuration as the rules see it, or null when the tenant does not exist. */
export async function loadTenantConfig(prisma: PrismaClient, tenantId: number): Promise<TenantConfig | null> {
  const tenant = await prisma.tenant.findUnique({
    where: { id: tenantId },
    select: { id: true, timeZone: true, settings: { include: { senderNumber: true } } },
  });
  if (!tenant) return null;
  const s = tenant.settings;
  if (!s) return defaultTenantConfig(tenant.id, tenant.timeZone);
  return {
    tenantId: tenant.id,
    active: s.active,
    apiEnabled: s.apiEnabled,
    voicemailEnabled: s.voicemailEnabled,
    sender: s.senderNumber ? { e164: s.senderNumber.e164, smsEnabled: s.senderNumber.smsEnabled, tenantId: s.senderNumber.tenantId } : null,
    voicemailTemplate: s.voicemailTemplate,
    timeZone: tenant.timeZone,
  };
}

export async function loadExtension(prisma: PrismaClient, tenantId: number, extension: string): Promise<ExtensionConfig | null> {
  const ext = await prisma.extension.findUnique({
    where: { tenantId_extension: { tenantId, extension } },
    select: { extension: true, smsNotifications: true, smsNumber: true },
  });
  return ext;
}
