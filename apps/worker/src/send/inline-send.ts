import type { ClaimedMessage } from '@pbx-sms/db/pg';
import { JOBS, type SmsSendJob } from '@pbx-sms/queue';
import type { JobLogs } from '../job-log';
import { attemptClaimed, type RulesCheck, type SendAttemptDeps } from './send-attempt';

export interface InlineSendDeps extends SendAttemptDeps {
  logs: JobLogs;
  /** The send queue: where a send goes when it cannot happen inline. */
  enqueueSend(job: SmsSendJob, opts?: { delayMs?: number }): Promise<void>;
}

/**
 * The voicemail job's happy path: send the Message it just created, already claimed by its
 * insert, without a second job (docs/decisions.md, "Inline send"). `checked`: the configuration
 * the voicemail job's rules just passed against, so they are not evaluated twice. Everything
 * that is not a plain success goes to the send queue exactly as a send job would: a retry → a
 * send job delayed by the outcome's backoff (the attempt is recorded and the Message back to
 * `queued`); a thrown error (a failed write) → a send job now, which claims the Message again
 * and sends (at-least-once). A failed or blocked outcome leaves the Message terminal and the
 * voicemail job completes.
 */
export function inlineSender(deps: InlineSendDeps): (m: ClaimedMessage, checked: RulesCheck) => Promise<void> {
  return async (m, checked) => {
    const job = { messageId: m.id, tenantId: m.tenantId };
    const log = deps.logs({ queue: 'sms-send', jobId: JOBS.smsSend.jobId(job), tenantId: m.tenantId, messageId: m.id, inline: true });
    let outcome;
    try {
      outcome = await attemptClaimed(deps, m, log, checked);
    } catch {
      return deps.enqueueSend(job);
    }
    if (outcome.kind === 'retry') await deps.enqueueSend(job, { delayMs: outcome.delayMs });
  };
}
