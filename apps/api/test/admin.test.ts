import { hashApiKey } from '@pbx-sms/core';
import { admin, startTestApi, type TestApi } from '@pbx-sms/testing';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi('admin');
});
afterAll(async () => {
  await t.close();
});

async function put(url: string, payload: unknown, headers: Record<string, string> = admin) {
  return t.app.inject({ method: 'PUT', url, payload: payload as object, headers });
}

describe('admin API', () => {
  it('round-trips a tenant, its numbers, SMS settings, extensions and API keys', async () => {
    const tenant = await put('/api/admin/tenants/59', { name: 'Acme', timeZone: 'America/Toronto' });
    expect(tenant.statusCode).toBe(200);
    expect(tenant.json()).toMatchObject({ id: 59, name: 'Acme', timeZone: 'America/Toronto' });

    const number = await put('/api/admin/tenants/59/sms-numbers/%2B14165550100', { smsEnabled: true });
    expect(number.json()).toEqual({ tenantId: 59, e164: '+14165550100', smsEnabled: true });

    const settings = await put('/api/admin/tenants/59/sms-settings', {
      active: true,
      senderNumber: '+14165550100',
      voicemailEnabled: true,
      apiEnabled: true,
      voicemailTemplate: 'VM from {{caller}} at {{time}}',
    });
    expect(settings.statusCode).toBe(200);
    expect(settings.json()).toEqual({
      tenantId: 59,
      active: true,
      senderNumber: '+14165550100',
      voicemailEnabled: true,
      apiEnabled: true,
      voicemailTemplate: 'VM from {{caller}} at {{time}}',
    });

    const ext = await put('/api/admin/tenants/59/extensions/1001', { smsNotifications: true, smsNumber: '+14165551234' });
    expect(ext.json()).toEqual({ tenantId: 59, extension: '1001', smsNotifications: true, smsNumber: '+14165551234' });

    const key = await t.app.inject({ method: 'POST', url: '/api/admin/tenants/59/api-keys', payload: { permissions: ['sms:send'] }, headers: admin });
    expect(key.statusCode).toBe(201);
    const { id, key: secret } = key.json<{ id: string; key: string }>();
    expect(secret).toMatch(/^pbx_[A-Za-z0-9]{8}_/);

    const full = await t.app.inject({ method: 'GET', url: '/api/admin/tenants/59', headers: admin });
    expect(full.json()).toMatchObject({
      id: 59,
      settings: { active: true, senderNumber: '+14165550100' },
      numbers: [{ e164: '+14165550100', smsEnabled: true }],
      extensions: [{ extension: '1001', smsNumber: '+14165551234' }],
    });

    const keys = await t.app.inject({ method: 'GET', url: '/api/admin/tenants/59/api-keys', headers: admin });
    expect(keys.json()).toEqual([expect.objectContaining({ id, permissions: ['sms:send'], revokedAt: null })]);
    expect(keys.body).not.toContain(secret);

    const revoked = await t.app.inject({ method: 'DELETE', url: `/api/admin/tenants/59/api-keys/${id}`, headers: admin });
    expect(revoked.statusCode).toBe(200);
    expect(revoked.json<{ revokedAt: string | null }>().revokedAt).not.toBeNull();
  });

  it('stores API keys only as hashes', async () => {
    await put('/api/admin/tenants/60', { name: 'Hashes' });
    const res = await t.app.inject({ method: 'POST', url: '/api/admin/tenants/60/api-keys', payload: {}, headers: admin });
    const { key } = res.json<{ key: string }>();
    const rows = await t.db.prisma.$queryRawUnsafe<Record<string, unknown>[]>('SELECT * FROM api_keys WHERE tenant_id = 60');
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(key);
    expect(rows[0]!.hash).toBe(hashApiKey(key));
  });

  it('upserts: a second PUT replaces the whole resource and resets optional fields', async () => {
    await put('/api/admin/tenants/61', { name: 'Before', timeZone: 'Europe/Sarajevo' });
    const after = await put('/api/admin/tenants/61', { name: 'After' });
    expect(after.json()).toMatchObject({ id: 61, name: 'After', timeZone: 'UTC' });
    await put('/api/admin/tenants/61/sms-settings', {
      active: true,
      senderNumber: null,
      voicemailEnabled: false,
      apiEnabled: false,
      voicemailTemplate: 'x {{extension}}',
    });
    const reset = await put('/api/admin/tenants/61/sms-settings', { active: false, senderNumber: null, voicemailEnabled: false, apiEnabled: true });
    expect(reset.json()).toMatchObject({ active: false, apiEnabled: true, voicemailTemplate: null });
  });

  it('a removed sender number leaves the settings with no sender', async () => {
    await put('/api/admin/tenants/62', { name: 'Removal' });
    await put('/api/admin/tenants/62/sms-numbers/%2B12015550150', { smsEnabled: true });
    await put('/api/admin/tenants/62/sms-settings', { active: true, senderNumber: '+12015550150', voicemailEnabled: true, apiEnabled: true });
    const del = await t.app.inject({ method: 'DELETE', url: '/api/admin/tenants/62/sms-numbers/%2B12015550150', headers: admin });
    expect(del.statusCode).toBe(200);
    const s = await t.app.inject({ method: 'GET', url: '/api/admin/tenants/62/sms-settings', headers: admin });
    expect(s.json()).toMatchObject({ senderNumber: null, active: true });
  });

  describe('bad input answers 400 naming the field', () => {
    beforeAll(async () => {
      await put('/api/admin/tenants/70', { name: 'Validation' });
      await put('/api/admin/tenants/70/sms-numbers/%2B14165550100', { smsEnabled: false });
    });

    it.each([
      ['tenant without name', '/api/admin/tenants/70', {}, /name/],
      ['tenant with a bad time zone', '/api/admin/tenants/70', { name: 'x', timeZone: 'Mars/Olympus' }, /timeZone/],
      ['tenant id not a number', '/api/admin/tenants/abc', { name: 'x' }, /tenantId/],
      ['number that is not E.164', '/api/admin/tenants/70/sms-numbers/14165550100', { smsEnabled: true }, /e164/],
      ['number without smsEnabled', '/api/admin/tenants/70/sms-numbers/%2B14165550199', {}, /smsEnabled/],
      [
        "sender that is not one of the tenant's numbers",
        '/api/admin/tenants/70/sms-settings',
        { active: true, senderNumber: '+12015550150', voicemailEnabled: true, apiEnabled: true },
        /senderNumber/,
      ],
      [
        'sender that is not SMS-enabled',
        '/api/admin/tenants/70/sms-settings',
        { active: true, senderNumber: '+14165550100', voicemailEnabled: true, apiEnabled: true },
        /senderNumber.*not SMS-enabled/,
      ],
      [
        'sender not in E.164',
        '/api/admin/tenants/70/sms-settings',
        { active: true, senderNumber: '14165550100', voicemailEnabled: true, apiEnabled: true },
        /senderNumber/,
      ],
      ['settings missing active', '/api/admin/tenants/70/sms-settings', { senderNumber: null, voicemailEnabled: true, apiEnabled: true }, /active/],
      [
        'template with an unknown placeholder',
        '/api/admin/tenants/70/sms-settings',
        { active: true, senderNumber: null, voicemailEnabled: true, apiEnabled: true, voicemailTemplate: 'hi {{nope}}' },
        /voicemailTemplate.*\{\{nope\}\}/,
      ],
      ['extension number not E.164', '/api/admin/tenants/70/extensions/1001', { smsNotifications: true, smsNumber: '+1 416 555 1234' }, /smsNumber/],
      ['extension number with no such area code', '/api/admin/tenants/70/extensions/1001', { smsNotifications: true, smsNumber: '+15555550100' }, /smsNumber/],
      ['extension with an unknown field', '/api/admin/tenants/70/extensions/1001', { smsNotifications: true, smsNumber: null, extra: 1 }, /extra/],
    ])('%s', async (_name, url, payload, field) => {
      const res = await put(url, payload);
      expect(res.statusCode).toBe(400);
      const body = res.json<{ error: string; code: string }>();
      expect(body.code).toBe('invalid_request');
      expect(body.error).toMatch(field);
    });

    it('a template too long even with every placeholder empty is 400, naming its segment count; one just within is saved', async () => {
      const settings = { active: true, senderNumber: null, voicemailEnabled: true, apiEnabled: true };
      // 700 UCS-2 characters: 11 segments of 67, whatever the caller.
      const res = await put('/api/admin/tenants/70/sms-settings', { ...settings, voicemailTemplate: `${'Ж'.repeat(700)} {{callerName}}` });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({
        error:
          'voicemailTemplate: too long even with every placeholder empty: 11 SMS segments (UCS-2, 700 characters, 1400 UTF-8 bytes); the limit is 10 segments and 1600 bytes',
        code: 'invalid_request',
      });
      const ok = await put('/api/admin/tenants/70/sms-settings', { ...settings, voicemailTemplate: `${'Ж'.repeat(670)} {{callerName}}` });
      expect(ok.statusCode).toBe(200);
    });

    it('unparseable JSON is 400 invalid_request', async () => {
      const res = await t.app.inject({
        method: 'PUT',
        url: '/api/admin/tenants/70',
        payload: '{"name":',
        headers: { ...admin, 'content-type': 'application/json' },
      });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'Request body is not valid JSON', code: 'invalid_request' });
    });

    it('a NUL character anywhere is 400, not a database error (found by the fuzzer)', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/api/admin/tenants/70/api-keys', payload: { name: 'a\u0000b' }, headers: admin });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'Request contains a NUL character', code: 'invalid_request' });
    });

    it('API key with an unknown permission', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/api/admin/tenants/70/api-keys', payload: { permissions: ['root'] }, headers: admin });
      expect(res.statusCode).toBe(400);
      expect(res.json<{ error: string }>().error).toMatch(/permissions/);
    });
  });

  it('a sub-resource of an unknown tenant is 404', async () => {
    const res = await put('/api/admin/tenants/999/extensions/1001', { smsNotifications: true, smsNumber: null });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'Tenant 999 not found', code: 'not_found' });
  });

  it.each([
    ['no token', {}],
    ['a wrong token', { authorization: 'Bearer nope' }],
    ['a tenant API key', { 'x-api-key': 'pbx_abcdefgh_' + 'x'.repeat(43) }],
  ])('refuses %s with 401', async (_name, headers) => {
    const res = await t.app.inject({ method: 'GET', url: '/api/admin/tenants', headers });
    expect(res.statusCode).toBe(401);
    expect(res.json<{ code: string }>().code).toBe('unauthorized');
  });

  it('serves the OpenAPI description generated from the same schemas', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json<{ paths: Record<string, Record<string, { requestBody?: unknown }>> }>();
    const put = doc.paths['/api/admin/tenants/{tenantId}/sms-settings']?.put;
    expect(JSON.stringify(put?.requestBody)).toContain('senderNumber');
  });
});
