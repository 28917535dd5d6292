import { admin, startTestApi, type TestApi, actionUrl, b64, DEST, setupTenant } from '@pbx-sms/testing';

/**
 * Tenant isolation and key handling: every public endpoint used with tenant 59's key against
 * tenant 60's ids, `server` values and extensions is refused; revoked, malformed and
 * under-privileged keys are refused; admin routes refuse tenant keys; keys are stored hashed.
 */
let t: TestApi;
let key59: string;
let key60: string;
let eventsOnly59: string;
let message60: string;
const refused: string[] = [];

beforeAll(async () => {
  t = await startTestApi('isolation', { API_KEY_RATE_PER_SEC: '1000000' });
  key59 = await setupTenant(t, 59, { permissions: ['sms:send', 'events:publish'] });
  key60 = await setupTenant(t, 60, { permissions: ['sms:send', 'events:publish'] });
  eventsOnly59 = (
    await t.app.inject({ method: 'POST', url: '/api/admin/tenants/59/api-keys', payload: { permissions: ['events:publish'] }, headers: admin })
  ).json<{ key: string }>().key;
  // Tenant 60 has an extension 2002 that tenant 59 does not.
  await t.app.inject({
    method: 'PUT',
    url: '/api/admin/tenants/60/extensions/2002',
    payload: { smsNotifications: true, smsNumber: '+12015550150' },
    headers: admin,
  });
  const sent = await t.app.inject({
    method: 'POST',
    url: '/api/sms/send',
    headers: { 'x-api-key': key60 },
    payload: { to: DEST, message: 'tenant 60 secret text' },
  });
  message60 = sent.json<{ id: string }>().id;
});
afterAll(async () => {
  process.stdout.write(`isolation matrix: ${refused.length} foreign or bad-key requests, all refused\n`);
  await t.close();
});

type Req = { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; url: string; headers?: Record<string, string>; payload?: object | string };
/** Requests are built when the test runs (keys and ids exist only after beforeAll). */
type Case = [string, () => Req, number, string];

describe("tenant isolation matrix: tenant 59's key against tenant 60", () => {
  const foreign = (): Case[] => [
    [
      'action GET with server=60',
      () => ({ method: 'GET', url: actionUrl({ action: 'pbxware.sms.send_message', apikey: key59, server: 60, to_number: DEST, body: b64('x') }) }),
      403,
      'forbidden',
    ],
    [
      'action POST form with server=60',
      () => ({
        method: 'POST',
        url: '/',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `action=pbxware.sms.send_message&apikey=${encodeURIComponent(key59)}&server=60&to_number=%2B14165551234&body=${b64('x')}`,
      }),
      403,
      'forbidden',
    ],
    [
      'action with the header key and server=60',
      () => ({
        method: 'GET',
        url: actionUrl({ action: 'pbxware.sms.send_message', server: 60, to_number: DEST, body: b64('x') }),
        headers: { 'x-api-key': key59 },
      }),
      403,
      'forbidden',
    ],
    ["status of tenant 60's message", () => ({ method: 'GET', url: `/api/sms/messages/${message60}`, headers: { 'x-api-key': key59 } }), 404, 'not_found'],
    [
      "voicemail notification to tenant 60's extension",
      () => ({ method: 'POST', url: '/api/sms/notifications/voicemail', headers: { 'x-api-key': key59 }, payload: { extension: '2002' } }),
      404,
      'extension_not_found',
    ],
    [
      'voicemail event for tenant 60',
      () => ({
        method: 'POST',
        url: '/api/events/voicemail',
        headers: { 'x-api-key': key59 },
        payload: { eventId: 'iso-1', tenantId: 60, extension: '2002', receivedAt: new Date().toISOString() },
      }),
      403,
      'forbidden',
    ],
    ['admin: read tenant 60 with a tenant key', () => ({ method: 'GET', url: '/api/admin/tenants/60', headers: { 'x-api-key': key59 } }), 401, 'unauthorized'],
    [
      'admin: tenant key as a bearer token',
      () => ({ method: 'GET', url: '/api/admin/tenants/60', headers: { authorization: `Bearer ${key59}` } }),
      401,
      'unauthorized',
    ],
    [
      'admin: create a key for tenant 60',
      () => ({ method: 'POST', url: '/api/admin/tenants/60/api-keys', headers: { 'x-api-key': key59 }, payload: { permissions: ['sms:send'] } }),
      401,
      'unauthorized',
    ],
    [
      "admin: change tenant 60's settings",
      () => ({
        method: 'PUT',
        url: '/api/admin/tenants/60/sms-settings',
        headers: { 'x-api-key': key59 },
        payload: { active: false, senderNumber: null, voicemailEnabled: false, apiEnabled: false },
      }),
      401,
      'unauthorized',
    ],
    [
      "admin: trace tenant 60's message",
      () => ({ method: 'GET', url: `/api/admin/tenants/60/messages/${message60}/trace`, headers: { 'x-api-key': key59 } }),
      401,
      'unauthorized',
    ],
    [
      'admin: dry run for tenant 60',
      () => ({ method: 'POST', url: '/api/admin/tenants/60/dry-run', headers: { 'x-api-key': key59 }, payload: { extension: '2002' } }),
      401,
      'unauthorized',
    ],
    ['admin: failed messages', () => ({ method: 'GET', url: '/api/admin/messages/failed', headers: { 'x-api-key': key59 } }), 401, 'unauthorized'],
    ['admin: queues', () => ({ method: 'GET', url: '/api/admin/queues', headers: { authorization: `Bearer ${key60}` } }), 401, 'unauthorized'],
  ];

  it.each(foreign().map((c) => [c[0], c] as const))('%s is refused', async (_name, c) => {
    const [, build, status, code] = c;
    const opts = build();
    const before = await t.db.prisma.message.count();
    const res = await t.app.inject(opts as never);
    expect(res.statusCode).toBe(status);
    expect(res.json<{ code: string }>().code).toBe(code);
    expect(await t.db.prisma.message.count()).toBe(before);
    refused.push(c[0]);
  });

  it("the history shows only the tenant's own messages", async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/sms/messages?limit=500', headers: { 'x-api-key': key59 } });
    expect(res.json<{ items: { id: string }[] }>().items.map((m: { id: string }) => m.id)).not.toContain(message60);
  });
});

describe('keys', () => {
  const send = (headers: Record<string, string>) => t.app.inject({ method: 'POST', url: '/api/sms/send', headers, payload: { to: DEST, message: 'x' } });

  it.each([
    ['no key', {}],
    ['an empty key', { 'x-api-key': '' }],
    ['a malformed key', { 'x-api-key': 'not-a-key' }],
    ['a well-formed unknown key', { 'x-api-key': `pbx_abcdefgh_${'A'.repeat(43)}` }],
    ['a known prefix with a wrong secret', { 'x-api-key': 'REPLACED' }],
  ])('refuses %s with 401', async (_name, headers: Record<string, string>) => {
    const h = headers['x-api-key'] === 'REPLACED' ? { 'x-api-key': `${key59.slice(0, 13)}${'B'.repeat(43)}` } : headers;
    const res = await send(h);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: 'Missing, unknown or revoked API key', code: 'unauthorized' });
    refused.push(_name);
  });

  it('refuses a key without sms:send with 403', async () => {
    const res = await send({ 'x-api-key': eventsOnly59 });
    expect(res.statusCode).toBe(403);
    expect(res.json<{ code: string }>().code).toBe('forbidden');
  });

  it('refuses a revoked key everywhere at once', async () => {
    const created = (
      await t.app.inject({ method: 'POST', url: '/api/admin/tenants/59/api-keys', payload: { permissions: ['sms:send'] }, headers: admin })
    ).json<{ id: string; key: string }>();
    expect((await send({ 'x-api-key': created.key })).statusCode).toBe(202);
    await t.app.inject({ method: 'DELETE', url: `/api/admin/tenants/59/api-keys/${created.id}`, headers: admin });
    expect((await send({ 'x-api-key': created.key })).statusCode).toBe(401);
    const action = await t.app.inject({
      method: 'GET',
      url: actionUrl({ action: 'pbxware.sms.send_message', apikey: created.key, server: 59, to_number: DEST, body: b64('x') }),
    });
    expect(action.statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/sms/messages', headers: { 'x-api-key': created.key } })).statusCode).toBe(401);
  });

  it('stores keys only as hashes: no table holds a key in clear', async () => {
    const tables = await t.db.prisma.$queryRawUnsafe<{ table_name: string }[]>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = '${t.db.schema}'`,
    );
    for (const { table_name } of tables) {
      const rows = await t.db.prisma.$queryRawUnsafe<unknown[]>(`SELECT * FROM "${table_name}"`);
      const text = JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
      for (const k of [key59, key60, eventsOnly59]) expect(text).not.toContain(k);
    }
  });
});

describe('limits', () => {
  it('answers 413 for a body over 16 KiB, in our shape', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/sms/send',
      headers: { 'x-api-key': key59, 'content-type': 'application/json' },
      payload: JSON.stringify({ to: DEST, message: 'x'.repeat(17 * 1024) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ error: 'Request body is too large', code: 'payload_too_large' });
  });

  it('answers 429 with Retry-After past the per-key rate limit', async () => {
    const limited = await startTestApi('ratelimit', { API_KEY_RATE_PER_SEC: '2' });
    try {
      const k = await setupTenant(limited, 59);
      const statuses: number[] = [];
      let retryAfter: string | undefined;
      for (let i = 0; i < 8; i++) {
        const res = await limited.app.inject({ method: 'POST', url: '/api/sms/send', headers: { 'x-api-key': k }, payload: { to: DEST, message: `m${i}` } });
        statuses.push(res.statusCode);
        if (res.statusCode === 429) {
          retryAfter = res.headers['retry-after'];
          expect(res.json()).toMatchObject({ code: 'rate_limited' });
        }
      }
      // Burst of twice the rate (4), then refused.
      expect(statuses.filter((s) => s === 202).length).toBeGreaterThanOrEqual(4);
      expect(statuses.filter((s) => s === 202).length).toBeLessThanOrEqual(5);
      expect(statuses).toContain(429);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    } finally {
      await limited.close();
    }
  });
});
