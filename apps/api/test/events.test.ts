import { admin, startTestApi, type TestApi, countMessages, setupTenant } from '@pbx-sms/testing';

/** POST /api/events/voicemail: the queue contract over HTTP, its auth and its dedup answers. */

let t: TestApi;
let publisher: string;
let sender: string;
let otherPublisher: string;

beforeAll(async () => {
  t = await startTestApi('events');
  publisher = await setupTenant(t, 59, { permissions: ['events:publish'] });
  sender = await setupTenant(t, 60, { permissions: ['sms:send'] });
  otherPublisher = await setupTenant(t, 61, { permissions: ['events:publish', 'sms:send'] });
});
afterAll(async () => {
  await t.close();
});

let n = 0;
const event = (over: Record<string, unknown> = {}) => ({
  eventId: `vm-${++n}-${Date.now()}`,
  tenantId: 59,
  extension: '1001',
  callerId: '+12015550150',
  callerName: 'Jane',
  durationSeconds: 42,
  receivedAt: '2026-11-25T10:00:00Z',
  ...over,
});
const post = (payload: unknown, headers: Record<string, string>) =>
  t.app.inject({ method: 'POST', url: '/api/events/voicemail', headers, payload: payload as object });

async function jobFor(e: { tenantId: number; eventId: string }) {
  return t.deps.producer.voicemailQueue.getJob(`vm-${e.tenantId}-${e.eventId}`);
}

it('queues an event published with the admin token', async () => {
  const e = event();
  const res = await post(e, admin);
  expect(res.statusCode).toBe(202);
  expect(res.body).toBe('{"status":"queued"}');
  const job = await jobFor(e);
  expect(job?.name).toBe('voicemail.received');
  expect(job?.data).toEqual(e);
});

it("queues an event published with an events:publish key of the event's tenant", async () => {
  const e = event();
  const res = await post(e, { 'x-api-key': publisher });
  expect(res.body).toBe('{"status":"queued"}');
  expect(await jobFor(e)).toBeDefined();
  expect(await countMessages(t)).toBe(0);
});

it('answers duplicate while the job is still in Redis', async () => {
  const e = event();
  expect((await post(e, admin)).body).toBe('{"status":"queued"}');
  const again = await post({ ...e, durationSeconds: 1 }, { 'x-api-key': publisher });
  expect(again.statusCode).toBe(202);
  expect(again.body).toBe('{"status":"duplicate"}');
  expect(((await jobFor(e))?.data as { durationSeconds: number } | undefined)?.durationSeconds).toBe(42);
});

it('answers duplicate when a worker already recorded the event, even after its job is gone', async () => {
  const e = event();
  await t.db.prisma.$executeRawUnsafe(
    `INSERT INTO messages (id, tenant_id, kind, source, body, status, error_code, event_id, updated_at) VALUES (gen_random_uuid(), 59, 'voicemail', 'event', '', 'skipped', 'voicemail_disabled', $1, now())`,
    e.eventId,
  );
  const res = await post(e, admin);
  expect(res.body).toBe('{"status":"duplicate"}');
  expect(await jobFor(e)).toBeUndefined();
});

it('the same eventId for another tenant is another event', async () => {
  const e = event();
  expect((await post(e, admin)).body).toBe('{"status":"queued"}');
  expect((await post({ ...e, tenantId: 61 }, { 'x-api-key': otherPublisher })).body).toBe('{"status":"queued"}');
});

it.each([
  ['no credentials', {}, 401, '{"error":"Missing, unknown or revoked API key","code":"unauthorized"}'],
  ['a wrong admin token', { authorization: 'Bearer wrong-token-0123456789' }, 401, '{"error":"Missing, unknown or revoked API key","code":"unauthorized"}'],
  ['a key without events:publish', { 'x-api-key': 'SENDER' }, 403, '{"error":"This API key lacks the events:publish permission","code":"forbidden"}'],
  ['a key of another tenant', { 'x-api-key': 'OTHER' }, 403, '{"error":"tenantId: must be this API key\'s tenant","code":"forbidden"}'],
])('refuses %s', async (_name, headers, status, body) => {
  const h = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v === 'SENDER' ? sender : v === 'OTHER' ? otherPublisher : v]));
  const e = event();
  const res = await post(e, h);
  expect(res.statusCode).toBe(status);
  expect(res.body).toBe(body);
  expect(await jobFor(e)).toBeUndefined();
});

it.each([
  ['a bad eventId', { eventId: 'has:colon' }, /eventId/],
  ['a string tenantId', { tenantId: '59' }, /tenantId/],
  ['a missing receivedAt', { receivedAt: undefined }, /receivedAt/],
  ['a bad extension', { extension: '' }, /extension/],
])('answers 400 invalid_request naming the field for %s (before auth)', async (_name, over, field) => {
  const res = await post(event(over), {});
  expect(res.statusCode).toBe(400);
  const body = res.json<{ error: string; code: string }>();
  expect(body.code).toBe('invalid_request');
  expect(body.error).toMatch(field);
});

it('a body over 16 KiB is 413', async () => {
  const res = await post(event({ callerName: 'x'.repeat(17_000) }), admin);
  expect(res.statusCode).toBe(413);
  expect(res.body).toBe('{"error":"Request body is too large","code":"payload_too_large"}');
});
