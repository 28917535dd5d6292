import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { AppError, measureMessage } from '@pbx-sms/core';
import { deleteUnsentMessages, insertAcceptedMessages, type AcceptedMessage, type SqlRunner } from '@pbx-sms/db';
import type { Logger } from '@pbx-sms/observability';
import { JOB_NAMES, SEND_JOB_ATTEMPTS, sendJobId, type QueueProducer } from '@pbx-sms/queue';
import { isUnavailableError } from '../http-errors';

/** What a route accepts: the row less what acceptance computes (segments, encoding) and, optionally, the id. */
export type MessageToAccept = Omit<AcceptedMessage, 'id' | 'segments' | 'encoding'> & {
  /** A pre-chosen id (idempotency promises it before the row exists); a new UUID otherwise. */
  id?: string;
};

/** How long an enqueue may take before the requests give up with 503. */
export const ENQUEUE_TIMEOUT_MS = 3_000;
/** Most messages written and enqueued together. */
export const MAX_BATCH = 100;
/**
 * Most batch INSERTs in flight at once. While they are, new messages wait and go out together
 * as the next batch when one finishes (group commit): a commit costs Postgres ~0.2 ms of CPU
 * whatever the batch size, so under load a few large batches cost far less than many small
 * ones, and at low load a message still goes out in the turn it arrives.
 */
export const MAX_INSERTS_IN_FLIGHT = 2;
/**
 * An INSERT stops counting against MAX_INSERTS_IN_FLIGHT after this long, so that a slow or
 * stuck one (a lock wait, Postgres hanging) delays the messages behind it by this much at most:
 * they go out on other connections, as they would without the limit, and the pool's
 * connection timeout answers 503 when none is left.
 */
export const INSERT_SLOT_MS = 25;

const QUEUE_DOWN = 'The message queue is unavailable, retry later';

interface Pending {
  row: AcceptedMessage;
  resolve(): void;
  reject(err: unknown): void;
}

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
 *
 * Requests accepted in the same event-loop turn (or, under load, while the previous batches'
 * INSERTs are in flight: see MAX_INSERTS_IN_FLIGHT) are written with one INSERT and enqueued
 * with one `addBulk` (one pipeline): per request that is still one row and one job, but the
 * database commits once per batch, which is what bounds throughput under load.
 */
export class MessageAcceptance {
  private pending: Pending[] = [];
  private scheduled = false;
  private insertsInFlight = 0;

  constructor(
    private readonly db: SqlRunner,
    private readonly redis: Redis,
    private readonly producer: QueueProducer,
    private readonly logger: Logger,
    /** Called once per message written and enqueued (metrics). */
    private readonly onAccepted: (m: MessageToAccept) => void = () => undefined,
    private readonly enqueueTimeoutMs = ENQUEUE_TIMEOUT_MS,
  ) {}

  /** Whether the queue's Redis connection is up (a cheap local check, no round trip). */
  queueReachable(): boolean {
    return this.redis.status === 'ready';
  }

  /** Throws AppError('unavailable') when the queue's Redis connection is not up. */
  assertQueueReachable(): void {
    if (!this.queueReachable()) throw new AppError('unavailable', QUEUE_DOWN);
  }

  /** Writes and enqueues the message; answers its id. */
  async accept(m: MessageToAccept): Promise<string> {
    this.assertQueueReachable();
    const id = m.id ?? randomUUID();
    const info = measureMessage(m.body);
    const row: AcceptedMessage = {
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
    };
    await new Promise<void>((resolve, reject) => {
      this.pending.push({ row, resolve, reject });
      if (!this.scheduled && this.insertsInFlight < MAX_INSERTS_IN_FLIGHT) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
    this.onAccepted(m);
    return id;
  }

  private flush(): void {
    this.scheduled = false;
    while (this.pending.length > 0 && this.insertsInFlight < MAX_INSERTS_IN_FLIGHT) void this.write(this.pending.splice(0, MAX_BATCH));
  }

  /** Writes the rows; answers whether they were written (the callers have been answered if not). */
  private async insert(batch: Pending[]): Promise<boolean> {
    this.insertsInFlight++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.insertsInFlight--;
      // What arrived meanwhile goes out now, as one batch.
      if (this.pending.length > 0) this.flush();
    };
    const slowTimer = setTimeout(release, INSERT_SLOT_MS);
    try {
      await insertAcceptedMessages(
        this.db,
        batch.map((p) => p.row),
      );
      return true;
    } catch (err) {
      if (batch.length > 1 && !isUnavailableError(err)) {
        // One bad row (say, a tenant deleted meanwhile) must not fail the others: go one by one.
        for (const p of batch) void this.write([p]);
        return false;
      }
      for (const p of batch) p.reject(err);
      return false;
    } finally {
      clearTimeout(slowTimer);
      release();
    }
  }

  private async write(batch: Pending[]): Promise<void> {
    if (!(await this.insert(batch))) return;

    const guard = timeout(this.enqueueTimeoutMs);
    try {
      await Promise.race([
        this.producer.sendQueue.addBulk(
          batch.map((p) => ({
            name: JOB_NAMES.smsSend,
            data: { messageId: p.row.id, tenantId: p.row.tenantId },
            opts: { jobId: sendJobId(p.row.id), attempts: SEND_JOB_ATTEMPTS, backoff: { type: 'sms' } },
          })),
        ),
        guard.promise,
      ]);
    } catch (err) {
      const withdrawn = await this.withdraw(batch, err);
      for (const p of batch) {
        if (withdrawn.has(p.row.id)) p.reject(new AppError('unavailable', QUEUE_DOWN, { cause: err }));
        else p.resolve();
      }
      return;
    } finally {
      guard.cancel();
    }
    for (const p of batch) p.resolve();
  }

  /**
   * Undoes the accepts after a failed enqueue; answers the ids whose rows are gone (answer 503).
   * A row that stays is accepted and its caller is told so, so that a retry does not send it
   * twice: a worker already took it (the enqueue did land), or Postgres failed too and the
   * reconciler will enqueue the `queued` row.
   */
  private async withdraw(batch: Pending[], cause: unknown): Promise<Set<string>> {
    const ids = batch.map((p) => p.row.id);
    try {
      const deleted = await deleteUnsentMessages(this.db, ids);
      this.logger.warn({ err: cause, messages: ids.length, withdrawn: deleted.size }, 'enqueue failed; messages withdrawn');
      return deleted;
    } catch (err) {
      this.logger.error({ err, cause, messages: ids.length }, 'enqueue failed and the messages could not be withdrawn; the reconciler will enqueue them');
      return new Set();
    }
  }
}
