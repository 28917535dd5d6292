import { AppError } from '@pbx-sms/core';
import type { PrismaClient } from '@pbx-sms/db';

/** Operators' handling of failed messages: list them, and send them again through the normal path. */

export interface FailedFilter {
  tenantId?: number | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  code?: string | undefined;
  limit?: number | undefined;
}

/** A well-formed uuid: anything else cannot name a message (and must not reach a `::uuid` cast). */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class MessageOpsService {
  constructor(
    private readonly prisma: PrismaClient,
    /** Enqueues the send job again (QueueProducer.requeueSend). */
    private readonly requeue: (job: { messageId: string; tenantId: number }) => Promise<void>,
  ) {}

  async listFailed(f: FailedFilter = {}) {
    return this.prisma.message.findMany({
      where: {
        status: 'failed',
        ...(f.tenantId !== undefined ? { tenantId: f.tenantId } : {}),
        ...(f.code !== undefined ? { errorCode: f.code } : {}),
        ...(f.since || f.until ? { createdAt: { ...(f.since ? { gte: f.since } : {}), ...(f.until ? { lt: f.until } : {}) } } : {}),
      },
      orderBy: { createdAt: 'desc' },
      take: Math.min(f.limit ?? 100, 10_000),
      select: { id: true, tenantId: true, kind: true, source: true, errorCode: true, errorDetail: true, attempts: true, createdAt: true, updatedAt: true },
    });
  }

  /**
   * Moves a failed message back to `queued` and enqueues it; the worker re-checks every rule
   * against current configuration before sending. Only failed messages can be retried. The
   * retry starts a new round with a fresh SEND_MAX_ATTEMPTS budget: the attempt count is kept
   * (attempt rows keep their numbers) and appended to `round_bases`, from which the worker
   * counts the round's attempts.
   */
  async retry(messageId: string, tenantId?: number): Promise<{ id: string; status: 'queued' }> {
    const valid = UUID.test(messageId);
    const updated = valid
      ? await this.prisma.$queryRaw<{ id: string; tenant_id: number }[]>`
          UPDATE messages SET status = 'queued', error_code = NULL, error_detail = NULL,
                 round_bases = array_append(round_bases, attempts), updated_at = now()
          WHERE id = ${messageId}::uuid AND status = 'failed' AND (${tenantId ?? null}::int IS NULL OR tenant_id = ${tenantId ?? null}::int)
          RETURNING id, tenant_id`
      : [];
    const row = updated[0];
    if (!row) {
      const exists = valid ? await this.prisma.message.findFirst({ where: { id: messageId, ...(tenantId !== undefined ? { tenantId } : {}) }, select: { status: true } }) : null;
      if (!exists) throw new AppError('not_found', `Message ${messageId} not found`);
      throw new AppError('invalid_request', `Message ${messageId} is ${exists.status}; only failed messages can be retried`);
    }
    await this.requeue({ messageId: row.id, tenantId: row.tenant_id });
    return { id: row.id, status: 'queued' };
  }

  async retryAll(f: FailedFilter = {}): Promise<{ retried: number; ids: string[] }> {
    const failed = await this.listFailed({ ...f, limit: f.limit ?? 10_000 });
    const ids: string[] = [];
    for (const m of failed) {
      await this.retry(m.id);
      ids.push(m.id);
    }
    return { retried: ids.length, ids };
  }
}
