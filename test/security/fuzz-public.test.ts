import { Writable } from 'node:stream';
import fc from 'fast-check';
import { createLogger } from '@pbx-sms/observability';
import {
  admin,
  startTestApi,
  type TestApi,
  DEST,
  SENDER,
  setupTenant,
  checkRequest,
  FUZZ_RUNS,
  newStats,
  pathSegment,
  payloads,
  shaped,
  withPayload,
} from '@pbx-sms/testing';

/**
 * Fuzzing every public endpoint with a valid key (so input reaches parsing, the rules and the
 * database) and with hostile keys: no 5xx, every 4xx `{"error": …}`. The API logs at debug level
 * into a capture that is checked afterwards: no key, number or body may appear in it.
 */
let t: TestApi;
let key: string;
const stats = newStats();
const logChunks: string[] = [];

beforeAll(async () => {
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logChunks.push(chunk.toString('utf8'));
      cb();
    },
  });
  t = await startTestApi('fuzzpublic', { API_KEY_RATE_PER_SEC: '1000000' }, { logger: createLogger({ level: 'debug', destination }) });
  key = await setupTenant(t, 59, { permissions: ['sms:send', 'events:publish'] });
  await setupTenant(t, 60);
});
afterAll(async () => {
  process.stdout.write(`public fuzz: ${stats.cases} cases, by status ${JSON.stringify(stats.byStatus)}, 5xx ${stats.fiveHundreds}\n`);
  await t?.close();
});

const keyArb = fc.oneof(
  fc.constant('VALID'),
  fc.constant('VALID'),
  fc.string({ maxLength: 80 }),
  fc.constantFrom('', 'pbx_', `pbx_abcdefgh_${'x'.repeat(43)}`, 'pbx_%00_x', 'Bearer x'),
);
const realKey = (k: string) => (k === 'VALID' ? key : k);
const b64Arb = fc.oneof(
  fc.string({ maxLength: 200 }).map((s) => Buffer.from(s).toString('base64')),
  fc.string({ maxLength: 60 }),
  fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.from(b).toString('base64')),
);
const numberArb = fc.oneof(
  fc.constantFrom(DEST, SENDER, ' 14165551234', '+15555550100', '%2B14165551234'),
  fc.string({ maxLength: 20 }),
  fc.stringMatching(/^\+?[0-9]{0,16}$/),
);
const serverArb = fc.oneof(fc.constantFrom('59', '60', '0', '-1', '59.0', '1e3', ''), fc.string({ maxLength: 8 }));

function actionQuery(p: Record<string, string | undefined>): string {
  return Object.entries(p)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v!)}`)
    .join('&');
}

const actionParams = fc.record(
  {
    action: fc.oneof(fc.constant('pbxware.sms.send_message'), fc.string({ maxLength: 30 })),
    apikey: keyArb,
    server: serverArb,
    to_number: numberArb,
    body: b64Arb,
  },
  { requiredKeys: [] },
);

describe('fuzz the action API', () => {
  it(`GET: ${FUZZ_RUNS} random queries answer below 500`, async () => {
    await fc.assert(
      fc.asyncProperty(actionParams, async (p) => {
        const q = actionQuery({ ...p, apikey: p.apikey === undefined ? undefined : realKey(p.apikey) });
        await checkRequest(t.app, { method: 'GET', url: `/?${q}` }, stats);
      }),
      { numRuns: FUZZ_RUNS },
    );
  }, 300_000);

  it(`POST: ${FUZZ_RUNS} random form, JSON and raw bodies answer below 500`, async () => {
    await fc.assert(
      fc.asyncProperty(
        actionParams,
        fc.constantFrom('form', 'json', 'raw'),
        payloads(['action', 'apikey', 'server', 'to_number', 'body']),
        async (p, style, raw) => {
          const params = { ...p, apikey: p.apikey === undefined ? undefined : realKey(p.apikey) };
          const opts =
            style === 'form'
              ? withPayload({ method: 'POST', url: '/' }, { contentType: 'application/x-www-form-urlencoded', body: actionQuery(params) })
              : style === 'json'
                ? withPayload({ method: 'POST', url: '/?action=pbxware.sms.send_message' }, { contentType: 'application/json', body: JSON.stringify(params) })
                : withPayload({ method: 'POST', url: `/?apikey=${encodeURIComponent(key)}` }, raw);
          await checkRequest(t.app, opts, stats);
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  }, 300_000);
});

// Mostly well-formed bodies too, so a good share of requests get past validation to the rules and the database.
const textArb = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 800 }),
  fc.string({ unit: 'binary', maxLength: 100 }),
  fc.constant('x'.repeat(1531)),
);
const json = (o: unknown) => ({ contentType: 'application/json', body: JSON.stringify(o) });
const nearlyValid: Record<string, fc.Arbitrary<{ contentType: string | undefined; body: string | undefined }>> = {
  send: fc.record({ to: numberArb, message: textArb }).map(json),
  voicemail: fc
    .record({ extension: fc.oneof(fc.constantFrom('1001', '9999'), fc.string({ maxLength: 40 })), message: fc.option(textArb, { nil: undefined }) })
    .map(json),
  none: fc.constant({ contentType: undefined, body: undefined }),
};

describe.each([
  { name: 'POST /api/sms/send', method: 'POST' as const, url: () => '/api/sms/send', fields: ['to', 'message'], valid: 'send' },
  {
    name: 'POST /api/sms/notifications/voicemail',
    method: 'POST' as const,
    url: () => '/api/sms/notifications/voicemail',
    fields: ['extension', 'message'],
    valid: 'voicemail',
  },
  { name: 'GET /api/sms/messages/:id', method: 'GET' as const, url: (seg: string) => `/api/sms/messages/${seg}`, fields: [], valid: 'none' },
  {
    name: 'GET /api/sms/messages',
    method: 'GET' as const,
    url: (seg: string) => `/api/sms/messages?status=${seg}&cursor=${seg}&limit=${seg}`,
    fields: [],
    valid: 'none',
  },
])('fuzz $name', ({ method, url, fields, valid }) => {
  it(`answers below 500 with {"error"} bodies for ${FUZZ_RUNS} random requests`, async () => {
    await fc.assert(
      fc.asyncProperty(
        keyArb,
        pathSegment,
        fc.oneof(payloads(fields), nearlyValid[valid]!),
        fc.option(fc.string({ maxLength: 40 })),
        async (k, seg, payload, idem) => {
          const headers: Record<string, string> = { 'x-api-key': realKey(k) };
          if (idem !== null) headers['idempotency-key'] = idem;
          await checkRequest(
            t.app,
            withPayload({ method, url: url(seg), headers }, method === 'GET' ? { contentType: undefined, body: undefined } : payload),
            stats,
          );
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  }, 300_000);
});

describe('fuzz the voicemail event schema (POST /api/events/voicemail)', () => {
  const eventArb = fc.oneof(
    shaped(['eventId', 'tenantId', 'extension', 'callerId', 'callerName', 'durationSeconds', 'receivedAt', 'urgent']),
    fc.record({
      eventId: fc.oneof(fc.stringMatching(/^[A-Za-z0-9._-]{1,20}$/), fc.string({ maxLength: 140 })),
      tenantId: fc.oneof(fc.constantFrom(59, 60, 0, -1, 2 ** 31, 1.5), fc.integer()),
      extension: fc.oneof(fc.constantFrom('1001', '9999', ''), fc.string({ maxLength: 40 })),
      callerId: fc.option(fc.string({ maxLength: 70 }), { nil: undefined }),
      callerName: fc.option(fc.string({ maxLength: 140 }), { nil: undefined }),
      durationSeconds: fc.option(fc.oneof(fc.integer(), fc.double()), { nil: undefined }),
      receivedAt: fc.oneof(
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        fc.string({ maxLength: 30 }),
      ),
      urgent: fc.option(fc.oneof(fc.boolean(), fc.string()), { nil: undefined }),
    }),
  );
  it(`answers below 500 for ${FUZZ_RUNS} random events, with the admin token and with a tenant key`, async () => {
    await fc.assert(
      fc.asyncProperty(eventArb, fc.boolean(), async (event, useAdmin) => {
        const headers: Record<string, string> = useAdmin ? admin : { 'x-api-key': key };
        await checkRequest(t.app, { method: 'POST', url: '/api/events/voicemail', headers, payload: event }, stats);
      }),
      { numRuns: FUZZ_RUNS },
    );
  }, 300_000);
});

describe('logs of the whole fuzz run', () => {
  it('contain no API key, phone number or message body', () => {
    const all = logChunks.join('');
    expect(all.length).toBeGreaterThan(1000);
    for (const secret of [key, SENDER, DEST, SENDER.slice(1), DEST.slice(1)]) expect(all).not.toContain(secret);
  });
});
