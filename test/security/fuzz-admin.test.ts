import fc from 'fast-check';
import { admin, startTestApi, type TestApi, checkRequest, FUZZ_RUNS, newStats, pathSegment, payloads, withPayload } from '@pbx-sms/testing';

/**
 * Fuzzing every admin endpoint (with the admin token, so the input reaches validation and the
 * database): no 5xx, no crash, every 4xx in the `{error, code}` shape.
 */
let t: TestApi;
const stats = newStats();
beforeAll(async () => {
  t = await startTestApi('fuzzadmin');
  await t.app.inject({ method: 'PUT', url: '/api/admin/tenants/59', payload: { name: 'Fuzz' }, headers: admin });
  await t.app.inject({ method: 'PUT', url: '/api/admin/tenants/59/sms-numbers/%2B14165550100', payload: { smsEnabled: true }, headers: admin });
});
afterAll(async () => {
  process.stdout.write(`admin fuzz: ${stats.cases} cases, by status ${JSON.stringify(stats.byStatus)}, 5xx ${stats.fiveHundreds}\n`);
  await t.close();
});

const endpoints: { name: string; method: 'PUT' | 'POST' | 'GET' | 'DELETE'; path: (a: string, b: string) => string; fields: string[] }[] = [
  { name: 'PUT tenant', method: 'PUT', path: (a) => `/api/admin/tenants/${a}`, fields: ['name', 'timeZone'] },
  { name: 'PUT sms-number', method: 'PUT', path: (a, b) => `/api/admin/tenants/${a}/sms-numbers/${b}`, fields: ['smsEnabled'] },
  {
    name: 'PUT sms-settings',
    method: 'PUT',
    path: (a) => `/api/admin/tenants/${a}/sms-settings`,
    fields: ['active', 'senderNumber', 'voicemailEnabled', 'apiEnabled', 'voicemailTemplate'],
  },
  { name: 'PUT extension', method: 'PUT', path: (a, b) => `/api/admin/tenants/${a}/extensions/${b}`, fields: ['smsNotifications', 'smsNumber'] },
  { name: 'POST api-key', method: 'POST', path: (a) => `/api/admin/tenants/${a}/api-keys`, fields: ['permissions', 'name'] },
  { name: 'DELETE api-key', method: 'DELETE', path: (a, b) => `/api/admin/tenants/${a}/api-keys/${b}`, fields: [] },
  { name: 'POST dry-run', method: 'POST', path: (a) => `/api/admin/tenants/${a}/dry-run`, fields: ['extension', 'to', 'via'] },
  { name: 'GET trace', method: 'GET', path: (a, b) => `/api/admin/tenants/${a}/messages/${b}/trace`, fields: [] },
  { name: 'GET failed', method: 'GET', path: (a, b) => `/api/admin/messages/failed?tenantId=${a}&since=${b}`, fields: [] },
];

describe.each(endpoints)('fuzz $name', ({ method, path, fields }) => {
  it(`answers below 500 with {"error"} bodies for ${FUZZ_RUNS} random requests`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('59', '60'), pathSegment, pathSegment, payloads(fields), fc.boolean(), async (tenant, a, b, payload, realTenant) => {
        const url = path(realTenant ? tenant : a, b);
        await checkRequest(t.app, withPayload({ method, url, headers: admin }, payload), stats);
      }),
      { numRuns: FUZZ_RUNS },
    );
  }, 300_000);
});
