import { performance } from 'node:perf_hooks';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import {
  ERROR_CATALOGUE,
  blockedStatus,
  defaultTenantConfig,
  evaluateRules,
  sendBackoffDelay,
  type Decision,
  type ExtensionConfig,
  type TenantConfig,
} from '@pbx-sms/core';
import { attemptRef, type ClaimedMessage } from '@pbx-sms/db/pg';
import { redactText } from '@pbx-sms/observability';
import { sendJobId, smsSendJobSchema, type SmsSendJob, type TenantRateLimiter } from '@pbx-sms/queue';
import { ProviderError, isProviderError, type SmsProvider } from '@pbx-sms/sms';
import type { MessageStore } from '../message-store';
import type { SendSlots } from '../send-slots';
import type { TenantConfigCache } from '@pbx-sms/db/pg';
import type { JobOutcome } from '../job-outcome';

export interface SendJobDeps {
  messages: MessageStore;
  config: TenantConfigCache;
  provider: SmsProvider;
  limiter: TenantRateLimiter;
  maxAttempts: number;
  report(o: JobOutcome): void;
  /**
   * The process's provider-call slots (WORKER_CONCURRENCY), shared by send jobs and inline
   * sends: held from the provider call until its outcome is written.
   */
  slots: SendSlots;
  /**
   * How long a failed write of a `sent` outcome is retried before the job gives up (and is
   * run again, sending a second SMS). Default 120 s.
   */
  sentWriteRetryMs?: number;
}

/**
 * Writes the outcome of a send the provider accepted. A failed write (Postgres restarting) is
 * retried here, with backoff, rather than thrown: thrown, it would make BullMQ run the job
 * again and the SMS would go out a second time although this worker knows it was sent.
 */
async function writeSentOutcome(deps: SendJobDeps, write: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + (deps.sentWriteRetryMs ?? 120_000);
  for (let delayMs = 100; ; delayMs = Math.min(delayMs * 2, 5_000)) {
    try {
      return await write();
    } catch (err) {
      if (Date.now() + delayMs > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

/** Thrown for a transient failure with retries left; carries the attempt's number in its round for the backoff. */
export class RetryableSendError extends Error {
  override readonly name = 'RetryableSendError';
  constructor(
    message: string,
    readonly attempt: number,
  ) {
    super(message);
  }
}

/**
 * The `sms` backoff strategy (the producer enqueues sends with `backoff: { type: 'sms' }`):
 * SEND_BACKOFF_MS for the first retry, doubling with jitter, capped at 5 minutes. Counted
 * from the Message's own attempt number in its round, which survives re-enqueues by the
 * reconciler (an operator retry starts again at SEND_BACKOFF_MS).
 */
export function sendBackoffStrategy(baseMs: number): (attemptsMade: number, type?: string, err?: Error) => number {
  return (attemptsMade, _type, err) => {
    const attempt = err && typeof (err as Partial<RetryableSendError>).attempt === 'number' ? (err as RetryableSendError).attempt : attemptsMade;
    return sendBackoffDelay(attempt, baseMs);
  };
}

async function recheckRules(deps: SendJobDeps, m: ClaimedMessage): Promise<{ decision: Decision; tenant: TenantConfig; ext: ExtensionConfig | null }> {
  const tenant = (await deps.config.tenant(m.tenantId)) ?? defaultTenantConfig(m.tenantId);
  if (m.kind === 'api') {
    return { tenant, ext: null, decision: evaluateRules(tenant, { kind: 'api', via: 'api', to: m.to ?? '', text: m.body }) };
  }
  const extension = m.extension ?? '';
  const ext = await deps.config.extension(m.tenantId, extension);
  return { tenant, ext, decision: evaluateRules(tenant, { kind: 'voicemail', via: m.source === 'event' ? 'event' : 'api', extension }, ext) };
}

/** Who is sending: a BullMQ send job, or a voicemail job sending its new Message inline. */
interface SendContext {
  jobId: string | undefined;
  inline: boolean;
}

/**
 * One send attempt of a Message, after the rate limit let it through: claim (terminal →
 * nothing to do), re-check the rules against current configuration, call the provider, record
 * the outcome. Permanent failures and a spent retry budget throw UnrecoverableError (the
 * Message already terminal); a transient failure with retries left throws RetryableSendError
 * (the Message back to `queued`).
 */
export async function attemptSend(deps: SendJobDeps, messageId: string, tenantId: number, ctx: SendContext): Promise<void> {
  const started = performance.now();
  const m = await deps.messages.claimForSend(messageId);
  if (!m) return deps.report({ queue: 'sms-send', jobId: ctx.jobId, durationMs: performance.now() - started, outcome: 'noop', tenantId, messageId });
  await attemptClaimed(deps, m, ctx, started);
}

/** `attemptSend` for a Message already claimed (status `sending`, its attempt row open). */
export async function attemptClaimed(deps: SendJobDeps, m: ClaimedMessage, ctx: SendContext, started = performance.now()): Promise<void> {
  const report = (o: Omit<JobOutcome, 'queue' | 'jobId' | 'durationMs'>) =>
    deps.report({ queue: 'sms-send', jobId: ctx.jobId, durationMs: performance.now() - started, ...(ctx.inline ? { inline: true } : {}), ...o });
  const base = { tenantId: m.tenantId, messageId: m.id, attempt: m.attempt };
  const latency = () => Date.now() - m.createdAt.getTime();

  // The budget is per round: an operator retry starts a new one (attempt numbers go on).
  if (m.attemptInRound > deps.maxAttempts) {
    // Only reachable when earlier attempts were cut short (crashes): the budget is spent.
    await deps.messages.finishAttempt({ kind: 'failed', ...attemptRef(m), errorCode: 'provider_unavailable', detail: ERROR_CATALOGUE.provider_unavailable.text, providerError: null, durationMs: 0 });
    report({ ...base, outcome: 'failed', errorCode: 'provider_unavailable', latencyMs: latency() });
    throw new UnrecoverableError('provider_unavailable');
  }

  const { decision, tenant, ext } = await recheckRules(deps, m);
  if (!decision.allowed) {
    const status = blockedStatus(m.kind, decision.blockedBy.rule);
    await deps.messages.finishAttempt({ kind: 'blocked', ...attemptRef(m), status, errorCode: decision.code, detail: decision.blockedBy.explanation });
    report({ ...base, attempt: m.attempt - 1, outcome: status, errorCode: decision.code, latencyMs: latency() });
    return;
  }
  // Rules passed, so the sender exists; a voicemail goes to the extension's current number.
  const from = tenant.sender!.e164;
  const to = m.kind === 'voicemail' ? (ext?.smsNumber ?? m.to ?? '') : (m.to ?? '');

  // One of the process's provider-call slots, from the call until its outcome is written: a
  // message the provider may have accepted but that is not yet recorded as such holds a slot,
  // so a crash can leave at most WORKER_CONCURRENCY of them per process (send-slots.ts).
  await deps.slots.run(async () => {
    const callStarted = performance.now();
    let providerMessageId: string;
    try {
      ({ providerMessageId } = await deps.provider.send({ from, to, body: m.body, messageId: m.id }));
    } catch (err) {
      const callMs = Math.round(performance.now() - callStarted);
      const pe = isProviderError(err)
        ? err
        : new ProviderError('transient', 'provider_unavailable', 'Unexpected', redactText(String((err as Error)?.message ?? err)).slice(0, 500));
      const providerError = `${pe.providerCode}: ${pe.detail}`;
      if (pe.kind === 'permanent') {
        const detail = `${ERROR_CATALOGUE[pe.code].text} (${providerError})`.slice(0, 1000);
        await deps.messages.finishAttempt({ kind: 'failed', ...attemptRef(m), errorCode: pe.code, detail, providerError, durationMs: callMs });
        report({ ...base, outcome: 'failed', errorCode: pe.code, latencyMs: latency() });
        throw new UnrecoverableError(pe.code);
      }
      if (m.attemptInRound >= deps.maxAttempts) {
        const detail = `${ERROR_CATALOGUE.provider_unavailable.text}: ${m.attemptInRound} attempts (last: ${providerError})`.slice(0, 1000);
        await deps.messages.finishAttempt({ kind: 'failed', ...attemptRef(m), errorCode: 'provider_unavailable', detail, providerError, durationMs: callMs });
        report({ ...base, outcome: 'failed', errorCode: 'provider_unavailable', latencyMs: latency() });
        throw new UnrecoverableError('provider_unavailable');
      }
      await deps.messages.finishAttempt({ kind: 'retry', ...attemptRef(m), errorCode: pe.code, providerError, durationMs: callMs });
      report({ ...base, outcome: 'retry', errorCode: pe.code });
      throw new RetryableSendError(pe.providerCode, m.attemptInRound);
    }
    // Outside the try: a failed write here is not a provider failure. It is retried for a while
    // (a Postgres restart); only if it keeps failing is the job retried (inline: a send job is
    // enqueued), and then it sends again (at-least-once), the Message showing both attempts.
    const durationMs = Math.round(performance.now() - callStarted);
    await writeSentOutcome(deps, () => deps.messages.finishAttempt({ kind: 'sent', ...attemptRef(m), providerMessageId, from, to, durationMs }));
    report({ ...base, outcome: 'sent', errorCode: null, latencyMs: latency() });
  });
}

/**
 * `sms-send`: rate limit per tenant (over the limit: delayed, no attempt counted), then one
 * attempt (`attemptSend`). Permanent failures and a spent retry budget end the job with
 * UnrecoverableError; transient ones are thrown for BullMQ to retry with the `sms` backoff.
 */
export function sendSmsHandler(deps: SendJobDeps): (job: Job, token?: string) => Promise<void> {
  return async (job, token) => {
    const started = performance.now();
    const report = (o: Omit<JobOutcome, 'queue' | 'jobId' | 'durationMs'>) => deps.report({ queue: 'sms-send', jobId: job.id, durationMs: performance.now() - started, ...o });

    const parsed = smsSendJobSchema.safeParse(job.data);
    if (!parsed.success) {
      report({ outcome: 'failed', errorCode: 'invalid_request' });
      throw new UnrecoverableError('malformed sms-send job');
    }
    const { messageId, tenantId } = parsed.data;

    const waitMs = await deps.limiter.take(tenantId);
    if (waitMs > 0) {
      // Spread the woken jobs over the wait so they do not all come back at the same instant.
      await job.moveToDelayed(Date.now() + waitMs + Math.floor(Math.random() * waitMs), token);
      report({ outcome: 'rate_limited', tenantId, messageId });
      throw new DelayedError();
    }
    await attemptSend(deps, messageId, tenantId, { jobId: job.id, inline: false });
  };
}

export interface InlineSendDeps extends SendJobDeps {
  /** The send queue: where a send goes when it cannot happen inline. */
  enqueueSend(job: SmsSendJob, opts?: { delayMs?: number }): Promise<void>;
  backoffMs: number;
}

/**
 * The voicemail job's happy path: send the Message it just created, already claimed by its
 * insert, without a second job (docs/decisions.md, "Inline send"). Everything that is not a
 * plain success goes to the send queue exactly as before: a transient failure → a send job
 * delayed by the first backoff (the attempt is recorded and the Message back to `queued`); an
 * unexpected error (a failed write) → a send job now, which claims the Message again and sends
 * (at-least-once, as a retried send job would). A permanent failure leaves the Message
 * `failed` and the voicemail job completes.
 */
export function inlineSender(deps: InlineSendDeps): (m: ClaimedMessage) => Promise<void> {
  return async (m) => {
    const job = { messageId: m.id, tenantId: m.tenantId };
    try {
      await attemptClaimed(deps, m, { jobId: sendJobId(m.id), inline: true });
    } catch (err) {
      if (err instanceof UnrecoverableError) return;
      if (err instanceof RetryableSendError) return deps.enqueueSend(job, { delayMs: sendBackoffDelay(err.attempt, deps.backoffMs) });
      await deps.enqueueSend(job);
    }
  };
}
