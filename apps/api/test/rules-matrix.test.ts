import {
  admin,
  startTestApi,
  type TestApi,
  actionUrl,
  b64,
  countMessages,
  DEST,
  DOCUMENTED,
  expectAccepted,
  INVALID_NUMBER,
  SENDER,
  setupTenant,
  type SenderState,
} from '@pbx-sms/testing';

/**
 * Every rule combination through the real API (DESIGN.md "Rules", steps 4–8): Active × Enable
 * SMS API × sender state × destination (API sends, both API styles) or Voicemail notifications ×
 * extension state (REST voicemail). The expected answer comes from the documented order,
 * written out here independently of the rule engine.
 */

const BOOLS = [true, false] as const;
const SENDERS: SenderState[] = ['none', 'disabled', 'invalid', 'valid'];
const EXTENSIONS = { valid: '1001', off: '1002', no_number: '1003', missing: '1004' } as const;
type ExtState = keyof typeof EXTENSIONS;

interface Combo {
  active: boolean;
  apiEnabled: boolean;
  sender: SenderState;
  voicemailEnabled: boolean;
}

const combos: Combo[] = [];
for (const active of BOOLS)
  for (const apiEnabled of BOOLS)
    for (const sender of SENDERS) for (const voicemailEnabled of BOOLS) combos.push({ active, apiEnabled, sender, voicemailEnabled });
const tenantOf = (c: Combo) => 100 + combos.indexOf(c);
const label = (c: Combo) =>
  `active=${c.active ? 'Yes' : 'No'} api=${c.apiEnabled ? 'Yes' : 'No'} sender=${c.sender} voicemail=${c.voicemailEnabled ? 'Yes' : 'No'}`;

type Expected = { status: 202 } | { status: number; body: string };

function expectedSend(c: Combo, destValid: boolean, field: string): Expected {
  if (!c.apiEnabled) return { status: 403, body: DOCUMENTED.api_disabled };
  if (!c.active) return { status: 403, body: DOCUMENTED.tenant_inactive };
  if (c.sender !== 'valid') return { status: 422, body: DOCUMENTED.sender_invalid };
  if (!destValid) return { status: 400, body: `{"error":"${field}: must be a valid +E.164 number, e.g. +14165551234","code":"invalid_number"}` };
  return { status: 202 };
}

function expectedVoicemail(c: Combo, ext: ExtState): Expected {
  if (!c.apiEnabled) return { status: 403, body: DOCUMENTED.api_disabled };
  if (!c.active) return { status: 403, body: DOCUMENTED.tenant_inactive };
  if (c.sender !== 'valid') return { status: 422, body: DOCUMENTED.sender_invalid };
  if (!c.voicemailEnabled) return { status: 403, body: '{"error":"Voicemail notifications are set to No in SMS Settings","code":"voicemail_disabled"}' };
  if (ext === 'missing')
    return { status: 404, body: `{"error":"Extension ${EXTENSIONS.missing} is not configured for this tenant","code":"extension_not_found"}` };
  if (ext !== 'valid') return { status: 422, body: DOCUMENTED.destination_missing };
  return { status: 202 };
}

let t: TestApi;
const keys = new Map<number, string>();

beforeAll(async () => {
  t = await startTestApi('matrix');
  for (const c of combos) {
    const id = tenantOf(c);
    keys.set(id, await setupTenant(t, id, { ...c, extension: 'valid' }));
    await t.app.inject({
      method: 'PUT',
      url: `/api/admin/tenants/${id}/extensions/${EXTENSIONS.off}`,
      headers: admin,
      payload: { smsNotifications: false, smsNumber: DEST },
    });
    await t.app.inject({
      method: 'PUT',
      url: `/api/admin/tenants/${id}/extensions/${EXTENSIONS.no_number}`,
      headers: admin,
      payload: { smsNotifications: true, smsNumber: null },
    });
  }
}, 60_000);
afterAll(async () => {
  await t.close();
});

async function check(
  res: { statusCode: number; body: string },
  expected: Expected,
  tenantId: number,
  before: number,
  row: Record<string, unknown>,
): Promise<void> {
  if (expected.status === 202) {
    await expectAccepted(t, res, { tenant_id: tenantId, from_number: SENDER, ...row });
  } else {
    expect({ status: res.statusCode, body: res.body }).toEqual(expected);
    expect(await countMessages(t, tenantId)).toBe(before);
  }
}

const sendCases = combos
  .filter((c) => c.voicemailEnabled)
  .flatMap((c) => [true, false].map((destValid) => [label(c), destValid ? 'valid' : 'invalid', c, destValid] as const));

describe.each(['action GET', 'action POST JSON', 'REST send'] as const)('%s', (style) => {
  it.each(sendCases)('%s, destination %s', async (_l, _d, c, destValid) => {
    const tenantId = tenantOf(c);
    const key = keys.get(tenantId)!;
    const to = destValid ? DEST : INVALID_NUMBER;
    const before = await countMessages(t, tenantId);
    const params = { action: 'pbxware.sms.send_message', apikey: key, server: tenantId, to_number: to, body: b64('matrix') };
    const res =
      style === 'action GET'
        ? await t.app.inject({ method: 'GET', url: actionUrl(params) })
        : style === 'action POST JSON'
          ? await t.app.inject({ method: 'POST', url: '/', payload: params })
          : await t.app.inject({ method: 'POST', url: '/api/sms/send', headers: { 'x-api-key': key }, payload: { to, message: 'matrix' } });
    await check(res, expectedSend(c, destValid, style === 'REST send' ? 'to' : 'to_number'), tenantId, before, {
      kind: 'api',
      source: style === 'REST send' ? 'rest' : 'action',
      to_number: DEST,
      body: 'matrix',
    });
  });
});

describe('REST voicemail notification', () => {
  const cases = combos.flatMap((c) => (Object.keys(EXTENSIONS) as ExtState[]).map((ext) => [label(c), ext, c] as const));
  it.each(cases)('%s, extension %s', async (_l, ext, c) => {
    const tenantId = tenantOf(c);
    const before = await countMessages(t, tenantId);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/sms/notifications/voicemail',
      headers: { 'x-api-key': keys.get(tenantId)! },
      payload: { extension: EXTENSIONS[ext] },
    });
    await check(res, expectedVoicemail(c, ext), tenantId, before, {
      kind: 'voicemail',
      source: 'rest',
      to_number: DEST,
      extension: EXTENSIONS.valid,
      body: `New voicemail from unknown caller for extension ${EXTENSIONS.valid}.`,
    });
  });
});
