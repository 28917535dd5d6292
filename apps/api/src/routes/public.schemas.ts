import { z } from 'zod';

/**
 * The public API's request and response schemas: they validate REST requests and generate the
 * OpenAPI description (/docs/json). The action API's parameters are documented here but checked
 * by hand in the route, to keep the documented error order.
 */

export const errorResponse = z
  .object({
    error: z.string().describe('Readable text; for the four documented cases, exactly the documented text'),
    code: z.string().optional().describe('Stable error code (absent on the four documented cases)'),
  })
  .describe('Error');

export const acceptedResponse = z.object({ id: z.uuid(), status: z.literal('queued') }).describe('Accepted: the Message row exists and its send job is queued');

export const actionParams = z.object({
  action: z.literal('pbxware.sms.send_message').describe('The action; only pbxware.sms.send_message is supported'),
  apikey: z.string().optional().describe('API key with the sms:send permission (the X-API-Key header is accepted too and wins)'),
  server: z.string().optional().describe("Tenant id; must be the API key's tenant"),
  to_number: z.string().optional().describe('Destination in +E.164, URL-encoded (%2B14165551234); an unencoded + read as a space is accepted'),
  body: z.string().optional().describe('Message text, base64 of UTF-8 (standard or URL-safe alphabet, padding optional)'),
});

export const sendBody = z.object({
  to: z.string().describe('Destination in +E.164, e.g. +14165551234'),
  message: z.string().describe('Message text (at most 10 SMS segments and 1,600 UTF-8 bytes)'),
});

export const voicemailNotificationBody = z.object({
  extension: z.string().min(1).max(64).describe('The extension whose SMS number receives the notification'),
  message: z.string().optional().describe("Literal text; without it the tenant's voicemail template is rendered with the extension alone"),
});

export const messageParams = z.object({ id: z.string().describe('Message id (UUID)') });

export const messageStatusResponse = z.object({
  id: z.uuid(),
  status: z.enum(['queued', 'sending', 'sent', 'failed', 'skipped']),
  to: z.string().nullable(),
  from: z.string().nullable(),
  errorCode: z.string().optional(),
  attempts: z.number().int(),
  providerMessageId: z.string().optional(),
  createdAt: z.string().describe('ISO-8601'),
  updatedAt: z.string().describe('ISO-8601'),
});

export const historyQuery = z.strictObject({
  status: z.enum(['queued', 'sending', 'sent', 'failed', 'skipped']).optional(),
  since: z.iso.datetime({ offset: true }).optional().describe('ISO-8601, inclusive'),
  until: z.iso.datetime({ offset: true }).optional().describe('ISO-8601, exclusive'),
  cursor: z.string().max(200).optional().describe('nextCursor of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});

export const historyResponse = z.object({ items: z.array(messageStatusResponse), nextCursor: z.string().nullable() });

export const eventQueuedResponse = z.object({ status: z.enum(['queued', 'duplicate']) });

/** Error responses documented per route, by status. */
export function errorResponses(...statuses: number[]): Record<number, typeof errorResponse> {
  return Object.fromEntries(statuses.map((s) => [s, errorResponse]));
}
