import net from 'node:net';
import { startTestApi, type TestApi, countMessages, DEST, expectAccepted, setupTenant } from '@pbx-sms/testing';

/** The API over a real listening port: the spec's own examples, and what only a socket can send. */

let t: TestApi;
let key: string;
beforeAll(async () => {
  t = await startTestApi('socket');
  key = await setupTenant(t, 59);
});
afterAll(async () => {
  await t.close();
});

describe('over a real listening port', () => {
  let base: string;
  beforeAll(async () => {
    const address = await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = address;
  });

  it("accepts the spec's example URL with an unencoded + and base64 padding", async () => {
    const res = await fetch(
      `${base}/?apikey=${key}&action=pbxware.sms.send_message&server=59&to_number=+14165551234&body=WW91IGhhdmUgcmVjZWl2ZWQgYSBuZXcgdm9pY2VtYWlsLg==`,
    );
    await expectAccepted(t, { statusCode: res.status, body: await res.text() }, { to_number: DEST, body: 'You have received a new voicemail.' });
  });

  it("accepts the spec's curl example for REST send", async () => {
    const res = await fetch(`${base}/api/sms/send`, {
      method: 'POST',
      headers: { 'X-API-Key': key, 'Content-Type': 'application/json' },
      body: JSON.stringify({ to: '+14165551234', message: 'Test SMS notification' }),
    });
    await expectAccepted(t, { statusCode: res.status, body: await res.text() }, { body: 'Test SMS notification' });
  });

  it("an action-API URL over 16 KiB is 413 in our shape (not Node's bare 431), and malformed HTTP is 400 in our shape", async () => {
    const before = await countMessages(t);
    const long = await fetch(`${base}/?apikey=${key}&action=pbxware.sms.send_message&server=59&to_number=%2B14165551234&body=${'QUFB'.repeat(4500)}`);
    expect(long.status).toBe(413);
    expect(await long.text()).toBe(
      '{"error":"Request line and headers are too large (16 KiB at most): send long parameters in a POST body","code":"payload_too_large"}',
    );
    const { port } = new URL(base);
    const raw = await new Promise<string>((resolve, reject) => {
      let out = '';
      const socket = net.connect(Number(port), '127.0.0.1', () => socket.write('GARBAGE / HTTP/1.1\r\n\r\n'));
      socket.on('data', (b) => (out += b.toString()));
      socket.on('close', () => resolve(out));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(raw.slice(raw.indexOf('\r\n\r\n') + 4)).toBe('{"error":"Malformed HTTP request","code":"invalid_request"}');
    expect(await countMessages(t)).toBe(before);
  });

  it('answers a documented error and 413 byte for byte', async () => {
    const k = await setupTenant(t, 60, { apiEnabled: false });
    const disabled = await fetch(`${base}/api/sms/send`, {
      method: 'POST',
      headers: { 'X-API-Key': k, 'Content-Type': 'application/json' },
      body: '{"to":"+14165551234","message":"x"}',
    });
    expect(disabled.status).toBe(403);
    expect(await disabled.text()).toBe('{"error":"SMS API is disabled"}');
    const big = await fetch(`${base}/api/sms/send`, {
      method: 'POST',
      headers: { 'X-API-Key': key, 'Content-Type': 'application/json' },
      body: JSON.stringify({ to: DEST, message: 'x'.repeat(20_000) }),
    });
    expect(big.status).toBe(413);
    expect(await big.text()).toBe('{"error":"Request body is too large","code":"payload_too_large"}');
  });
});
