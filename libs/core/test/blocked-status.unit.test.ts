import { blockedStatus, evaluateRules, type ExtensionConfig, type RuleName, type TenantConfig } from '@pbx-sms/core';

/**
 * Skipped or failed: a voicemail notification a rule stopped is skipped only where someone
 * switched something off, and fails where something switched on is broken. API sends always fail.
 */

describe('blockedStatus: the blocking rule decides', () => {
  it.each<[RuleName, 'skipped' | 'failed']>([
    ['api_enabled', 'skipped'],
    ['tenant_active', 'skipped'],
    ['voicemail_enabled', 'skipped'],
    ['extension_exists', 'skipped'],
    ['extension_notifications', 'skipped'],
    ['sender_valid', 'failed'],
    ['extension_number', 'failed'],
    ['destination_valid', 'failed'],
    ['message_valid', 'failed'],
  ])('a voicemail notification stopped by %s ends %s; an API send fails', (rule, voicemail) => {
    expect(blockedStatus('voicemail', rule)).toBe(voicemail);
    expect(blockedStatus('api', rule)).toBe('failed');
  });
});

const VALID_SENDER = { e164: '+14165550100', smsEnabled: true, tenantId: 59 };
const ON: TenantConfig = {
  tenantId: 59,
  active: true,
  apiEnabled: true,
  voicemailEnabled: true,
  sender: VALID_SENDER,
  voicemailTemplate: null,
  timeZone: 'UTC',
};
const EXT_ON: ExtensionConfig = { extension: '1001', smsNotifications: true, smsNumber: '+14165551234' };

describe('a PBX event against a configuration: the outcome and its code', () => {
  it.each<[string, Partial<TenantConfig>, ExtensionConfig | null, 'skipped' | 'failed', string]>([
    ['Active = No', { active: false }, EXT_ON, 'skipped', 'tenant_inactive'],
    ['voicemail notifications off', { voicemailEnabled: false }, EXT_ON, 'skipped', 'voicemail_disabled'],
    ['extension not configured', {}, null, 'skipped', 'extension_not_found'],
    ['extension notifications off', {}, { ...EXT_ON, smsNotifications: false }, 'skipped', 'destination_missing'],
    ['extension notifications off and no number', {}, { ...EXT_ON, smsNotifications: false, smsNumber: null }, 'skipped', 'destination_missing'],
    ['no sender number', { sender: null }, EXT_ON, 'failed', 'sender_invalid'],
    ['sender not SMS-enabled', { sender: { ...VALID_SENDER, smsEnabled: false } }, EXT_ON, 'failed', 'sender_invalid'],
    ['sender not a valid number', { sender: { ...VALID_SENDER, e164: '+15555550100' } }, EXT_ON, 'failed', 'sender_invalid'],
    ['extension on without an SMS number', {}, { ...EXT_ON, smsNumber: null }, 'failed', 'destination_missing'],
    ['extension on with an invalid SMS number', {}, { ...EXT_ON, smsNumber: '+1416abc' }, 'failed', 'destination_missing'],
  ])('%s → %s %s', (_label, tenant, ext, status, code) => {
    const d = evaluateRules({ ...ON, ...tenant }, { kind: 'voicemail', via: 'event', extension: '1001' }, ext);
    expect(d.allowed).toBe(false);
    if (d.allowed) return;
    expect([blockedStatus('voicemail', d.blockedBy.rule), d.code]).toEqual([status, code]);
  });
});
