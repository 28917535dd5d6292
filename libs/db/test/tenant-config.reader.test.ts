import { defaultTenantConfig } from '@pbx-sms/core';
import { createPool, loadExtension, loadTenantConfig } from '@pbx-sms/db';
import { createTestDatabase, type TestDatabase } from '@pbx-sms/testing';
import type { Pool } from 'pg';

/** The one tenant-config reader (API, worker and dry run): what it answers for each shape of configuration. */
let db: TestDatabase;
let pool: Pool;
beforeAll(async () => {
  db = await createTestDatabase('tenantcfg');
  pool = createPool(db.url, { max: 2 });
  const p = db.prisma;
  // 1: full settings with a sender and a template, in a time zone.
  await p.tenant.create({ data: { id: 1, name: 'One', timeZone: 'America/Toronto' } });
  const n1 = await p.smsNumber.create({ data: { tenantId: 1, e164: '+14165550100', smsEnabled: true } });
  await p.smsSettings.create({
    data: { tenantId: 1, active: true, senderNumberId: n1.id, voicemailEnabled: true, apiEnabled: false, voicemailTemplate: '{{caller}} at {{time}}' },
  });
  await p.extension.create({ data: { tenantId: 1, extension: '1001', smsNotifications: true, smsNumber: '+14165551234' } });
  await p.extension.create({ data: { tenantId: 1, extension: '1002', smsNotifications: false, smsNumber: null } });
  // 2: settings with no sender and no template; its one number disabled.
  await p.tenant.create({ data: { id: 2, name: 'Two', timeZone: 'UTC' } });
  await p.smsNumber.create({ data: { tenantId: 2, e164: '+14165550101', smsEnabled: false } });
  await p.smsSettings.create({
    data: { tenantId: 2, active: false, senderNumberId: null, voicemailEnabled: false, apiEnabled: true, voicemailTemplate: null },
  });
  // 3: a tenant with no settings row at all.
  await p.tenant.create({ data: { id: 3, name: 'Three', timeZone: 'UTC' } });
  // 4: sender set, then the number removed (the foreign key sets it null).
  await p.tenant.create({ data: { id: 4, name: 'Four', timeZone: 'Europe/Sarajevo' } });
  const n4 = await p.smsNumber.create({ data: { tenantId: 4, e164: '+14165550102', smsEnabled: true } });
  await p.smsSettings.create({ data: { tenantId: 4, active: true, senderNumberId: n4.id, voicemailEnabled: true, apiEnabled: true, voicemailTemplate: null } });
  await p.smsNumber.delete({ where: { id: n4.id } });
});
afterAll(async () => {
  await pool.end();
  await db.cleanup();
});

describe('tenant config reader', () => {
  it.each([
    [
      1,
      {
        tenantId: 1,
        active: true,
        apiEnabled: false,
        voicemailEnabled: true,
        sender: { e164: '+14165550100', smsEnabled: true, tenantId: 1 },
        voicemailTemplate: '{{caller}} at {{time}}',
        timeZone: 'America/Toronto',
      },
    ],
    [2, { tenantId: 2, active: false, apiEnabled: true, voicemailEnabled: false, sender: null, voicemailTemplate: null, timeZone: 'UTC' }],
    [3, defaultTenantConfig(3, 'UTC')],
    [4, { tenantId: 4, active: true, apiEnabled: true, voicemailEnabled: true, sender: null, voicemailTemplate: null, timeZone: 'Europe/Sarajevo' }],
    [999, null],
  ])('tenant %i', async (id, expected) => {
    expect(await loadTenantConfig(pool, id)).toEqual(expected);
  });

  it.each([
    [1, '1001', { extension: '1001', smsNotifications: true, smsNumber: '+14165551234' }],
    [1, '1002', { extension: '1002', smsNotifications: false, smsNumber: null }],
    [1, '9999', null],
    [2, '1001', null],
    [999, '1001', null],
  ])('extension %i/%s', async (id, ext, expected) => {
    expect(await loadExtension(pool, id, ext)).toEqual(expected);
  });
});
