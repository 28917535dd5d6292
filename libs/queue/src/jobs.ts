import { z } from 'zod';

/**
 * The job catalogue: each queue, its job name, payload schema and retry policy, in one place.
 * Payloads are parsed first; one that fails parsing is unrecoverable, never retried.
 */

export const QUEUES = {
  voicemailEvents: 'voicemail-events',
  smsSend: 'sms-send',
} as const;

export const JOB_NAMES = {
  voicemailReceived: 'voicemail.received',
  smsSend: 'sms.send',
} as const;

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
