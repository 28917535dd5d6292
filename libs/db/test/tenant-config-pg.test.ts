import { AdminService, createPool, loadExtension, loadExtensionPg, loadTenantConfig, loadTenantConfigPg } from '@pbx-sms/db';
import { createTestDatabase, type TestDatabase } from '@pbx-sms/testing';
import type { Pool } from 'pg';

/** The worker's pg readers must answer exactly what the Prisma readers answer. */
let db: TestDatabase;
let pool: Pool;
beforeAll(async () => {
  db = await createTestDatabase('tenantcfgpg');
  pool = createPool(db.url, { max: 2 });
  const admin = new AdminService(db.prisma);
  // 1: full settings with a sender and a template, in a time zone.
  await admin.putTenant(1, { name: 'One', timeZone: 'America/Toronto' });
  await admin.putNumber(1, '+14165550100', { smsEnabled: true });
  await admin.putSettings(1, { active: true, senderNumber: '+14165550100', voicemailEnabled: true, apiEnabled: false, voicemailTemplate: '{{caller}} at {{time}}' });
  await admin.putExtension(1, '1001', { smsNotifications: true, smsNumber: '+14165551234' });
  await admin.putExtension(1, '1002', { smsNotifications: false, smsNumber: null });
  // 2: settings with no sender and no template; its one number disabled.
  await admin.putTenant(2, { name: 'Two', timeZone: 'UTC' });
  await admin.putNumber(2, '+14165550101', { smsEnabled: false });
  await admin.putSettings(2, { active: false, senderNumber: null, voicemailEnabled: false, apiEnabled: true, voicemailTemplate: null });
  // 3: a tenant with no settings row at all.
  await admin.putTenant(3, { name: 'Three', timeZone: 'UTC' });
  // 4: sender set, then the number removed (the foreign key sets it null).
  await admin.putTenant(4, { name: 'Four', timeZone: 'Europe/Sarajevo' });
  await admin.putNumber(4, '+14165550102', { smsEnabled: true });
  await admin.putSettings(4, { active: true, senderNumber: '+14165550102', voicemailEnabled: true, apiEnabled: true, voicemailTemplate: null });
  await admin.deleteNumber(4, '+14165550102');
});
afterAll(async () => {
  await pool.end();
  await db.cleanup();
});

describe('pg tenant config readers', () => {
  it.each([1, 2, 3, 4, 999])('tenant %i: same answer as the Prisma reader', async (id) => {
    const viaPrisma = await loadTenantConfig(db.prisma, id);
    expect(await loadTenantConfigPg(pool, id)).toEqual(viaPrisma);
  });

  it.each([
    [1, '1001'],
    [1, '1002'],
    [1, '9999'],
    [2, '1001'],
    [999, '1001'],
  ])('extension %i/%s: same answer as the Prisma reader', async (id, ext) => {
    const viaPrisma = await loadExtension(db.prisma, id, ext);
    expect(await loadExtensionPg(pool, id, ext)).toEqual(viaPrisma);
  });

  it('reads what the admin wrote', async () => {
    expect(await loadTenantConfigPg(pool, 1)).toEqual({
      tenantId: 1,
      active: true,
      apiEnabled: false,
      voicemailEnabled: true,
      sender: { e164: '+14165550100', smsEnabled: true, tenantId: 1 },
      voicemailTemplate: '{{caller}} at {{time}}',
      timeZone: 'America/Toronto',
    });
    expect(await loadExtensionPg(pool, 1, '1001')).toEqual({ extension: '1001', smsNotifications: true, smsNumber: '+14165551234' });
  });
});
