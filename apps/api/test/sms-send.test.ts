import { randomUUID } from 'node:crypto';
import {
  admin,
  startTestApi,
  type TestApi,
  countJobs,
  countMessages,
  DEST,
  DOCUMENTED,
  expectAccepted,
  OTHER_DEST,
  SENDER,
  setupTenant,
  sleep,
} from '@pbx-sms/testing';

/** POST /api/sms/send: acceptance and idempotency. */

let t: TestApi;
let key: string;
let key2: string;

beforeAll(async () => {
  t = await startTestApi('rest');
  key = await setupTenant(t, 59);
  key2 = await setupTenant(t, 60);
});
afterAll(async () => {
  await t.close();
});

const sendSms = (payload: unknown, headers: Record<string, string> = { 'x-api-key': key }) =>
  t.app.inject({ method: 'POST', url: '/api/sms/send', headers, payload: payload as object });

describe('POST /api/sms/send', () => {
  it("accepts the spec's example", async () => {
    const res = await sendSms({ to: '+14165551234', message: 'Test SMS notification' });
    await expectAccepted(t, res, {
      tenant_id: 59,
      kind: 'api',
      source: 'rest',
      from_number: SENDER,
      to_number: DEST,
      body: 'Test SMS notification',
      segments: 1,
      encoding: 'GSM-7',
      extension: null,
    });
  });

  it('accepts a form body too', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/sms/send',
      headers: { 'x-api-key': key, 'content-type': 'application/x-www-form-urlencoded' },
      payload: `to=%2B14165551234&message=form+text`,
    });
    await expectAccepted(t, res, { body: 'form text' });
  });

  it.each([
    [
      'missing to',
      { message: 'x' },
      { 'x-api-key': 'whatever' },
      400,
      '{"error":"to: Invalid input: expected string, received undefined","code":"invalid_request"}',
    ],
    [
      'message not text',
      { to: DEST, message: 5 },
      { 'x-api-key': 'whatever' },
      400,
      '{"error":"message: Invalid input: expected string, received number","code":"invalid_request"}',
    ],
    ['a JSON array', [{ to: DEST, message: 'x' }], {}, 400, '{"error":"(body): Invalid input: expected object, received array","code":"invalid_request"}'],
    ['no key', { to: DEST, message: 'x' }, {}, 401, '{"error":"Missing, unknown or revoked API key","code":"unauthorized"}'],
    [
      'a wrong key',
      { to: DEST, message: 'x' },
      { 'x-api-key': `pbx_abcdefgh_${'x'.repeat(43)}` },
      401,
      '{"error":"Missing, unknown or revoked API key","code":"unauthorized"}',
    ],
    [
      'the key in the Authorization header instead',
      { to: DEST, message: 'x' },
      { authorization: 'Bearer KEY' },
      401,
      '{"error":"Missing, unknown or revoked API key","code":"unauthorized"}',
    ],
    [
      'an invalid number',
      { to: '4165551234', message: 'x' },
      undefined,
      400,
      '{"error":"to: must be a valid +E.164 number, e.g. +14165551234","code":"invalid_number"}',
    ],
    ['an empty message', { to: DEST, message: '' }, undefined, 400, '{"error":"message: The message is empty","code":"invalid_body"}'],
    ['a blank message', { to: DEST, message: '  \n ' }, undefined, 400, '{"error":"message: The message is empty","code":"invalid_body"}'],
    [
      'a message over 10 segments',
      { to: DEST, message: 'a'.repeat(1600) },
      undefined,
      400,
      '{"error":"Message is too long: 11 SMS segments (GSM-7, 1600 characters); the limit is 10","code":"message_too_long"}',
    ],
    [
      'a bad Idempotency-Key',
      { to: DEST, message: 'x' },
      { 'x-api-key': 'x', 'idempotency-key': 'k'.repeat(300) },
      400,
      '{"error":"Idempotency-Key: must be 1 to 255 printable ASCII characters, given once","code":"invalid_request"}',
    ],
  ])('%s', async (_name, payload, headers, status, body) => {
    const before = await countMessages(t);
    const res = await sendSms(payload, headers ?? { 'x-api-key': key });
    expect(res.statusCode).toBe(status);
    expect(res.body).toBe(body);
    expect(await countMessages(t)).toBe(before);
  });

  it('concurrent sends (written and enqueued in batches) each get their own row and job', async () => {
    const before = await countMessages(t, 59);
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => sendSms({ to: DEST, message: `concurrent ${i}` })));
    const ids = await Promise.all(answers.map((a, i) => expectAccepted(t, a, { body: `concurrent ${i}`, tenant_id: 59 })));
    expect(new Set(ids).size).toBe(40);
    expect(await countMessages(t, 59)).toBe(before + 40);
  });

  it('a key that passed once still needs its whole secret: same prefix, another secret is 401', async () => {
    await expectAccepted(t, await sendSms({ to: DEST, message: 'verified once' }));
    const last = key.at(-1) === 'A' ? 'B' : 'A';
    const forged = `${key.slice(0, -1)}${last}`;
    const res = await sendSms({ to: DEST, message: 'x' }, { 'x-api-key': forged });
    expect(res.statusCode).toBe(401);
    expect(res.body).toBe('{"error":"Missing, unknown or revoked API key","code":"unauthorized"}');
  });

  it('the key in a query string is not accepted on REST routes', async () => {
    const res = await t.app.inject({ method: 'POST', url: `/api/sms/send?apikey=${key}`, payload: { to: DEST, message: 'x' } });
    expect(res.statusCode).toBe(401);
  });

  it('a body over 16 KiB is 413 in our shape', async () => {
    const res = await sendSms({ to: DEST, message: 'a'.repeat(17_000) });
    expect(res.statusCode).toBe(413);
    expect(res.body).toBe('{"error":"Request body is too large","code":"payload_too_large"}');
  });

  it('a key without sms:send is 403', async () => {
    const eventsOnly = await setupTenant(t, 61, { permissions: ['events:publish'] });
    const res = await sendSms({ to: DEST, message: 'x' }, { 'x-api-key': eventsOnly });
    expect(res.statusCode).toBe(403);
    expect(res.body).toBe('{"error":"This API key lacks the sms:send permission","code":"forbidden"}');
  });

  it('config written through the admin API applies to the next request (cache dropped)', async () => {
    const k = await setupTenant(t, 62);
    await expectAccepted(t, await sendSms({ to: DEST, message: 'on' }, { 'x-api-key': k }));
    const put = await t.app.inject({
      method: 'PUT',
      url: '/api/admin/tenants/62/sms-settings',
      headers: admin,
      payload: { active: true, senderNumber: SENDER, voicemailEnabled: true, apiEnabled: false },
    });
    expect(put.statusCode).toBe(200);
    const res = await sendSms({ to: DEST, message: 'off' }, { 'x-api-key': k });
    expect(res.statusCode).toBe(403);
    expect(res.body).toBe(DOCUMENTED.api_disabled);
  });

  it('records lastUsedAt, without a write per request', async () => {
    const k = await setupTenant(t, 63);
    for (let i = 0; i < 3; i++) await expectAccepted(t, await sendSms({ to: DEST, message: `m${i}` }, { 'x-api-key': k }));
    let row: { last_used_at: Date | null } | undefined;
    for (let i = 0; i < 50 && !row?.last_used_at; i++) {
      [row] = await t.db.prisma.$queryRawUnsafe<{ last_used_at: Date | null }[]>('SELECT last_used_at FROM api_keys WHERE tenant_id = 63');
      await sleep(20);
    }
    expect(row?.last_used_at).toBeInstanceOf(Date);
    const first = row!.last_used_at!.getTime();
    await expectAccepted(t, await sendSms({ to: DEST, message: 'again' }, { 'x-api-key': k }));
    await sleep(100);
    const [after] = await t.db.prisma.$queryRawUnsafe<{ last_used_at: Date }[]>('SELECT last_used_at FROM api_keys WHERE tenant_id = 63');
    expect(after!.last_used_at.getTime()).toBe(first);
  });

  it('a key revoked by another process stops working once that process announces it', async () => {
    const k = await setupTenant(t, 64);
    await expectAccepted(t, await sendSms({ to: DEST, message: 'before' }, { 'x-api-key': k }));
    await t.db.prisma.$executeRawUnsafe('UPDATE api_keys SET revoked_at = now() WHERE tenant_id = 64');
    await t.deps.producer.announceConfigChange(64);
    let status = 0;
    const seen: string[] = [];
    for (let i = 0; i < 50 && status !== 401; i++) {
      await sleep(20);
      const res = await sendSms({ to: DEST, message: 'after' }, { 'x-api-key': k });
      status = res.statusCode;
      seen.push(`${status} ${res.body}`);
    }
    expect(seen.at(-1)).toMatch(/^401 /);
  });
});

describe('Idempotency-Key', () => {
  it('replays the first answer for the same request and creates nothing', async () => {
    const headers = { 'x-api-key': key, 'idempotency-key': 'order-1' };
    const first = await sendSms({ to: DEST, message: 'once' }, headers);
    const id = await expectAccepted(t, first);
    const [messages, jobs] = [await countMessages(t), await countJobs(t)];
    const again = await sendSms({ message: 'once', to: DEST }, headers);
    expect(again.statusCode).toBe(202);
    expect(again.body).toBe(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await countMessages(t)).toBe(messages);
    expect(await countJobs(t)).toBe(jobs);
    const rows = await t.db.prisma.$queryRawUnsafe<{ response_status: number; response_body: string; expires_at: Date }[]>(
      'SELECT response_status, response_body, expires_at FROM idempotency_keys WHERE tenant_id = 59 AND key = $1',
      'order-1',
    );
    expect(rows[0]).toMatchObject({ response_status: 202, response_body: `{"id":"${id}","status":"queued"}` });
    const hours = (rows[0]!.expires_at.getTime() - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);
  });

  it('answers 422 idempotency_conflict for a different request with the same key', async () => {
    const headers = { 'x-api-key': key, 'idempotency-key': 'order-2' };
    await expectAccepted(t, await sendSms({ to: DEST, message: 'first' }, headers));
    const before = await countMessages(t);
    for (const payload of [
      { to: DEST, message: 'second' },
      { to: OTHER_DEST, message: 'first' },
    ]) {
      const res = await sendSms(payload, headers);
      expect(res.statusCode).toBe(422);
      expect(res.body).toBe('{"error":"Idempotency-Key was already used with a different request","code":"idempotency_conflict"}');
    }
    expect(await countMessages(t)).toBe(before);
  });

  it('keys are per tenant', async () => {
    const a = await sendSms({ to: DEST, message: 'shared key' }, { 'x-api-key': key, 'idempotency-key': 'shared' });
    const b = await sendSms({ to: DEST, message: 'shared key' }, { 'x-api-key': key2, 'idempotency-key': 'shared' });
    const idA = await expectAccepted(t, a, { tenant_id: 59 });
    const idB = await expectAccepted(t, b, { tenant_id: 60 });
    expect(idA).not.toBe(idB);
  });

  it('concurrent duplicates create one message and all answer it', async () => {
    const before = await countMessages(t, 59);
    const headers = { 'x-api-key': key, 'idempotency-key': `burst-${randomUUID()}` };
    const answers = await Promise.all(Array.from({ length: 12 }, () => sendSms({ to: DEST, message: 'burst' }, headers)));
    expect(answers.map((a) => a.statusCode)).toEqual(Array(12).fill(202));
    expect(new Set(answers.map((a) => a.body)).size).toBe(1);
    await expectAccepted(t, answers[0]!);
    expect(await countMessages(t, 59)).toBe(before + 1);
  });

  it('a refused request keeps nothing, so a retry is evaluated afresh', async () => {
    const headers = { 'x-api-key': key, 'idempotency-key': 'refused-1' };
    const res = await sendSms({ to: '+1', message: 'x' }, headers);
    expect(res.statusCode).toBe(400);
    const rows = await t.db.prisma.$queryRawUnsafe<unknown[]>('SELECT 1 FROM idempotency_keys WHERE key = $1', 'refused-1');
    expect(rows).toHaveLength(0);
    expect((await sendSms({ to: '+1', message: 'x' }, headers)).statusCode).toBe(400);
  });

  it('a claim left in progress by a request that died is recovered', async () => {
    const insertPending = (k: string, id: string, hashOf: unknown[]) =>
      t.db.prisma.$executeRawUnsafe(
        `INSERT INTO idempotency_keys (tenant_id, key, request_hash, response_status, response_body, created_at, expires_at)
         VALUES (59, $1, encode(sha256(convert_to($2, 'UTF8')), 'hex'), 0, $3, now() - interval '5 minutes', now() + interval '1 day')`,
        k,
        JSON.stringify(hashOf),
        `{"id":"${id}","status":"queued"}`,
      );
    // Its message was never written: this request takes the claim over.
    await insertPending('died-before-insert', randomUUID(), ['sms.send', DEST, 'recover']);
    const taken = await sendSms({ to: DEST, message: 'recover' }, { 'x-api-key': key, 'idempotency-key': 'died-before-insert' });
    await expectAccepted(t, taken);

    // Its message was written: that message is the answer.
    const existing = await expectAccepted(t, await sendSms({ to: DEST, message: 'written' }));
    await insertPending('died-after-insert', existing, ['sms.send', DEST, 'written']);
    const before = await countMessages(t);
    const replay = await sendSms({ to: DEST, message: 'written' }, { 'x-api-key': key, 'idempotency-key': 'died-after-insert' });
    expect(replay.statusCode).toBe(202);
    expect(replay.json()).toEqual({ id: existing, status: 'queued' });
    expect(await countMessages(t)).toBe(before);
  });
});
