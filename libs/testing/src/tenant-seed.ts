import type { PrismaClient } from '@pbx-sms/db';
import { DEST, SENDER } from './test-numbers';

export interface TenantSeed {
  id?: number;
  active?: boolean;
  voicemailEnabled?: boolean;
  apiEnabled?: boolean;
  /** null: no sender configured. */
  sender?: string | null;
  senderSmsEnabled?: boolean;
  voicemailTemplate?: string | null;
  timeZone?: string;
  extensions?: { extension: string; smsNotifications: boolean; smsNumber: string | null }[];
}

/** Tenant, its numbers, SMS settings and extensions, as the admin API would store them (straight into Postgres). */
export async function seedTenant(prisma: PrismaClient, seed: TenantSeed = {}): Promise<number> {
  const id = seed.id ?? 59;
  await prisma.tenant.create({ data: { id, name: `Tenant ${id}`, timeZone: seed.timeZone ?? 'UTC' } });
  let senderNumberId: number | null = null;
  const sender = seed.sender === undefined ? SENDER : seed.sender;
  if (sender !== null) {
    const n = await prisma.smsNumber.create({ data: { tenantId: id, e164: sender, smsEnabled: seed.senderSmsEnabled ?? true } });
    senderNumberId = n.id;
  }
  await prisma.smsSettings.create({
    data: {
      tenantId: id,
      active: seed.active ?? true,
      voicemailEnabled: seed.voicemailEnabled ?? true,
      apiEnabled: seed.apiEnabled ?? true,
      senderNumberId,
      voicemailTemplate: seed.voicemailTemplate ?? null,
    },
  });
  for (const e of seed.extensions ?? [{ extension: '1001', smsNotifications: true, smsNumber: DEST }]) {
    await prisma.extension.create({ data: { tenantId: id, ...e } });
  }
  return id;
}
