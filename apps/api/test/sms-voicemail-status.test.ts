import { randomUUID } from 'node:crypto';
import { admin, startTestApi, type TestApi, DEST, expectAccepted, SENDER, setupTenant } from '@pbx-sms/testing';

/** The REST voicemail notification, the message status read, and the OpenAPI description. */

let t: TestApi;
let key: string;
let key2: string;

beforeAll(async () => {
  t = await startTestApi('rest-reads');
  key = await setupTenant(t, 59);
  key2 = await setupTenant(t, 60);
});
afterAll(async () => {
  await t.close();
});

const sendSms = (payload: unknown, headers: Record<string, string> = { 'x-api-key': key }) =>
  t.app.inject({ method: 'POST', url: '/api/sms/send', headers, payload: payload as object });
const notify = (payload: unknown, headers: Record<string, string> = { 'x-api-key': key }) =>
  t.app.inject({ method: 'POST', url: '/api/sms/notifications/voicemail', headers, payload: payload as object });

describe('POST /api/sms/notifications/voicemail', () => {
  it("sends the literal message to the extension's SMS number", async () => {
    const res = await notify({ extension: '1001', message: 'New voicemail received' });
    await expectAccepted(t, res, {
      tenant_id: 59,
      kind: 'voicemail',
      source: 'rest',
      from_number: SENDER,
      to_number: DEST,
      body: 'New voicemail received',
      extension: '1001',
    });
  });

  it('renders the default template with the extension alone', async () => {
    await expectAccepted(t, await notify({ extension: '1001' }), { body: 'New voicemail from unknown caller for extension 1001.' });
  });

  it("renders the tenant's template; placeholders in a literal message stay literal", async () => {
    const k = await setupTenant(t, 65, { voicemailTemplate: 'Voicemail waiting on {{extension}}.' });
    await expectAccepted(t, await notify({ extension: '1001' }, { 'x-api-key': k }), { body: 'Voicemail waiting on 1001.' });
    await expectAccepted(t, await notify({ extension: '1001', message: 'Hi {{extension}}' }, { 'x-api-key': k }), { body: 'Hi {{extension}}' });
  });

  it.each([
    ['missing extension', { message: 'x' }, 400, '{"error":"extension: Invalid input: expected string, received undefined","code":"invalid_request"}'],
    ['unknown extension', { extension: '2002' }, 404, '{"error":"Extension 2002 is not configured for this tenant","code":"extension_not_found"}'],
    ['an empty message', { extension: '1001', message: '' }, 400, '{"error":"message: The message is empty","code":"invalid_body"}'],
  ])('%s', async (_name, payload, status, body) => {
    const res = await notify(payload);
    expect(res.statusCode).toBe(status);
    expect(res.body).toBe(body);
  });
});

describe('GET /api/sms/messages/:id', () => {
  it("answers the tenant's own message", async () => {
    const id = await expectAccepted(t, await sendSms({ to: DEST, message: 'status' }));
    const res = await t.app.inject({ method: 'GET', url: `/api/sms/messages/${id}`, headers: { 'x-api-key': key } });
    expect(res.statusCode).toBe(200);
    const body = res.json<Record<string, unknown>>();
    expect(Object.keys(body).sort()).toEqual(['attempts', 'createdAt', 'from', 'id', 'status', 'to', 'updatedAt']);
    expect(body).toMatchObject({ id, status: 'queued', to: DEST, from: SENDER, attempts: 0 });
    expect(new Date(body.createdAt as string).toISOString()).toBe(body.createdAt);
  });

  it('shows errorCode and providerMessageId once set', async () => {
    const id = await expectAccepted(t, await sendSms({ to: DEST, message: 'failed' }));
    await t.db.prisma.$executeRawUnsafe(
      `UPDATE messages SET status = 'failed', error_code = 'provider_rejected', attempts = 2, provider_message_id = 'pm-1' WHERE id = $1::uuid`,
      id,
    );
    const res = await t.app.inject({ method: 'GET', url: `/api/sms/messages/${id}`, headers: { 'x-api-key': key } });
    expect(res.json()).toMatchObject({ status: 'failed', errorCode: 'provider_rejected', attempts: 2, providerMessageId: 'pm-1' });
  });

  it('any key of the tenant may read it', async () => {
    const id = await expectAccepted(t, await sendSms({ to: DEST, message: 'any key' }));
    const created = await t.app.inject({ method: 'POST', url: '/api/admin/tenants/59/api-keys', headers: admin, payload: { permissions: ['events:publish'] } });
    const res = await t.app.inject({ method: 'GET', url: `/api/sms/messages/${id}`, headers: { 'x-api-key': created.json<{ key: string }>().key } });
    expect(res.statusCode).toBe(200);
  });

  it.each([
    ["another tenant's message", async () => expectAccepted(t, await sendSms({ to: DEST, message: 'theirs' }, { 'x-api-key': key2 }))],
    ['an unknown id', async () => randomUUID()],
    ['a malformed id', async () => 'not-a-uuid'],
    ['an injection attempt', async () => encodeURIComponent("' OR 1=1 --")],
  ])('answers 404 for %s', async (_name, id) => {
    const res = await t.app.inject({ method: 'GET', url: `/api/sms/messages/${await id()}`, headers: { 'x-api-key': key } });
    expect(res.statusCode).toBe(404);
    expect(res.body).toBe('{"error":"Message not found","code":"not_found"}');
  });

  it('needs a key', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/sms/messages/${randomUUID()}` });
    expect(res.statusCode).toBe(401);
  });
});

describe('OpenAPI', () => {
  it('describes the public routes with their schemas', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/json' });
    const doc = res.json<{
      paths: Record<string, Record<string, { parameters?: { name: string }[]; requestBody?: unknown; responses?: Record<string, unknown> }>>;
    }>();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/', '/api/sms/send', '/api/sms/notifications/voicemail', '/api/sms/messages/{id}', '/api/events/voicemail']),
    );
    expect(doc.paths['/']!.get!.parameters!.map((p) => p.name)).toEqual(['action', 'apikey', 'server', 'to_number', 'body']);
    expect(doc.paths['/']!.head).toBeUndefined();
    expect(JSON.stringify(doc.paths['/api/sms/send']!.post!.requestBody)).toContain('"message"');
    expect(Object.keys(doc.paths['/api/sms/send']!.post!.responses!)).toEqual(expect.arrayContaining(['202', '401', '422', '429', '503']));
    expect(JSON.stringify(doc.paths['/api/events/voicemail']!.post!.requestBody)).toContain('eventId');
  });
});
