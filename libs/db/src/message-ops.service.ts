import { AppError } from '@pbx-sms/core';
import type { PrismaClient } from './client';

/** Operators' handling of failed messages: list them, and send them again through the normal path. */

export interface FailedFilter {
  tenantId?: number | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
  code?: string | undefined;
  limit?: number | undefined;
}

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
   * against current configuration before sending. Only failed messages can be retried.
   */
  async retry(messageId: string, tenantId?: number): Promise<{ id: string; status: 'queued' }> {
    const valid = /^[0-9a-f-]{36}$/i.test(messageId);
    const updated = valid
      ? await this.prisma.message.updateManyAndReturn({
          where: { id: messageId, status: 'failed', ...(tenantId !== undefined ? { tenantId } : {}) },
          data: { status: 'queued', errorCode: null, errorDetail: null },
          select: { id: true, tenantId: true },
        })
      : [];
    const row = updated[0];
    if (!row) {
      const exists = valid ? await this.prisma.message.findFirst({ where: { id: messageId, ...(tenantId !== undefined ? { tenantId } : {}) }, select: { status: true } }) : null;
      if (!exists) throw new AppError('not_found', `Message ${messageId} not found`);
      throw new AppError('invalid_request', `Message ${messageId} is ${exists.status}; only failed messages can be retried`);
    }
    await this.requeue({ messageId: row.id, tenantId: row.tenantId });
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
