import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError, measureMessage } from '@pbx-sms/core';
import { deleteUnsentMessage, insertAcceptedMessage, type SqlRunner } from '@pbx-sms/db';
import type { Logger } from '@pbx-sms/observability';
import type { QueueProducer } from '@pbx-sms/queue';

export interface MessageToAccept {
  tenantId: number;
  kind: 'api' | 'voicemail';
  source: 'action' | 'rest';
  from: string;
  to: string;
  body: string;
  extension: string | null;
  /** A pre-chosen id (idempotency promises it before the row exists); a new UUID otherwise. */
  id?: string;
}

/** How long an enqueue may take before the request gives up with 503. */
export const ENQUEUE_TIMEOUT_MS = 3_000;

function timeout(ms: number): { promise: Promise<never>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('enqueue timed out')), ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

/**
 * Accepting a message (DESIGN.md "Delivery"): write the Message row (`queued`), then add the
 * send job (jobId = Message id). If the enqueue fails the row is deleted and the caller gets
 * 503, so a client retry cannot double-send. Redis is checked first (a connection that is not
 * ready answers 503 before anything is written); a Postgres outage surfaces from the INSERT
 * and becomes 503 in the error handler.
 */
export class MessageAcceptance {
  constructor(
    private readonly db: SqlRunner,
    private readonly redis: Redis,
    private readonly producer: QueueProducer,
    private readonly logger: Logger,
    private readonly enqueueTimeoutMs = ENQUEUE_TIMEOUT_MS,
  ) {}

  /** Whether the queue's Redis connection is up (a cheap local check, no round trip). */
  queueReachable(): boolean {
    return this.redis.status === 'ready';
  }

  /** Throws AppError('unavailable') when the queue's Redis connection is not up. */
  assertQueueReachable(): void {
    if (!this.queueReachable()) throw new AppError('unavailable', 'The message queue is unavailable, retry later');
  }

  /** Writes and enqueues the message; answers its id. */
  async accept(m: MessageToAccept): Promise<string> {
    this.assertQueueReachable();
    const id = m.id ?? randomUUID();
    const info = measureMessage(m.body);
    await insertAcceptedMessage(this.db, {
      id,
      tenantId: m.tenantId,
      kind: m.kind,
      source: m.source,
      from: m.from,
      to: m.to,
      body: m.body,
      segments: info.segments,
      encoding: info.encoding,
      extension: m.extension,
    });
    const guard = timeout(this.enqueueTimeoutMs);
    try {
      await Promise.race([this.producer.enqueueSend({ messageId: id, tenantId: m.tenantId }), guard.promise]);
    } catch (err) {
      if (await this.withdraw(id, m.tenantId, err)) {
        throw new AppError('unavailable', 'The message queue is unavailable, retry later', { cause: err });
      }
    } finally {
      guard.cancel();
    }
    return id;
  }

  /**
   * Undoes the accept after a failed enqueue. True when the row is gone (answer 503). False
   * when it stays: a worker already took it (the enqueue did land), or Postgres failed too and
   * the reconciler will enqueue the `queued` row; either way the message is accepted and the
   * caller is told so, so that a retry does not send it twice.
   */
  private async withdraw(id: string, tenantId: number, cause: unknown): Promise<boolean> {
    try {
      const deleted = await deleteUnsentMessage(this.db, id);
      this.logger.warn({ err: cause, messageId: id, tenantId, withdrawn: deleted }, deleted ? 'enqueue failed; message withdrawn' : 'enqueue reported failure but a worker already has the message');
      return deleted;
    } catch (err) {
      this.logger.error({ err, cause, messageId: id, tenantId }, 'enqueue failed and the message could not be withdrawn; the reconciler will enqueue it');
      return false;
    }
  }
}
