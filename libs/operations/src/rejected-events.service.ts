import { z } from 'zod';
import { AppError } from '@pbx-sms/core';
import { tenantIdParam } from './admin.schemas';
import { decodeCursor, encodeCursor, type PrismaClient } from '@pbx-sms/db';

/** `GET /api/admin/rejected-events` and `rejected-events list`: one query schema for both. */
export const rejectedEventsQuery = z.strictObject({
  tenantId: tenantIdParam.optional().describe('only events whose payload named this tenant'),
  since: z.iso.datetime({ offset: true }).optional().describe('ISO-8601, inclusive'),
  cursor: z.string().max(200).optional().describe('nextCursor of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export type RejectedEventsQuery = z.infer<typeof rejectedEventsQuery>;

export const rejectedEventView = z.object({
  id: z.string(),
  receivedAt: z.string().describe('ISO-8601'),
  reason: z.string(),
  tenantId: z.number().int().nullable().describe("the payload's tenantId when it had a parseable one"),
  excerpt: z.string().describe('the payload with personal fields and phone-like text masked, truncated'),
});
export type RejectedEventView = z.infer<typeof rejectedEventView>;
export const rejectedEventsPage = z.object({ items: z.array(rejectedEventView), nextCursor: z.string().nullable() });

/** Row ids are bigints; the cursor codec is the message history's. */
const ROW_ID = /^\d{1,19}$/;

/** Voicemail events that failed the schema or named an unknown tenant, newest first. */
export class RejectedEventsService {
  constructor(private readonly prisma: PrismaClient) {}

  async list(q: RejectedEventsQuery): Promise<z.infer<typeof rejectedEventsPage>> {
    const after = q.cursor === undefined ? undefined : decodeCursor(q.cursor, ROW_ID);
    if (after === null) throw new AppError('invalid_request', 'cursor: not a cursor this API returned');
    const rows = await this.prisma.rejectedEvent.findMany({
      where: {
        ...(q.tenantId !== undefined ? { tenantId: q.tenantId } : {}),
        ...(q.since !== undefined ? { receivedAt: { gte: new Date(q.since) } } : {}),
        ...(after ? { OR: [{ receivedAt: { lt: after.createdAt } }, { receivedAt: after.createdAt, id: { lt: BigInt(after.id) } }] } : {}),
      },
      orderBy: [{ receivedAt: 'desc' }, { id: 'desc' }],
      take: q.limit + 1,
    });
    const page = rows.slice(0, q.limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => ({ id: String(r.id), receivedAt: r.receivedAt.toISOString(), reason: r.reason, tenantId: r.tenantId, excerpt: r.excerpt })),
      nextCursor: rows.length > q.limit && last ? encodeCursor(last.receivedAt, String(last.id)) : null,
    };
  }
}
