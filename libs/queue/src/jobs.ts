import type { BackoffOptions, KeepJobs } from 'bullmq';
import { z } from 'zod';

/**
 * The job catalogue: each job's queue, name, payload schema and retry policy, in one entry
 * each. Payloads are parsed first; one that fails parsing is unrecoverable, never retried.
 */
export interface JobDefinition<T> {
  /** The BullMQ queue it lives in (where in Redis: `queueAt`). */
  queue: string;
  name: string;
  schema: z.ZodType<T>;
  /** One job per payload: adding it again under the same id is a no-op while it is kept. */
  jobId(data: T): string;
  attempts: number;
  backoff: BackoffOptions;
  /** How long finished jobs are kept; also applied by the consumer, for jobs added without it (a PBX adding straight). */
  retention: { removeOnComplete: KeepJobs; removeOnFail: KeepJobs };
}

/** Completed jobs are kept briefly (dedup by jobId still works through the Message row); failed ones for a week. */
const RETENTION = { removeOnComplete: { age: 3600, count: 50_000 }, removeOnFail: { age: 7 * 24 * 3600 } };

/** The PBX's new-voicemail event (DESIGN.md "Interfaces": a contract). */
export const voicemailEventSchema = z.object({
  eventId: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'eventId must be 1 to 128 characters of A-Z a-z 0-9 . _ -'),
  tenantId: z.number().int().positive().max(2_147_483_647),
  extension: z.string().regex(/^[A-Za-z0-9*#+_.-]{1,32}$/, 'extension must be 1 to 32 characters of A-Z a-z 0-9 * # + _ . -'),
  callerId: z.string().max(64).optional(),
  // Any caller-ID name a PBX may pass on: the worker cuts it to the template's budget.
  callerName: z.string().max(1000).optional(),
  durationSeconds: z.number().int().min(0).max(86_400).optional(),
  receivedAt: z.iso.datetime({ offset: true }),
  urgent: z.boolean().optional(),
});
export type VoicemailEvent = z.infer<typeof voicemailEventSchema>;

/** A send job carries only the Message id: the row is the source of truth. */
export const smsSendJobSchema = z.object({
  messageId: z.uuid(),
  tenantId: z.number().int().positive(),
});
export type SmsSendJob = z.infer<typeof smsSendJobSchema>;

/** BullMQ forbids ':' in custom ids; eventIds cannot contain one by their schema. */
export function voicemailJobId(tenantId: number, eventId: string): string {
  return `vm-${tenantId}-${eventId}`;
}

export function sendJobId(messageId: string): string {
  return messageId;
}

export const JOBS = {
  /** One Message per (tenant, eventId); a few retries for transient database trouble. */
  voicemailReceived: {
    queue: 'voicemail-events',
    name: 'voicemail.received',
    schema: voicemailEventSchema,
    jobId: (event: VoicemailEvent) => voicemailJobId(event.tenantId, event.eventId),
    attempts: 10,
    backoff: { type: 'exponential', delay: 1000, jitter: 0.5 },
    retention: RETENTION,
  } satisfies JobDefinition<VoicemailEvent>,
  /**
   * One attempt of a Message per run. Attempts are high on purpose: the worker ends a Message's
   * retries itself at SEND_MAX_ATTEMPTS per round, so its configuration, not the producer's,
   * decides; the `sms` backoff is the worker's (the delay the attempt's outcome chose).
   */
  smsSend: {
    queue: 'sms-send',
    name: 'sms.send',
    schema: smsSendJobSchema,
    jobId: (job: SmsSendJob) => sendJobId(job.messageId),
    attempts: 1000,
    backoff: { type: 'sms' },
    retention: RETENTION,
  } satisfies JobDefinition<SmsSendJob>,
};

/** The options a job is added with: its id, retry policy and retention from its entry. */
export function jobOptions<T>(job: JobDefinition<T>, data: T): { jobId: string; attempts: number; backoff: BackoffOptions } & JobDefinition<T>['retention'] {
  return { jobId: job.jobId(data), attempts: job.attempts, backoff: job.backoff, ...job.retention };
}

/** The queue names (the catalogue's `queue`s), for code that opens a queue by name. */
export const QUEUES = { voicemailEvents: JOBS.voicemailReceived.queue, smsSend: JOBS.smsSend.queue } as const;
/** The job names (the catalogue's `name`s), for code that adds jobs by name. */
export const JOB_NAMES = { voicemailReceived: JOBS.voicemailReceived.name, smsSend: JOBS.smsSend.name } as const;
