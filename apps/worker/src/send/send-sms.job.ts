import { performance } from 'node:perf_hooks';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { sendBackoffDelay, type Outcome } from '@pbx-sms/core';
import { JOBS } from '@pbx-sms/queue';
import type { TenantRateLimiter } from '@pbx-sms/ratelimit';
import type { JobLogs } from '../job-log';
import { attemptSend, type SendAttemptDeps } from './send-attempt';

export interface SendJobDeps extends SendAttemptDeps {
  limiter: TenantRateLimiter;
  logs: JobLogs;
}

/** Thrown for a transient failure with attempts left; carries the delay its outcome chose. */
export class RetryableSendError extends Error {
  override readonly name = 'RetryableSendError';

  constructor(
    message: string,
    readonly delayMs: number,
  ) {
    super(message);
  }
}

/**
 * The `sms` backoff strategy (the catalogue's send jobs ask for `backoff: { type: 'sms' }`):
 * the delay the attempt's outcome chose (`decideOutcome`: SEND_BACKOFF_MS for the first retry
 * of a round, doubling with jitter, capped at 5 minutes). Any other error (a failed write) is
 * retried after the delay for the job's own attempt count.
 */
export function sendBackoffStrategy(baseMs: number): (attemptsMade: number, type?: string, err?: Error) => number {
  return (attemptsMade, _type, err) => {
    const delayMs = (err as Partial<RetryableSendError> | undefined)?.delayMs;
    return typeof delayMs === 'number' ? delayMs : sendBackoffDelay(attemptsMade, baseMs);
  };
}

/** An attempt's outcome in BullMQ's terms: complete (return), fail for good, or retry after the outcome's delay. */
function endJob(outcome: Outcome | null): void {
  if (outcome?.kind === 'failed') throw new UnrecoverableError(outcome.code);
  if (outcome?.kind === 'retry') throw new RetryableSendError(outcome.code, outcome.delayMs);
}

/**
 * `sms-send`: parse, rate limit per tenant (over the limit: delayed, no attempt counted), then
 * one attempt (`attemptSend`), whose outcome ends the job (`endJob`).
 */
export function sendSmsHandler(deps: SendJobDeps): (job: Job, token?: string) => Promise<void> {
  return async (job, token) => {
    const started = performance.now();
    const parsed = JOBS.smsSend.schema.safeParse(job.data);
    if (!parsed.success) {
      deps.logs({ queue: 'sms-send', jobId: job.id }, started).report({ outcome: 'failed', errorCode: 'invalid_request' });
      throw new UnrecoverableError('malformed sms-send job');
    }
    const { messageId, tenantId } = parsed.data;
    const log = deps.logs({ queue: 'sms-send', jobId: job.id, tenantId, messageId }, started);

    const waitMs = await deps.limiter.take(tenantId);
    if (waitMs > 0) {
      // Spread the woken jobs over the wait so they do not all come back at the same instant.
      await job.moveToDelayed(Date.now() + waitMs + Math.floor(Math.random() * waitMs), token);
      log.report({ outcome: 'rate_limited' });
      throw new DelayedError();
    }
    endJob(await attemptSend(deps, messageId, log));
  };
}
