import { startTestApi, type TestApi, actionUrl, b64, countMessages, DEST, expectAccepted, OTHER_DEST, SENDER, setupTenant } from '@pbx-sms/testing';

/** The PBXware action API: both styles, parameter precedence, encodings, and its errors byte for byte. */

const action = 'pbxware.sms.send_message';
let t: TestApi;
let key59: string;
let key60: string;

beforeAll(async () => {
  t = await startTestApi('action');
  key59 = await setupTenant(t, 59);
  key60 = await setupTenant(t, 60);
});
afterAll(async () => {
  await t.close();
});

const send = (params: Record<string, string | number | undefined>) => t.app.inject({ method: 'GET', url: actionUrl({ action, ...params }) });

describe('accepted requests', () => {
  it("the spec's example request, by GET", async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: `/?apikey=${key59}&action=pbxware.sms.send_message&server=59&to_number=%2B14165551234&body=WW91IGhhdmUgcmVjZWl2ZWQgYSBuZXcgdm9pY2VtYWlsLg==`,
    });
    await expectAccepted(t, res, {
      tenant_id: 59,
      kind: 'api',
      source: 'action',
      from_number: SENDER,
      to_number: DEST,
      body: 'You have received a new voicemail.',
      segments: 1,
      encoding: 'GSM-7',
      extension: null,
    });
  });

  it('POST with the parameters in the query string and no body', async () => {
    const res = await t.app.inject({ method: 'POST', url: actionUrl({ action, apikey: key59, server: 59, to_number: DEST, body: b64('query only') }) });
    await expectAccepted(t, res, { body: 'query only', source: 'action' });
  });

  it('POST with a form body', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ action, apikey: key59, server: '59', to_number: DEST, body: b64('from a form') }).toString(),
    });
    await expectAccepted(t, res, { body: 'from a form', to_number: DEST });
  });

  it('POST with a JSON body (server as a number)', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/', payload: { action, apikey: key59, server: 59, to_number: DEST, body: b64('from JSON') } });
    await expectAccepted(t, res, { body: 'from JSON' });
  });

  it('the body wins over the query string', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: actionUrl({ action: 'nope', apikey: 'pbx_wrongkey_' + 'x'.repeat(43), server: 60, to_number: '123', body: '!!' }),
      payload: { action, apikey: key59, server: '59', to_number: OTHER_DEST, body: b64('body wins') },
    });
    await expectAccepted(t, res, { tenant_id: 59, to_number: OTHER_DEST, body: 'body wins' });
  });

  it('the X-API-Key header is accepted, and wins over apikey', async () => {
    const alone = await t.app.inject({
      method: 'GET',
      url: actionUrl({ action, server: 59, to_number: DEST, body: b64('header') }),
      headers: { 'x-api-key': key59 },
    });
    await expectAccepted(t, alone, { tenant_id: 59 });
    const both = await t.app.inject({
      method: 'GET',
      url: actionUrl({ action, apikey: key60, server: 59, to_number: DEST, body: b64('header wins') }),
      headers: { 'x-api-key': key59 },
    });
    await expectAccepted(t, both, { tenant_id: 59, body: 'header wins' });
    const wrongHeader = await t.app.inject({
      method: 'GET',
      url: actionUrl({ action, apikey: key59, server: 59, to_number: DEST, body: b64('x') }),
      headers: { 'x-api-key': 'nope' },
    });
    expect(wrongHeader.statusCode).toBe(401);
  });

  it('reads an unencoded + in to_number (decoded as a space) as +', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/?action=${action}&apikey=${key59}&server=59&to_number=+14165551234&body=${b64('plus')}` });
    await expectAccepted(t, res, { to_number: DEST });
  });

  it('reads spaces in an unencoded base64 body as +, and keeps /', async () => {
    const encoded = b64('Hi there? >>>');
    expect(encoded).toBe('SGkgdGhlcmU/ID4+Pg==');
    const res = await t.app.inject({ method: 'GET', url: `/?action=${action}&apikey=${key59}&server=59&to_number=%2B14165551234&body=${encoded}` });
    await expectAccepted(t, res, { body: 'Hi there? >>>' });
  });

  it('accepts the URL-safe alphabet and missing padding', async () => {
    const res = await send({ apikey: key59, server: 59, to_number: DEST, body: 'SGkgdGhlcmU_ID4-Pg' });
    await expectAccepted(t, res, { body: 'Hi there? >>>' });
  });

  it('stores UCS-2 text with its segment count', async () => {
    const res = await send({ apikey: key59, server: 59, to_number: DEST, body: b64('Über café — 你好') });
    await expectAccepted(t, res, { body: 'Über café — 你好', encoding: 'UCS-2', segments: 1 });
  });

  it('does not answer HEAD (it would send a message)', async () => {
    const before = await countMessages(t);
    const res = await t.app.inject({ method: 'HEAD', url: actionUrl({ action, apikey: key59, server: 59, to_number: DEST, body: b64('head') }) });
    expect(res.statusCode).toBe(404);
    expect(await countMessages(t)).toBe(before);
  });
});

describe('errors, byte for byte', () => {
  const good = () => ({ apikey: key59, server: 59, to_number: DEST, body: b64('hello') });

  it.each([
    [
      'missing action',
      () => t.app.inject({ method: 'GET', url: actionUrl({ ...good() }) }),
      400,
      '{"error":"Missing action; the supported action is pbxware.sms.send_message","code":"unknown_action"}',
    ],
    [
      'unknown action',
      () => send({ ...good(), action: 'pbxware.sms.list' }),
      400,
      '{"error":"Unknown action \\"pbxware.sms.list\\"; the supported action is pbxware.sms.send_message","code":"unknown_action"}',
    ],
    [
      'unknown action on a bare GET /',
      () => t.app.inject({ method: 'GET', url: '/' }),
      400,
      '{"error":"Missing action; the supported action is pbxware.sms.send_message","code":"unknown_action"}',
    ],
    [
      'unknown action before a bad key',
      () => send({ action: 'x', apikey: 'bad' }),
      400,
      '{"error":"Unknown action \\"x\\"; the supported action is pbxware.sms.send_message","code":"unknown_action"}',
    ],
    [
      'unparseable JSON',
      () => t.app.inject({ method: 'POST', url: '/', headers: { 'content-type': 'application/json' }, payload: '{"action":' }),
      400,
      '{"error":"Request body is not valid JSON","code":"invalid_request"}',
    ],
    [
      'a JSON body that is not an object',
      () => t.app.inject({ method: 'POST', url: `/?action=${action}`, headers: { 'content-type': 'application/json' }, payload: '["x"]' }),
      400,
      '{"error":"The request body must be a form or a JSON object of parameters","code":"invalid_request"}',
    ],
    [
      'a JSON null body',
      () => t.app.inject({ method: 'POST', url: `/?action=${action}`, headers: { 'content-type': 'application/json' }, payload: 'null' }),
      400,
      '{"error":"The request body must be a form or a JSON object of parameters","code":"invalid_request"}',
    ],
    [
      'a parameter given twice',
      () => t.app.inject({ method: 'GET', url: `${actionUrl({ action, ...good() })}&to_number=%2B12015550150` }),
      400,
      '{"error":"to_number: given more than once","code":"invalid_request"}',
    ],
    [
      'an unsupported content type',
      () => t.app.inject({ method: 'POST', url: '/', headers: { 'content-type': 'application/xml' }, payload: '<x/>' }),
      415,
      '{"error":"Unsupported Content-Type; send application/json or application/x-www-form-urlencoded","code":"invalid_request"}',
    ],
    ['no key', () => send({ server: 59, to_number: DEST, body: b64('x') }), 401, '{"error":"Missing, unknown or revoked API key","code":"unauthorized"}'],
    ['a malformed key', () => send({ ...good(), apikey: 'secret' }), 401, '{"error":"Missing, unknown or revoked API key","code":"unauthorized"}'],
    [
      'an unknown key',
      () => send({ ...good(), apikey: `pbx_zzzzzzzz_${'a'.repeat(43)}` }),
      401,
      '{"error":"Missing, unknown or revoked API key","code":"unauthorized"}',
    ],
    [
      'a known prefix with the wrong secret',
      () => send({ ...good(), apikey: key59.slice(0, 13) + 'A'.repeat(key59.length - 13) }),
      401,
      '{"error":"Missing, unknown or revoked API key","code":"unauthorized"}',
    ],
    ['server of another tenant', () => send({ ...good(), server: 60 }), 403, '{"error":"server: must be this API key\'s tenant id","code":"forbidden"}'],
    [
      'server missing',
      () => send({ ...good(), server: undefined }),
      403,
      '{"error":"server: is missing; it must be this API key\'s tenant id","code":"forbidden"}',
    ],
    ['server not a number', () => send({ ...good(), server: 'fifty-nine' }), 403, '{"error":"server: must be this API key\'s tenant id","code":"forbidden"}'],
    ['to_number missing', () => send({ ...good(), to_number: undefined }), 400, '{"error":"to_number: is missing","code":"invalid_number"}'],
    [
      'to_number without +',
      () => send({ ...good(), to_number: '14165551234' }),
      400,
      '{"error":"to_number: must be a valid +E.164 number, e.g. +14165551234","code":"invalid_number"}',
    ],
    [
      'to_number with spaces',
      () => send({ ...good(), to_number: '+1 416 555 1234' }),
      400,
      '{"error":"to_number: must be a valid +E.164 number, e.g. +14165551234","code":"invalid_number"}',
    ],
    [
      'to_number with no such area code',
      () => send({ ...good(), to_number: '+15555550100' }),
      400,
      '{"error":"to_number: must be a valid +E.164 number, e.g. +14165551234","code":"invalid_number"}',
    ],
    ['body missing', () => send({ ...good(), body: undefined }), 400, '{"error":"body: is missing","code":"invalid_body"}'],
    ['body empty', () => send({ ...good(), body: '' }), 400, '{"error":"body: The message is empty","code":"invalid_body"}'],
    [
      'body not base64',
      () => send({ ...good(), body: 'not base64!' }),
      400,
      '{"error":"body: The message body is not base64 of UTF-8 text","code":"invalid_body"}',
    ],
    [
      'body with stray bits',
      () => send({ ...good(), body: 'aGl=' }),
      400,
      '{"error":"body: The message body is not base64 of UTF-8 text","code":"invalid_body"}',
    ],
    [
      'body base64 of invalid UTF-8',
      () => send({ ...good(), body: Buffer.from([0xff, 0xfe, 0x41]).toString('base64') }),
      400,
      '{"error":"body: The message body is not base64 of UTF-8 text","code":"invalid_body"}',
    ],
    [
      'body over 10 GSM-7 segments',
      () => send({ ...good(), body: b64('a'.repeat(1531)) }),
      400,
      '{"error":"Message is too long: 11 SMS segments (GSM-7, 1531 characters); the limit is 10","code":"message_too_long"}',
    ],
    [
      'body over 10 UCS-2 segments',
      () => send({ ...good(), body: b64('é你'.repeat(336)) }),
      400,
      '{"error":"Message is too long: 11 SMS segments (UCS-2, 672 characters); the limit is 10","code":"message_too_long"}',
    ],
    [
      'body over 1,600 UTF-8 bytes',
      () => send({ ...good(), body: b64('你'.repeat(600)) }),
      400,
      '{"error":"Message is too long: 1800 UTF-8 bytes; the limit is 1600","code":"message_too_long"}',
    ],
  ])('%s', async (_name, request, status, body) => {
    const before = await countMessages(t);
    const res = await request();
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.body).toBe(body);
    expect(await countMessages(t)).toBe(before);
  });

  it('a body over the 16 KiB limit is 413 in our shape', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `action=${action}&apikey=${key59}&server=59&body=${'A'.repeat(17 * 1024)}`,
    });
    expect(res.statusCode).toBe(413);
    expect(res.body).toBe('{"error":"Request body is too large","code":"payload_too_large"}');
  });
});
