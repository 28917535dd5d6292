import { Writable } from 'node:stream';
import { createLogger } from '@pbx-sms/observability';
import { admin, startTestApi, type TestApi, actionUrl, b64, countMessages, DEST, expectAccepted, setupTenant } from '@pbx-sms/testing';

/** The action API's keys: permission, tenant isolation, revocation; and its request log lines, read from the real logger output. */

const action = 'pbxware.sms.send_message';
let t: TestApi;
let key59: string;
const logLines: string[] = [];

beforeAll(async () => {
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  t = await startTestApi('actionlogs', {}, { logger: createLogger({ level: 'info', destination }) });
  key59 = await setupTenant(t, 59);
  await setupTenant(t, 60);
});
afterAll(async () => {
  await t.close();
});

const send = (params: Record<string, string | number | undefined>) => t.app.inject({ method: 'GET', url: actionUrl({ action, ...params }) });

describe('keys', () => {
  it('a key without sms:send is 403', async () => {
    const eventsOnly = await setupTenant(t, 61, { permissions: ['events:publish'] });
    const res = await send({ apikey: eventsOnly, server: 61, to_number: DEST, body: b64('x') });
    expect(res.statusCode).toBe(403);
    expect(res.body).toBe('{"error":"This API key lacks the sms:send permission","code":"forbidden"}');
  });

  it("tenant isolation: a key of tenant 59 cannot send for tenant 60, whatever 60's settings", async () => {
    const before = await countMessages(t, 60);
    for (const server of [60, '60', ' 60']) {
      const res = await send({ apikey: key59, server, to_number: DEST, body: b64('x') });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ code: 'forbidden' });
    }
    expect(await countMessages(t, 60)).toBe(before);
  });

  it('a revoked key is refused at once', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/admin/tenants/59/api-keys', headers: admin, payload: { permissions: ['sms:send'] } });
    const { id, key } = created.json<{ id: string; key: string }>();
    await expectAccepted(t, await send({ apikey: key, server: 59, to_number: DEST, body: b64('before revoke') }));
    await t.app.inject({ method: 'DELETE', url: `/api/admin/tenants/59/api-keys/${id}`, headers: admin });
    const res = await send({ apikey: key, server: 59, to_number: DEST, body: b64('after revoke') });
    expect(res.statusCode).toBe(401);
    expect(res.body).toBe('{"error":"Missing, unknown or revoked API key","code":"unauthorized"}');
  });
});

describe('logs', () => {
  it('request log lines carry neither the key, the number nor the body', async () => {
    logLines.length = 0;
    const body = b64('secret text');
    const res = await t.app.inject({ method: 'GET', url: `/?action=${action}&apikey=${key59}&server=59&to_number=%2B14165551234&body=${body}` });
    expect(res.statusCode).toBe(202);
    const refused = await t.app.inject({
      method: 'GET',
      url: `/?action=${action}&apikey=${key59}&server=60&to_number=%2B14165551234&body=${body}`,
      headers: { 'x-api-key': key59 },
    });
    expect(refused.statusCode).toBe(403);
    const text = logLines.join('\n');
    // At info, only the refused request has a line (accepted ones are logged at debug).
    expect(logLines.some((l) => l.includes('"url":"/?action=pbxware.sms.send_message&apikey=[redacted]&server=60&to_number=[redacted]&body=[redacted]"'))).toBe(
      true,
    );
    expect(logLines.some((l) => l.includes('server=59'))).toBe(false);
    for (const secret of [key59, key59.slice(13), '14165551234', body, 'secret text']) expect(text).not.toContain(secret);
  });
});
