import { performance } from 'node:perf_hooks';
import type { Job } from 'bullmq';
import { DEFAULT_VOICEMAIL_TEMPLATE, blockedStatus, evaluateRules, fitVoicemailText } from '@pbx-sms/core';
import { redactText } from '@pbx-sms/observability';
import { JOBS, type SmsSendJob } from '@pbx-sms/queue';
import type { ClaimedMessage } from '@pbx-sms/db/pg';
import type { MessageStore } from '../message-store';
import type { TenantConfigCache } from '@pbx-sms/db/pg';
import type { JobLogs } from '../job-log';
import type { RulesCheck } from '../send/send-attempt';

export interface VoicemailJobDeps {
  messages: MessageStore;
  config: TenantConfigCache;
  enqueueSend(job: SmsSendJob): Promise<void>;
  logs: JobLogs;
  /**
   * Send a new Message from this job instead of a send job (docs/decisions.md, "Inline send"):
   * `take` is the tenant's rate limit (0: go), `send` makes the first attempt of the Message
   * the insert claimed, with the rules' check this job made. Absent: every Message goes through
   * the send queue. Only a job under the event's own id (`voicemailJobId`) sends inline: that
   * is the job the reconciler checks before it takes a `sending` event Message for abandoned.
   */
  inline?: { take(tenantId: number): Promise<number>; send(m: ClaimedMessage, checked: RulesCheck): Promise<void> };
}

const PERSONAL = new Set(['callerId', 'callerName', 'to', 'from', 'smsNumber', 'body', 'message', 'text', 'phoneNumber']);
const EXCERPT_MAX = 500;
const TIME_PLACEHOLDER = /\{\{\s*(time|date)\s*\}\}/;

/** A payload fit for the rejected-events table: personal fields and phone-like text masked, truncated. */
export function redactedExcerpt(data: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(data, (key, value: unknown) => (PERSONAL.has(key) ? '[redacted]' : value));
  } catch {
    text = undefined;
  }
  return redactText(text ?? String(data)).slice(0, EXCERPT_MAX);
}

/**
 * The tenant a payload names, when it can be read as one (an integer, or a string of digits, in
 * the tenant id range), so operators can filter rejected events by tenant; else null.
 */
export function payloadTenantId(data: unknown): number | null {
  const raw = data !== null && typeof data === 'object' ? (data as { tenantId?: unknown }).tenantId : undefined;
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d{1,10}$/.test(raw) ? Number(raw) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= 2_147_483_647 ? n : null;
}

/**
 * `voicemail-events` → one Message per (tenant, eventId). A malformed event or an unknown
 * tenant becomes a RejectedEvent row and the job completes (never retried, never a crash).
 * Otherwise rules 5, 6 and 8 decide: blocked → a `skipped` Message (something switched off)
 * or a `failed` one (something switched on is broken: `blockedStatus`) with the rule's code and
 * explanation; allowed → a `queued` Message, then its send job. The unique (tenant, eventId)
 * is the dedup; a repeat of a still-`queued` Message re-enqueues it (same job id, so a no-op
 * unless a crash lost the first enqueue). With `inline`, an allowed new Message is inserted
 * already claimed and sent from this job; a repeat that finds it `sending` leaves it alone
 * (the reconciler covers a worker that died mid-send: it counts this job, while live, as the
 * Message's live job). Inline only for a job under the event's own id (`voicemailJobId`).
 */
export function voicemailReceivedHandler(deps: VoicemailJobDeps): (job: Job) => Promise<void> {
  return async (job) => {
    const started = performance.now();
    const parsed = JOBS.voicemailReceived.schema.safeParse(job.data);
    if (!parsed.success) {
      const reason = `invalid event: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`;
      await deps.messages.insertRejectedEvent(redactText(reason).slice(0, 1000), redactedExcerpt(job.data), payloadTenantId(job.data));
      return deps.logs({ queue: 'voicemail-events', jobId: job.id }, started).report({ outcome: 'rejected', errorCode: 'invalid_request' });
    }
    const event = parsed.data;
    const log = deps.logs({ queue: 'voicemail-events', jobId: job.id, tenantId: event.tenantId }, started);
    const tenant = await deps.config.tenant(event.tenantId);
    if (!tenant) {
      await deps.messages.insertRejectedEvent(`unknown tenant ${event.tenantId}`, redactedExcerpt(job.data), event.tenantId);
      return log.report({ outcome: 'rejected', errorCode: 'not_found' });
    }
    const ext = await deps.config.extension(event.tenantId, event.extension);
    // Date formatting is costly (Intl formatters); only templates that show a time pay for it.
    const showsTime = TIME_PLACEHOLDER.test(tenant.voicemailTemplate ?? DEFAULT_VOICEMAIL_TEMPLATE);
    // Caller parts cut to the template's budget; the length rule (step 7) then checks the text.
    const { text: body, info: size } = fitVoicemailText(tenant.voicemailTemplate, {
      extension: event.extension,
      callerId: event.callerId,
      callerName: event.callerName,
      durationSeconds: event.durationSeconds,
      receivedAt: showsTime ? new Date(event.receivedAt) : undefined,
      timeZone: showsTime ? tenant.timeZone : undefined,
    });
    const decision = evaluateRules(tenant, { kind: 'voicemail', via: 'event', extension: event.extension, text: body }, ext);
    const blocked = decision.allowed
      ? null
      : { status: blockedStatus('voicemail', decision.blockedBy.rule), code: decision.code, detail: decision.blockedBy.explanation };
    // Inline send: the row is born claimed (`sending`), so a duplicate event arriving meanwhile
    // sees a Message in flight and enqueues nothing. Over the rate limit: the send queue waits.
    // Only under the event's own job id, the one the reconciler looks up to tell a live inline
    // send from an abandoned one; a job added under another id uses the send queue.
    const ownJob = job.id === JOBS.voicemailReceived.jobId(event);
    const claim = decision.allowed && deps.inline !== undefined && ownJob && (await deps.inline.take(event.tenantId)) === 0;
    const stored = await deps.messages.insertVoicemailMessage({
      tenantId: event.tenantId,
      eventId: event.eventId,
      extension: event.extension,
      from: tenant.sender?.e164 ?? null,
      to: ext?.smsNumber ?? null,
      body,
      status: blocked?.status ?? 'queued',
      errorCode: blocked?.code ?? null,
      errorDetail: blocked?.detail ?? null,
      segments: size.segments,
      encoding: size.encoding,
      claim,
    });
    if (stored.claimed && deps.inline) {
      log.report({ outcome: 'queued', messageId: stored.id, errorCode: null });
      return deps.inline.send(stored.claimed, { decision, tenant, ext });
    }
    if (stored.status === 'queued') await deps.enqueueSend({ messageId: stored.id, tenantId: event.tenantId });
    if (!stored.inserted) return log.report({ outcome: 'duplicate', messageId: stored.id });
    log.report({ outcome: blocked?.status ?? 'queued', messageId: stored.id, errorCode: blocked?.code ?? null });
  };
}
