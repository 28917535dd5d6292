import { Queue } from 'bullmq';
import { type DryRunAnswer } from '@pbx-sms/operations';
import { QUEUES } from '@pbx-sms/queue';
import { admin, ADMIN_TOKEN, startTestApi, type TestApi } from '@pbx-sms/testing';

let t: TestApi;
beforeAll(async () => {
  t = await startTestApi('ops');
  const put = (url: string, payload: object) => t.app.inject({ method: 'PUT', url, payload, headers: admin });
  await put('/api/admin/tenants/59', { name: 'Demo' });
  await put('/api/admin/tenants/59/sms-numbers/%2B14165550100', { smsEnabled: true });
  await put('/api/admin/tenants/59/sms-settings', { active: true, senderNumber: '+14165550100', voicemailEnabled: true, apiEnabled: true });
  await put('/api/admin/tenants/59/extensions/1001', { smsNotifications: true, smsNumber: '+14165551234' });
  await put('/api/admin/tenants/59/extensions/1002', { smsNotifications: false, smsNumber: '+14165551234' });
  await put('/api/admin/tenants/59/extensions/1003', { smsNotifications: true, smsNumber: null });
  await put('/api/admin/tenants/60', { name: 'Other' });
  await put('/api/admin/tenants/61', { name: 'No voicemail' });
  await put('/api/admin/tenants/61/sms-numbers/%2B14165550100', { smsEnabled: true });
  await put('/api/admin/tenants/61/sms-settings', { active: true, senderNumber: '+14165550100', voicemailEnabled: false, apiEnabled: true });
});
afterAll(async () => {
  await t.close();
});

const dryRun = (tenant: number, payload: object) => t.app.inject({ method: 'POST', url: `/api/admin/tenants/${tenant}/dry-run`, payload, headers: admin });

describe('dry run: which rule blocks, in plain words', () => {
  it.each([
    [59, { extension: '1001' }, true, null, /would be sent/],
    [59, { extension: '1002' }, false, 'extension_notifications', /SMS notifications are off for extension 1002/],
    [59, { extension: '1003' }, false, 'extension_number', /Extension 1003 has no SMS number/],
    [59, { extension: '9999' }, false, 'extension_exists', /Extension 9999 is not configured/],
    [59, { to: '+14165551234' }, true, null, /would be sent/],
    [59, { to: '+15555550100' }, false, 'destination_valid', /not a valid \+E\.164/],
    [60, { to: '+14165551234' }, false, 'api_enabled', /Enable SMS API is set to No/],
    [60, { extension: '1001' }, false, 'tenant_active', /Active is set to No/],
    [61, { extension: '1001' }, false, 'voicemail_enabled', /Voicemail notifications are set to No/],
    [61, { to: '+14165551234' }, true, null, /would be sent/],
  ])('tenant %i %j', async (tenant, payload, wouldSend, rule, summary) => {
    const res = await dryRun(tenant, payload);
    expect(res.statusCode).toBe(200);
    const body = res.json<DryRunAnswer>();
    expect(body.wouldSend).toBe(wouldSend);
    expect(body.blockedBy?.rule ?? null).toBe(rule);
    expect(body.summary).toMatch(summary);
    expect(body.rules.length).toBeGreaterThanOrEqual(3);
  });

  it('names the sender problem and the documented answer', async () => {
    await t.app.inject({ method: 'PUT', url: '/api/admin/tenants/59/sms-numbers/%2B14165550100', payload: { smsEnabled: false }, headers: admin });
    const body = (await dryRun(59, { to: '+14165551234' })).json<DryRunAnswer>();
    expect(body.blockedBy).toMatchObject({ rule: 'sender_valid', code: 'sender_invalid', explanation: 'The sender number is not SMS-enabled' });
    expect(body.answer).toEqual({ status: 422, code: 'sender_invalid' });
    await t.app.inject({ method: 'PUT', url: '/api/admin/tenants/59/sms-numbers/%2B14165550100', payload: { smsEnabled: true }, headers: admin });
  });

  it('refuses a body with both or neither of extension and to', async () => {
    expect((await dryRun(59, {})).statusCode).toBe(400);
    expect((await dryRun(59, { extension: '1001', to: '+14165551234' })).statusCode).toBe(400);
  });
});

describe('trace and failed-message handling', () => {
  let failedId: string;
  beforeAll(async () => {
    const m = await t.db.prisma.message.create({
      data: {
        tenantId: 59,
        kind: 'api',
        source: 'rest',
        from: '+14165550100',
        to: '+14165551234',
        body: 'x',
        status: 'failed',
        errorCode: 'provider_rejected',
        errorDetail: 'InvalidParameter',
        attempts: 1,
      },
    });
    await t.db.prisma.messageAttempt.create({
      data: {
        messageId: m.id,
        attempt: 1,
        finishedAt: new Date(),
        outcome: 'failed',
        errorCode: 'provider_rejected',
        providerError: 'InvalidParameter: bad',
        durationMs: 12,
      },
    });
    failedId = m.id;
  });

  it('traces a message with every attempt', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/admin/tenants/59/messages/${failedId}/trace`, headers: admin });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'failed',
      explanation: expect.stringMatching(/Failed after 1 attempt.*provider_rejected/) as unknown,
      attempts: [{ attempt: 1, outcome: 'failed', providerError: 'InvalidParameter: bad' }],
    });
  });

  it.each([
    [
      'sent',
      { status: 'sent' as const, attempts: 1, providerMessageId: 'sns-1', sentAt: new Date() },
      /^Sent at .* after 1 attempt\(s\); the provider's message id is sns-1/,
    ],
    [
      'skipped',
      { status: 'skipped' as const, errorCode: 'destination_missing', errorDetail: 'SMS notifications are off for extension 1002' },
      /^Not sent: SMS notifications are off for extension 1002 \(destination_missing\)/,
    ],
    ['queued', { status: 'queued' as const }, /^Queued since .*, waiting for a worker/],
  ])('explains a %s message in plain words', async (_s, data, explanation) => {
    const m = await t.db.prisma.message.create({ data: { tenantId: 59, kind: 'voicemail', source: 'event', body: 'x', ...data } });
    const res = await t.app.inject({ method: 'GET', url: `/api/admin/tenants/59/messages/${m.id}/trace`, headers: admin });
    expect(res.json<{ explanation: string }>().explanation).toMatch(explanation);
  });

  it("does not trace another tenant's message", async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/admin/tenants/60/messages/${failedId}/trace`, headers: admin });
    expect(res.statusCode).toBe(404);
  });

  it('lists failed messages and retries one through the normal path', async () => {
    const list = await t.app.inject({ method: 'GET', url: '/api/admin/messages/failed?tenantId=59&code=provider_rejected', headers: admin });
    expect(list.json<{ id: string }[]>().map((m) => m.id)).toEqual([failedId]);
    const retry = await t.app.inject({ method: 'POST', url: `/api/admin/tenants/59/messages/${failedId}/retry`, headers: admin });
    expect(retry.statusCode).toBe(202);
    expect((await t.db.prisma.message.findUniqueOrThrow({ where: { id: failedId } })).status).toBe('queued');
    const queue = new Queue(QUEUES.smsSend, { connection: t.deps.redis, prefix: t.prefix });
    expect(await (await queue.getJob(failedId))?.getState()).toBe('waiting');
    await queue.close();
    const again = await t.app.inject({ method: 'POST', url: `/api/admin/tenants/59/messages/${failedId}/retry`, headers: admin });
    expect(again.statusCode).toBe(400);
    expect(again.json<{ error: string }>().error).toMatch(/is queued; only failed messages can be retried/);
  });
});

describe('retrying a message erased by retention (MESSAGE_RETENTION_DAYS)', () => {
  /** A failed message as housekeeping leaves it: body '' and numbers NULL. */
  const erased = () =>
    t.db.prisma.message.create({
      data: { tenantId: 60, kind: 'api', source: 'rest', from: null, to: null, body: '', status: 'failed', errorCode: 'provider_unavailable', attempts: 3 },
    });

  it('is refused with a 400 naming why, and the message stays failed', async () => {
    const m = await erased();
    const res = await t.app.inject({ method: 'POST', url: `/api/admin/tenants/60/messages/${m.id}/retry`, headers: admin });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: `Message ${m.id} was erased by retention (MESSAGE_RETENTION_DAYS): its text and numbers are gone, so it cannot be sent again`,
      code: 'invalid_request',
    });
    expect(await t.db.prisma.message.findUniqueOrThrow({ where: { id: m.id } })).toMatchObject({ status: 'failed', roundBases: [] });
  });

  it('is skipped and counted by retry-failed, which retries the others', async () => {
    await t.db.prisma.message.deleteMany({ where: { tenantId: 60 } });
    const gone = await erased();
    const whole = await t.db.prisma.message.create({
      data: {
        tenantId: 60,
        kind: 'api',
        source: 'rest',
        from: '+14165550100',
        to: '+14165551234',
        body: 'still here',
        status: 'failed',
        errorCode: 'provider_unavailable',
        attempts: 3,
      },
    });
    const res = await t.app.inject({ method: 'POST', url: '/api/admin/messages/retry-failed', payload: { tenantId: 60 }, headers: admin });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ retried: 1, ids: [whole.id], skippedErased: 1 });
    expect((await t.db.prisma.message.findUniqueOrThrow({ where: { id: gone.id } })).status).toBe('failed');
    expect((await t.db.prisma.message.findUniqueOrThrow({ where: { id: whole.id } })).status).toBe('queued');
  });
});

describe('metrics', () => {
  it('are behind the admin token; the OpenAPI document is not', async () => {
    for (const headers of [{}, { authorization: 'Bearer wrong-token-0123456789' }, { authorization: ADMIN_TOKEN }]) {
      const res = await t.app.inject({ method: 'GET', url: '/metrics', headers });
      expect(res.statusCode).toBe(401);
      expect(res.body).toBe('{"error":"Admin routes need Authorization: Bearer <ADMIN_TOKEN>","code":"unauthorized"}');
    }
    const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: admin });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/^# HELP pbx_sms_/m);
    expect((await t.app.inject({ method: 'GET', url: '/docs/json' })).statusCode).toBe(200);
  });

  it('counts requests by route and status, and reports queue depth', async () => {
    const scrape = async () => (await t.app.inject({ method: 'GET', url: '/metrics', headers: admin })).body;
    const count = (text: string, re: RegExp) => Number(re.exec(text)?.[1] ?? 0);
    const line = /pbx_sms_http_requests_total\{route="\/api\/admin\/tenants\/:tenantId",method="GET",status="404",service="api"\} (\d+)/;
    const before = count(await scrape(), line);
    await t.app.inject({ method: 'GET', url: '/api/admin/tenants/4242', headers: admin });
    await t.app.inject({ method: 'GET', url: '/api/admin/tenants/4243', headers: admin });
    const after = await scrape();
    expect(count(after, line)).toBe(before + 2);
    expect(after).toMatch(/pbx_sms_queue_jobs\{queue="sms-send",state="waiting",service="api"\} \d+/);
  });

  it('counts accepted messages by kind and source', async () => {
    const accepted = /pbx_sms_messages_accepted_total\{kind="api",source="rest",service="api"\} (\d+)/;
    const value = async () => Number(accepted.exec((await t.app.inject({ method: 'GET', url: '/metrics', headers: admin })).body)?.[1] ?? 0);
    const before = await value();
    const key = (await t.app.inject({ method: 'POST', url: '/api/admin/tenants/59/api-keys', payload: {}, headers: admin })).json<{ key: string }>().key;
    const sent = await t.app.inject({ method: 'POST', url: '/api/sms/send', payload: { to: '+14165551234', message: 'hi' }, headers: { 'x-api-key': key } });
    expect(sent.statusCode).toBe(202);
    expect(await value()).toBe(before + 1);
  });
});

describe('queue overview', () => {
  it('shows jobs per state for both queues, behind the admin token', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/admin/queues' })).statusCode).toBe(401);
    const res = await t.app.inject({ method: 'GET', url: '/api/admin/queues', headers: admin });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ queue: string; counts: Record<string, number> }[]>();
    expect(body.map((q) => q.queue).sort()).toEqual(['sms-send', 'voicemail-events']);
    expect(body.find((q) => q.queue === 'sms-send')!.counts.waiting).toBeGreaterThanOrEqual(1);
  });
});
