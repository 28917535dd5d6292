import { AppError } from '@pbx-sms/core';
import { UUID, type PrismaClient } from '@pbx-sms/db';

/** Operators' handling of failed messages: list them, and send them again through the normal path. */

export interface FailedFilter {
  tenantId?: number | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  code?: string | undefined;
  limit?: number | undefined;
}

/** A failed message whose body and numbers retention housekeeping erased (MESSAGE_RETENTION_DAYS): nothing left to send. */
const ERASED = 'erased';

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
   * against current configuration before sending. Only failed messages can be retried, and
   * only while retention has not erased them. The retry starts a new round with a fresh
   * SEND_MAX_ATTEMPTS budget: the attempt count is kept (attempt rows keep their numbers) and
   * appended to `round_bases`, from which the worker counts the round's attempts.
   */
  async retry(messageId: string, tenantId?: number): Promise<{ id: string; status: 'queued' }> {
    const done = await this.requeueFailed(messageId, tenantId);
    if (done === ERASED) {
      throw new AppError(
        'invalid_request',
        `Message ${messageId} was erased by retention (MESSAGE_RETENTION_DAYS): its text and numbers are gone, so it cannot be sent again`,
      );
    }
    return done;
  }

  /** Retries every failed message matching the filter; those erased by retention are skipped and counted. */
  async retryAll(f: FailedFilter = {}): Promise<{ retried: number; ids: string[]; skippedErased: number }> {
    const failed = await this.listFailed({ ...f, limit: f.limit ?? 10_000 });
    const ids: string[] = [];
    let skippedErased = 0;
    for (const m of failed) {
      if ((await this.requeueFailed(m.id)) === ERASED) skippedErased++;
      else ids.push(m.id);
    }
    return { retried: ids.length, ids, skippedErased };
  }

  /** Requeues one failed message that still has its text; `erased` when retention erased it; throws for anything else. */
  private async requeueFailed(messageId: string, tenantId?: number): Promise<{ id: string; status: 'queued' } | typeof ERASED> {
    const valid = UUID.test(messageId);
    // body '' marks an erased message (retention sets it; an accepted message always has text).
    const updated = valid
      ? await this.prisma.$queryRaw<{ id: string; tenant_id: number }[]>`
          UPDATE messages SET status = 'queued', error_code = NULL, error_detail = NULL,
                 round_bases = array_append(round_bases, attempts), updated_at = now()
          WHERE id = ${messageId}::uuid AND status = 'failed' AND body <> '' AND (${tenantId ?? null}::int IS NULL OR tenant_id = ${tenantId ?? null}::int)
          RETURNING id, tenant_id`
      : [];
    const row = updated[0];
    if (!row) {
      const exists = valid
        ? await this.prisma.message.findFirst({
            where: { id: messageId, ...(tenantId !== undefined ? { tenantId } : {}) },
            select: { status: true, body: true },
          })
        : null;
      if (!exists) throw new AppError('not_found', `Message ${messageId} not found`);
      if (exists.status === 'failed' && exists.body === '') return ERASED;
      throw new AppError('invalid_request', `Message ${messageId} is ${exists.status}; only failed messages can be retried`);
    }
    await this.requeue({ messageId: row.id, tenantId: row.tenant_id });
    return { id: row.id, status: 'queued' };
  }
}
