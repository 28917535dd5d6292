import {
  ERROR_CATALOGUE,
  decideOutcome,
  evaluateRules,
  roundSpent,
  type AttemptPosition,
  type AttemptResult,
  type Decision,
  type Outcome,
  type ProviderFailure,
  type SendBudget,
  type TenantConfig,
} from '@pbx-sms/core';

/**
 * decideOutcome: how a send attempt ends (sent, retry, failed, blocked), from what happened and
 * the attempt's place in its round. The budget is per round (`attemptInRound`).
 */
const BUDGET: SendBudget = { maxAttempts: 3, backoffMs: 1000, random: () => 0.5 };
const api = (attemptInRound: number): AttemptPosition => ({ kind: 'api', attemptInRound });
const voicemail = (attemptInRound: number): AttemptPosition => ({ kind: 'voicemail', attemptInRound });
const failure = (kind: ProviderFailure['kind'], code: ProviderFailure['code'], providerCode: string, detail = 'says no'): AttemptResult => ({
  kind: 'provider_error',
  error: { kind, code, providerCode, detail },
});

const ON: TenantConfig = {
  tenantId: 59,
  active: true,
  apiEnabled: true,
  voicemailEnabled: true,
  sender: { e164: '+14165550100', smsEnabled: true, tenantId: 59 },
  voicemailTemplate: null,
  timeZone: 'UTC',
};
function blockedBy(tenant: Partial<TenantConfig>, subject: 'api' | 'voicemail'): AttemptResult {
  const decision: Decision =
    subject === 'api'
      ? evaluateRules({ ...ON, ...tenant }, { kind: 'api', via: 'api', to: '+14165551234', text: 'hi' })
      : evaluateRules(
          { ...ON, ...tenant },
          { kind: 'voicemail', via: 'event', extension: '1001' },
          { extension: '1001', smsNotifications: true, smsNumber: '+14165551234' },
        );
  if (decision.allowed) throw new Error('expected the rules to block');
  return { kind: 'blocked', decision };
}

describe('decideOutcome: every branch', () => {
  it.each<[string, AttemptResult, AttemptPosition, Outcome]>([
    ['the provider accepted it: sent', { kind: 'sent', providerMessageId: 'pm-1' }, api(1), { kind: 'sent', providerMessageId: 'pm-1' }],
    ['sent on the last attempt of the round: still sent', { kind: 'sent', providerMessageId: 'pm-2' }, api(3), { kind: 'sent', providerMessageId: 'pm-2' }],
    [
      'a permanent error: failed with its code, at once',
      failure('permanent', 'provider_rejected', 'InvalidParameter', 'bad number'),
      api(1),
      {
        kind: 'failed',
        code: 'provider_rejected',
        detail: `${ERROR_CATALOGUE.provider_rejected.text} (InvalidParameter: bad number)`,
        providerError: 'InvalidParameter: bad number',
      },
    ],
    [
      'opted out: failed opted_out, never retried',
      failure('permanent', 'opted_out', 'OptedOut', 'opted out'),
      voicemail(1),
      { kind: 'failed', code: 'opted_out', detail: `${ERROR_CATALOGUE.opted_out.text} (OptedOut: opted out)`, providerError: 'OptedOut: opted out' },
    ],
    [
      'a transient error within the budget: retry after the first backoff',
      failure('transient', 'provider_unavailable', 'Throttled', 'slow down'),
      api(1),
      { kind: 'retry', code: 'provider_unavailable', providerError: 'Throttled: slow down', delayMs: 1000 },
    ],
    [
      'a transient error one before the budget: retry, the backoff doubled per attempt',
      failure('transient', 'provider_unavailable', 'Timeout', 'no answer'),
      api(2),
      { kind: 'retry', code: 'provider_unavailable', providerError: 'Timeout: no answer', delayMs: 2000 },
    ],
    [
      'a transient error at the budget: failed provider_unavailable, counting the attempts',
      failure('transient', 'provider_unavailable', 'Throttled', 'slow down'),
      voicemail(3),
      {
        kind: 'failed',
        code: 'provider_unavailable',
        detail: `${ERROR_CATALOGUE.provider_unavailable.text}: 3 attempts (last: Throttled: slow down)`,
        providerError: 'Throttled: slow down',
      },
    ],
    [
      'the round spent before the call (attempts cut short): failed provider_unavailable, no provider error',
      { kind: 'round_spent' },
      api(4),
      { kind: 'failed', code: 'provider_unavailable', detail: ERROR_CATALOGUE.provider_unavailable.text, providerError: null },
    ],
  ])('%s', (_name, result, attempt, expected) => {
    expect(decideOutcome(result, attempt, BUDGET)).toEqual(expected);
  });

  it('a long provider error is cut to 1000 characters in the detail, kept whole as the provider error', () => {
    const outcome = decideOutcome(failure('permanent', 'provider_rejected', 'InvalidParameter', 'x'.repeat(2000)), api(1), BUDGET);
    expect(outcome).toMatchObject({ kind: 'failed', code: 'provider_rejected' });
    expect(outcome.kind === 'failed' && outcome.detail.length).toBe(1000);
    expect(outcome.kind === 'failed' && outcome.providerError?.length).toBe('InvalidParameter: '.length + 2000);
  });

  it('the retry delay is jittered by the budget’s random source', () => {
    const low = decideOutcome(failure('transient', 'provider_unavailable', 'Throttled'), api(1), { ...BUDGET, random: () => 0 });
    const high = decideOutcome(failure('transient', 'provider_unavailable', 'Throttled'), api(1), { ...BUDGET, random: () => 0.999 });
    expect(low).toMatchObject({ kind: 'retry', delayMs: 800 });
    expect(high.kind === 'retry' && high.delayMs).toBeGreaterThan(1190);
  });
});

describe('decideOutcome: rules-blocked, through blockedStatus', () => {
  it.each<[string, Partial<TenantConfig>, 'api' | 'voicemail', 'skipped' | 'failed', string]>([
    ['a voicemail for a switched-off tenant is skipped', { active: false }, 'voicemail', 'skipped', 'tenant_inactive'],
    ['a voicemail with voicemail notifications off is skipped', { voicemailEnabled: false }, 'voicemail', 'skipped', 'voicemail_disabled'],
    ['a voicemail without a sender fails (broken configuration)', { sender: null }, 'voicemail', 'failed', 'sender_invalid'],
    ['an API send for a switched-off tenant fails', { active: false }, 'api', 'failed', 'tenant_inactive'],
  ])('%s', (_name, tenant, kind, status, code) => {
    const result = blockedBy(tenant, kind);
    const outcome = decideOutcome(result, { kind, attemptInRound: 1 }, BUDGET);
    expect(outcome).toEqual({ kind: 'blocked', status, code, detail: result.kind === 'blocked' ? result.decision.blockedBy.explanation : '' });
  });

  it('blocked ignores the budget: a re-check that stops the last attempt still blocks', () => {
    expect(decideOutcome(blockedBy({ active: false }, 'voicemail'), voicemail(3), BUDGET)).toMatchObject({ kind: 'blocked', status: 'skipped' });
  });
});

describe('roundSpent', () => {
  it.each([
    [1, false],
    [3, false],
    [4, true],
  ])('attempt %i of a 3-attempt round: spent before the call is %s', (attemptInRound, spent) => {
    expect(roundSpent(api(attemptInRound), BUDGET)).toBe(spent);
  });
});
