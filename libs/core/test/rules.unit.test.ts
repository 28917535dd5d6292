import { evaluateRules, type ExtensionConfig, type RuleSubject, type TenantConfig, errorBody, type ErrorCode } from '@pbx-sms/core';

/**
 * Every combination of Active × Enable SMS API × sender state × destination state, for an API
 * send, the REST voicemail endpoint and a PBX event. The expected answer is derived from the
 * documented order by a second, independent statement of it (the "oracle" below), so a change
 * to either shows up.
 */

type SenderState = 'none' | 'foreign' | 'disabled' | 'invalid' | 'valid';
type DestState = 'unknown' | 'off' | 'no-number' | 'bad-number' | 'ok';

const SENDERS: Record<SenderState, TenantConfig['sender']> = {
  none: null,
  foreign: { e164: '+14165550100', smsEnabled: true, tenantId: 60 },
  disabled: { e164: '+14165550100', smsEnabled: false, tenantId: 59 },
  invalid: { e164: '+15555550100', smsEnabled: true, tenantId: 59 },
  valid: { e164: '+14165550100', smsEnabled: true, tenantId: 59 },
};

const EXTENSIONS: Record<DestState, ExtensionConfig | null> = {
  unknown: null,
  off: { extension: '1001', smsNotifications: false, smsNumber: '+14165551234' },
  'no-number': { extension: '1001', smsNotifications: true, smsNumber: null },
  'bad-number': { extension: '1001', smsNotifications: true, smsNumber: '+1416abc' },
  ok: { extension: '1001', smsNotifications: true, smsNumber: '+14165551234' },
};

function tenant(active: boolean, apiEnabled: boolean, voicemailEnabled: boolean, sender: SenderState): TenantConfig {
  return { tenantId: 59, active, apiEnabled, voicemailEnabled, sender: SENDERS[sender], voicemailTemplate: null, timeZone: 'UTC' };
}

function oracle(
  kind: 'api' | 'rest-voicemail' | 'event',
  t: { active: boolean; api: boolean; vm: boolean; sender: SenderState },
  dest: DestState | 'to-ok' | 'to-bad',
): ErrorCode | 'allowed' {
  if (kind !== 'event' && !t.api) return 'api_disabled';
  if (!t.active) return 'tenant_inactive';
  if (t.sender !== 'valid') return 'sender_invalid';
  if (kind === 'api') return dest === 'to-ok' ? 'allowed' : 'invalid_number';
  if (!t.vm) return 'voicemail_disabled';
  if (dest === 'unknown') return 'extension_not_found';
  if (dest !== 'ok') return 'destination_missing';
  return 'allowed';
}

const bools = [true, false];
const senders = Object.keys(SENDERS) as SenderState[];
const dests = Object.keys(EXTENSIONS) as DestState[];

const cases: [string, 'api' | 'rest-voicemail' | 'event', boolean, boolean, boolean, SenderState, DestState | 'to-ok' | 'to-bad'][] = [];
for (const active of bools)
  for (const api of bools)
    for (const vm of bools)
      for (const sender of senders) {
        for (const to of ['to-ok', 'to-bad'] as const) cases.push([`api send`, 'api', active, api, vm, sender, to]);
        for (const dest of dests) {
          cases.push(['rest voicemail', 'rest-voicemail', active, api, vm, sender, dest]);
          cases.push(['event', 'event', active, api, vm, sender, dest]);
        }
      }

describe('evaluateRules: every combination, in the documented order', () => {
  it('covers the whole matrix', () => {
    expect(cases).toHaveLength(2 * 2 * 2 * 5 * (2 + 5 + 5));
  });

  it.each(cases)('%s: active=%s api=%s voicemail=%s sender=%s destination=%s', (_label, kind, active, api, vm, sender, dest) => {
    const t = tenant(active, api, vm, sender);
    const subject: RuleSubject =
      kind === 'api'
        ? { kind: 'api', via: 'api', to: dest === 'to-ok' ? '+14165551234' : '+1 416 555 1234', text: 'hello' }
        : { kind: 'voicemail', via: kind === 'event' ? 'event' : 'api', extension: '1001' };
    const ext = kind === 'api' ? null : EXTENSIONS[dest as DestState];
    const d = evaluateRules(t, subject, ext);
    const expected = oracle(kind, { active, api, vm, sender }, dest);
    expect(d.allowed ? 'allowed' : d.code).toBe(expected);
    // Every rule is reported, so operators can see what passed as well as what blocked.
    expect(d.outcomes.length).toBeGreaterThanOrEqual(kind === 'event' ? 6 : 4);
  });
});

describe('message text (step 7)', () => {
  const ok = tenant(true, true, true, 'valid');
  it.each([
    ['undecodable body', null, 'invalid_body'],
    ['empty message', '   ', 'invalid_body'],
    ['1,530 GSM-7 characters fit', 'x'.repeat(1530), 'allowed'],
    ['1,531 GSM-7 characters are 11 segments', 'x'.repeat(1531), 'message_too_long'],
    ['670 UCS-2 characters fit', 'ж'.repeat(670), 'allowed'],
    ['671 UCS-2 characters do not', 'ж'.repeat(671), 'message_too_long'],
  ])('%s', (_name, text, expected) => {
    const d = evaluateRules(ok, { kind: 'api', via: 'api', to: '+14165551234', text }, null);
    expect(d.allowed ? 'allowed' : d.code).toBe(expected);
  });

  it('names the count when too long', () => {
    const d = evaluateRules(ok, { kind: 'api', via: 'api', to: '+14165551234', text: 'x'.repeat(1531) }, null);
    expect(d.allowed).toBe(false);
    if (!d.allowed) expect(d.blockedBy.explanation).toMatch(/11 SMS segments/);
  });

  it('checks the REST voicemail message before the extension (documented order: 7 before 8)', () => {
    const d = evaluateRules(ok, { kind: 'voicemail', via: 'api', extension: '1001', text: '' }, null);
    expect(d.allowed ? 'allowed' : d.code).toBe('invalid_body');
  });
});

describe('documented error bodies', () => {
  it.each([
    ['api_disabled', '{"error":"SMS API is disabled"}'],
    ['tenant_inactive', '{"error":"Action sms_message returned with error: ERR: SMS not enabled for this tenant: "}'],
    ['sender_invalid', '{"error":"Invalid or missing sender SMS number"}'],
    ['destination_missing', '{"error":"Destination does not have an assigned SMS number"}'],
  ] as const)('%s answers exactly %s', (code, bytes) => {
    expect(JSON.stringify(errorBody(code, 'any detail is ignored'))).toBe(bytes);
  });

  it('our own errors carry a stable code', () => {
    expect(errorBody('invalid_number', 'to: bad')).toEqual({ error: 'to: bad', code: 'invalid_number' });
  });
});
