import type { ErrorCode } from './errors';
import { isValidE164 } from './phone';
import { measureMessage, tooLongReason } from './segments';

/**
 * The tenant and extension rules, in the documented order (DESIGN.md "Rules", steps 4 to 8).
 * Pure: the caller loads configuration and passes it in. Every rule is evaluated so operators
 * can see which passed; the first failing one decides.
 */

export interface SenderNumber {
  e164: string;
  smsEnabled: boolean;
  /** The tenant that owns the number; a sender must be one of the tenant's own numbers. */
  tenantId: number;
}

export interface TenantConfig {
  tenantId: number;
  active: boolean;
  apiEnabled: boolean;
  voicemailEnabled: boolean;
  /** The configured sender number, or null when none is set (or it was removed). */
  sender: SenderNumber | null;
  voicemailTemplate: string | null;
  timeZone: string;
}

export interface ExtensionConfig {
  extension: string;
  smsNotifications: boolean;
  smsNumber: string | null;
}

export type RuleName =
  | 'api_enabled'
  | 'tenant_active'
  | 'sender_valid'
  | 'destination_valid'
  | 'message_valid'
  | 'voicemail_enabled'
  | 'extension_exists'
  | 'extension_notifications'
  | 'extension_number';

export interface RuleOutcome {
  rule: RuleName;
  passed: boolean;
  /** Plain words for operators: what was checked and what was found. */
  explanation: string;
  /** The error code answered or recorded when this rule blocks. */
  code: ErrorCode;
}

export type Decision = { allowed: true; outcomes: RuleOutcome[] } | { allowed: false; code: ErrorCode; blockedBy: RuleOutcome; outcomes: RuleOutcome[] };

/**
 * How a Message a rule stopped ends (DESIGN.md "Rules"). An API send always `failed`: its
 * caller asked for it. A voicemail notification is `skipped` where someone switched something
 * off (an extension not configured at all counts as off), and `failed` where something
 * switched on is broken (the sender missing or invalid, an extension on without a valid SMS
 * number): the spec says delivery fails then, and operators alert on failures. A Record, so
 * a new rule cannot be added without deciding.
 */
const VOICEMAIL_BLOCKED_STATUS: Record<RuleName, 'skipped' | 'failed'> = {
  api_enabled: 'skipped',
  tenant_active: 'skipped',
  voicemail_enabled: 'skipped',
  extension_exists: 'skipped',
  extension_notifications: 'skipped',
  sender_valid: 'failed',
  extension_number: 'failed',
  destination_valid: 'failed',
  message_valid: 'failed',
};

export function blockedStatus(kind: 'api' | 'voicemail', rule: RuleName): 'skipped' | 'failed' {
  return kind === 'api' ? 'failed' : VOICEMAIL_BLOCKED_STATUS[rule];
}

/** A request through the public API (either style) or a send job created from one. */
export interface ApiSendSubject {
  kind: 'api';
  via: 'api';
  to: string;
  /** The decoded message text; null when it could not be decoded. */
  text: string | null;
}

/** A voicemail notification: via the REST voicemail endpoint ('api') or a PBX event ('event'). */
export interface VoicemailSubject {
  kind: 'voicemail';
  via: 'api' | 'event';
  extension: string;
  /** The REST endpoint's literal `message`, when given; checked like an API send's text. */
  text?: string | null;
}

export type RuleSubject = ApiSendSubject | VoicemailSubject;

export function senderIsValid(tenant: TenantConfig): boolean {
  const s = tenant.sender;
  return s !== null && s.tenantId === tenant.tenantId && s.smsEnabled && isValidE164(s.e164);
}

function senderExplanation(tenant: TenantConfig): string {
  const s = tenant.sender;
  if (s === null) return 'No sender number is configured in SMS Settings';
  if (s.tenantId !== tenant.tenantId) return 'The sender number belongs to another tenant';
  if (!s.smsEnabled) return 'The sender number is not SMS-enabled';
  if (!isValidE164(s.e164)) return 'The sender number is not a valid +E.164 number';
  return "The sender number is one of the tenant's SMS-enabled numbers";
}

function messageOutcome(text: string | null): RuleOutcome {
  if (text === null || text.trim() === '') {
    return {
      rule: 'message_valid',
      passed: false,
      code: 'invalid_body',
      explanation: text === null ? 'The message body is not base64 of UTF-8 text' : 'The message is empty',
    };
  }
  const reason = tooLongReason(measureMessage(text));
  if (reason !== null) return { rule: 'message_valid', passed: false, code: 'message_too_long', explanation: reason };
  return { rule: 'message_valid', passed: true, code: 'invalid_body', explanation: 'The message text fits the SMS limits' };
}

function extensionOutcomes(tenant: TenantConfig, name: string, ext: ExtensionConfig | null): RuleOutcome[] {
  return [
    {
      rule: 'voicemail_enabled',
      passed: tenant.voicemailEnabled,
      code: 'voicemail_disabled',
      explanation: tenant.voicemailEnabled ? 'Voicemail notifications are enabled' : 'Voicemail notifications are set to No in SMS Settings',
    },
    {
      rule: 'extension_exists',
      passed: ext !== null,
      code: 'extension_not_found',
      explanation: ext !== null ? `Extension ${name} exists` : `Extension ${name} is not configured for this tenant`,
    },
    {
      rule: 'extension_notifications',
      passed: ext?.smsNotifications === true,
      code: 'destination_missing',
      explanation: ext?.smsNotifications ? `SMS notifications are on for extension ${name}` : `SMS notifications are off for extension ${name}`,
    },
    {
      rule: 'extension_number',
      passed: isValidE164(ext?.smsNumber),
      code: 'destination_missing',
      explanation: isValidE164(ext?.smsNumber)
        ? `Extension ${name} has a valid SMS number`
        : ext?.smsNumber
          ? `The SMS number of extension ${name} is not a valid +E.164 number`
          : `Extension ${name} has no SMS number`,
    },
  ];
}

/**
 * Evaluates the rules for a subject against a tenant's configuration, in the documented order:
 * API enabled (API requests only), Active, sender, destination number (API sends) or the
 * voicemail and extension checks (voicemail notifications).
 */
export function evaluateRules(tenant: TenantConfig, subject: RuleSubject, ext: ExtensionConfig | null = null): Decision {
  const outcomes: RuleOutcome[] = [];
  if (subject.via === 'api') {
    outcomes.push({
      rule: 'api_enabled',
      passed: tenant.apiEnabled,
      code: 'api_disabled',
      explanation: tenant.apiEnabled ? 'Enable SMS API is set to Yes' : 'Enable SMS API is set to No',
    });
  }
  outcomes.push({
    rule: 'tenant_active',
    passed: tenant.active,
    code: 'tenant_inactive',
    explanation: tenant.active ? 'SMS notifications are Active' : 'SMS notifications Active is set to No',
  });
  outcomes.push({ rule: 'sender_valid', passed: senderIsValid(tenant), code: 'sender_invalid', explanation: senderExplanation(tenant) });
  if (subject.kind === 'api') {
    const ok = isValidE164(subject.to);
    outcomes.push({
      rule: 'destination_valid',
      passed: ok,
      code: 'invalid_number',
      explanation: ok ? 'The destination is a valid +E.164 number' : 'The destination is not a valid +E.164 number',
    });
    outcomes.push(messageOutcome(subject.text));
  } else {
    if (subject.text !== undefined) outcomes.push(messageOutcome(subject.text));
    outcomes.push(...extensionOutcomes(tenant, subject.extension, ext));
  }
  const blockedBy = outcomes.find((o) => !o.passed);
  return blockedBy ? { allowed: false, code: blockedBy.code, blockedBy, outcomes } : { allowed: true, outcomes };
}

/** A tenant with no SMS settings row behaves as the defaults: nothing enabled. */
export function defaultTenantConfig(tenantId: number, timeZone = 'UTC'): TenantConfig {
  return { tenantId, active: false, apiEnabled: false, voicemailEnabled: false, sender: null, voicemailTemplate: null, timeZone };
}
