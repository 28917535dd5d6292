import { startTestApi, type TestApi, actionUrl, b64, countMessages, DEST, expectAccepted, setupTenant } from '@pbx-sms/testing';

/**
 * The action API as real callers use it (issue 12): the spec's `Content-Type: application/json`
 * with the parameters in the query string and no body, and Base64 as `base64` prints it.
 */

const action = 'pbxware.sms.send_message';
let t: TestApi;
let key: string;

beforeAll(async () => {
  t = await startTestApi('action-edges');
  key = await setupTenant(t, 59);
});
afterAll(async () => {
  await t.close();
});

const params = (text: string) => ({ action, server: 59, to_number: DEST, body: b64(text) });

describe('an empty body with a JSON or form content type is no body', () => {
  it.each([
    ['POST', 'application/json'],
    ['POST', 'application/json; charset=utf-8'],
    ['POST', 'application/x-www-form-urlencoded'],
    ['POST', 'application/x-www-form-urlencoded; charset=UTF-8'],
    ['GET', 'application/json'],
    ['GET', 'application/x-www-form-urlencoded'],
  ] as const)('%s with Content-Type %s, the parameters in the query string', async (method, contentType) => {
    const text = `${method} ${contentType}`;
    const res = await t.app.inject({ method, url: actionUrl(params(text)), headers: { 'x-api-key': key, 'content-type': contentType } });
    await expectAccepted(t, res, { body: text, source: 'action' });
  });

  it("the spec's headers over a real connection (Content-Length: 0)", async () => {
    const base = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const res = await fetch(`${base}${actionUrl(params('over HTTP'))}`, {
      method: 'POST',
      headers: { 'X-API-Key': key, 'Content-Type': 'application/json' },
      body: '',
    });
    await expectAccepted(t, { statusCode: res.status, body: await res.text() }, { body: 'over HTTP' });
  });

  it.each([
    ['malformed JSON', '{"action":'],
    ['white space only', ' \n'],
  ])('a non-empty body that is not JSON is still refused: %s', async (_name, payload) => {
    const before = await countMessages(t);
    const res = await t.app.inject({ method: 'POST', url: actionUrl(params('x')), headers: { 'x-api-key': key, 'content-type': 'application/json' }, payload });
    expect(res.statusCode).toBe(400);
    expect(res.body).toBe('{"error":"Request body is not valid JSON","code":"invalid_request"}');
    expect(await countMessages(t)).toBe(before);
  });

  it('/api/sms/send still refuses an empty JSON body as before', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/sms/send', headers: { 'x-api-key': key, 'content-type': 'application/json' } });
    expect(res.statusCode).toBe(400);
    expect(res.body).toBe('{"error":"Request body is not valid JSON","code":"invalid_request"}');
  });
});

describe('Base64 as tools print it', () => {
  // `printf '%s' "$text" | base64` (GNU coreutils 9.1: wrapped at 76 characters, with a final line break).
  const text = 'New voicemail from Ann <+14165559999> (1:15) for extension 1001.';
  const gnu = 'TmV3IHZvaWNlbWFpbCBmcm9tIEFubiA8KzE0MTY1NTU5OTk5PiAoMToxNSkgZm9yIGV4dGVuc2lv\nbiAxMDAxLg==\n';

  it('a wrapped GNU base64 body of a 64-byte text, URL-encoded in the query string', async () => {
    expect(Buffer.byteLength(text)).toBeGreaterThan(57);
    const res = await t.app.inject({ method: 'GET', url: actionUrl({ ...params(''), apikey: key, body: gnu }) });
    await expectAccepted(t, res, { body: text });
  });

  it("the same as `$(… | base64)` (no final line break) in a form body, as docs/api.md's curl sends it", async () => {
    const form = new URLSearchParams({ action, server: '59', to_number: DEST, body: gnu.trimEnd() }).toString();
    const res = await t.app.inject({
      method: 'POST',
      url: '/',
      headers: { 'x-api-key': key, 'content-type': 'application/x-www-form-urlencoded' },
      payload: form,
    });
    await expectAccepted(t, res, { body: text });
  });

  it('a body that is not Base64 is still invalid_body', async () => {
    const res = await t.app.inject({ method: 'GET', url: actionUrl({ ...params(''), apikey: key, body: 'abc$\n' }) });
    expect(res.statusCode).toBe(400);
    expect(res.body).toBe('{"error":"body: The message body is not base64 of UTF-8 text","code":"invalid_body"}');
  });
});
