import type { Job } from 'bullmq';
import { SendSlots } from '@pbx-sms/concurrency';
import type { AttemptFinish, ClaimedMessage } from '@pbx-sms/db';
import type { TenantRateLimiter } from '@pbx-sms/ratelimit';
import type { SmsProvider } from '@pbx-sms/sms';
import { createLogger } from '@pbx-sms/observability';
import { sendSmsHandler } from '../src/send/send-sms.job';
import { jobLogs } from '../src/job-log';
import type { MessageStore } from '../src/message-store';
import { TenantConfigCache } from '@pbx-sms/db';

/**
 * Regression (found by the fault suite's Postgres outage): when the provider has accepted an
 * SMS but writing `sent` fails because Postgres is restarting, the handler used to throw, so
 * BullMQ ran the job again and the SMS went out twice. The write is now retried in place.
 */
function setup(opts: { failingWrites: number; sentWriteRetryMs?: number }) {
  const claimed: ClaimedMessage = {
    id: '00000000-0000-4000-8000-000000000001',
    tenantId: 59,
    kind: 'api',
    source: 'rest',
    from: '+14165550100',
    to: '+14165551234',
    body: 'hello',
    extension: null,
    attempt: 1,
    attemptInRound: 1,
    startedAt: new Date(),
    createdAt: new Date(),
  };
  const writes: AttemptFinish[] = [];
  let failuresLeft = opts.failingWrites;
  const messages: MessageStore = {
    insertVoicemailMessage: () => Promise.reject(new Error('unused')),
    insertRejectedEvent: () => Promise.reject(new Error('unused')),
    claimForSend: async () => claimed,
    finishAttempt: async (f) => {
      if (failuresLeft > 0) {
        failuresLeft--;
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      }
      writes.push(f);
    },
  };
  let sends = 0;
  const provider: SmsProvider = {
    name: 'stub',
    send: async () => {
      sends++;
      return { providerMessageId: `pm-${sends}` };
    },
    close: async () => undefined,
  };
  const config = new TenantConfigCache(
    {
      tenant: async (tenantId) => ({
        tenantId,
        active: true,
        apiEnabled: true,
        voicemailEnabled: true,
        sender: { e164: '+14165550100', smsEnabled: true, tenantId },
        voicemailTemplate: null,
        timeZone: 'UTC',
      }),
      extension: async () => null,
    },
    5_000,
  );
  const limiter = { take: async () => 0 } as unknown as TenantRateLimiter;
  const logs = jobLogs(createLogger({ level: 'silent' }));
  const handler = sendSmsHandler({
    messages,
    config,
    provider,
    limiter,
    budget: { maxAttempts: 8, backoffMs: 1000 },
    logs,
    slots: new SendSlots(1),
    ...(opts.sentWriteRetryMs !== undefined ? { sentWriteRetryMs: opts.sentWriteRetryMs } : {}),
  });
  const job = { id: claimed.id, data: { messageId: claimed.id, tenantId: 59 } } as unknown as Job;
  return { handler, job, writes, sends: () => sends };
}

it('a failed write of the sent outcome is retried, not thrown (no second SMS)', async () => {
  const s = setup({ failingWrites: 3 });
  await s.handler(s.job);
  expect(s.sends()).toBe(1);
  expect(s.writes).toEqual([expect.objectContaining({ kind: 'sent', providerMessageId: 'pm-1' })]);
});

it('a write that keeps failing past the limit is thrown (the job is retried: at-least-once)', async () => {
  const s = setup({ failingWrites: 1_000, sentWriteRetryMs: 250 });
  await expect(s.handler(s.job)).rejects.toThrow(/ECONNREFUSED/);
  expect(s.sends()).toBe(1);
  expect(s.writes).toEqual([]);
});
