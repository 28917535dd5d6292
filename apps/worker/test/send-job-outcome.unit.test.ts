import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { ClaimedMessage } from '@pbx-sms/db';
import { createLogger } from '@pbx-sms/observability';
import type { TenantRateLimiter } from '@pbx-sms/ratelimit';
import { ProviderError, type SmsProvider } from '@pbx-sms/sms';
import { RetryableSendError, sendBackoffStrategy, sendSmsHandler } from '../src/send/send-sms.job';
import { inlineSender } from '../src/send/inline-send';
import { jobLogs } from '../src/job-log';
import { SendSlots } from '@pbx-sms/concurrency';
import type { MessageStore } from '../src/message-store';
import { TenantConfigCache } from '@pbx-sms/db';

/**
 * The attempt returns its outcome; the job adapter alone turns it into BullMQ's terms (complete,
 * UnrecoverableError, a retry after the outcome's delay) and the inline path into a send job.
 */
function setup(answer: () => Promise<{ providerMessageId: string }>, opts: { attemptInRound?: number; waitMs?: number } = {}) {
  const claimed: ClaimedMessage = {
    id: '00000000-0000-4000-8000-000000000002',
    tenantId: 59,
    kind: 'api',
    source: 'rest',
    from: '+14165550100',
    to: '+14165551234',
    body: 'hello',
    extension: null,
    attempt: opts.attemptInRound ?? 1,
    attemptInRound: opts.attemptInRound ?? 1,
    startedAt: new Date(),
    createdAt: new Date(),
  };
  const kinds: string[] = [];
  const messages: MessageStore = {
    insertVoicemailMessage: () => Promise.reject(new Error('unused')),
    insertRejectedEvent: () => Promise.reject(new Error('unused')),
    claimForSend: async () => claimed,
    finishAttempt: async (f) => void kinds.push(f.kind),
  };
  const provider: SmsProvider = { name: 'stub', send: answer, close: async () => undefined };
  const tenant = {
    tenantId: 59,
    active: true,
    apiEnabled: true,
    voicemailEnabled: true,
    sender: { e164: '+14165550100', smsEnabled: true, tenantId: 59 },
    voicemailTemplate: null,
    timeZone: 'UTC',
  };
  const config = new TenantConfigCache({ tenant: async () => tenant, extension: async () => null }, 5_000);
  const limiter = { take: async () => opts.waitMs ?? 0 } as unknown as TenantRateLimiter;
  const deps = {
    messages,
    config,
    provider,
    limiter,
    budget: { maxAttempts: 3, backoffMs: 1000, random: () => 0.5 },
    logs: jobLogs(createLogger({ level: 'silent' })),
    slots: new SendSlots(1),
  };
  const delayed: number[] = [];
  const job = { id: claimed.id, data: { messageId: claimed.id, tenantId: 59 }, moveToDelayed: async (at: number) => void delayed.push(at) } as unknown as Job;
  return { claimed, deps, job, kinds, delayed, handler: sendSmsHandler(deps) };
}

const transient = () => Promise.reject(new ProviderError('transient', 'provider_unavailable', 'Throttled', 'slow down'));
const permanent = () => Promise.reject(new ProviderError('permanent', 'provider_rejected', 'InvalidParameter', 'bad'));

describe('sms-send job: the outcome in BullMQ’s terms', () => {
  it('sent: the job completes', async () => {
    const s = setup(async () => ({ providerMessageId: 'pm-1' }));
    await expect(s.handler(s.job)).resolves.toBeUndefined();
    expect(s.kinds).toEqual(['sent']);
  });

  it('a permanent failure: UnrecoverableError with the code (never retried)', async () => {
    const s = setup(permanent);
    const err = await s.handler(s.job).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnrecoverableError);
    expect((err as Error).message).toBe('provider_rejected');
    expect(s.kinds).toEqual(['failed']);
  });

  it('a transient failure with attempts left: retried after the delay the outcome chose', async () => {
    const s = setup(transient, { attemptInRound: 2 });
    const err = await s.handler(s.job).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryableSendError);
    expect((err as RetryableSendError).delayMs).toBe(2000);
    expect(sendBackoffStrategy(1000)(7, 'sms', err as Error)).toBe(2000);
    expect(s.kinds).toEqual(['retry']);
  });

  it('a transient failure at the budget: UnrecoverableError provider_unavailable', async () => {
    const s = setup(transient, { attemptInRound: 3 });
    await expect(s.handler(s.job)).rejects.toThrow(new UnrecoverableError('provider_unavailable'));
    expect(s.kinds).toEqual(['failed']);
  });

  it('over the rate limit: delayed, no attempt', async () => {
    const s = setup(async () => ({ providerMessageId: 'pm-1' }), { waitMs: 100 });
    await expect(s.handler(s.job, 'token')).rejects.toBeInstanceOf(DelayedError);
    expect(s.delayed).toHaveLength(1);
    expect(s.kinds).toEqual([]);
  });

  it('any other error (a failed write) is retried after the job’s own attempt count', () => {
    expect(sendBackoffStrategy(1000)(3, 'sms', new Error('ECONNREFUSED'))).toBeGreaterThanOrEqual(3200);
  });
});

describe('inline send: the outcome as a send job', () => {
  // The voicemail job's rules check, passed along: the attempt does not evaluate the rules again.
  const checked = {
    decision: { allowed: true as const, outcomes: [] },
    tenant: {
      tenantId: 59,
      active: true,
      apiEnabled: true,
      voicemailEnabled: true,
      sender: { e164: '+14165550100', smsEnabled: true, tenantId: 59 },
      voicemailTemplate: null,
      timeZone: 'UTC',
    },
    ext: null,
  };

  it.each<[string, () => Promise<{ providerMessageId: string }>, { delayMs?: number }[]]>([
    ['sent: no send job', async () => ({ providerMessageId: 'pm-1' }), []],
    ['failed: no send job (the Message is terminal)', permanent, []],
    ['retry: a send job delayed by the outcome’s backoff', transient, [{ delayMs: 1000 }]],
  ])('%s', async (_name, answer, expected) => {
    const s = setup(answer);
    const enqueued: { delayMs?: number }[] = [];
    await inlineSender({ ...s.deps, enqueueSend: async (_job, opts) => void enqueued.push(opts ?? {}) })(s.claimed, checked);
    expect(enqueued).toEqual(expected);
  });

  it('a write that fails: a send job now (it claims the Message again)', async () => {
    const s = setup(permanent);
    s.deps.messages.finishAttempt = () => Promise.reject(new Error('ECONNREFUSED'));
    const enqueued: unknown[] = [];
    await inlineSender({ ...s.deps, enqueueSend: async (job, opts) => void enqueued.push([job, opts]) })(s.claimed, checked);
    expect(enqueued).toEqual([[{ messageId: s.claimed.id, tenantId: 59 }, undefined]]);
  });
});
