import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { Batcher, ItemFailure } from '@pbx-sms/concurrency';
import { measureMessage } from '@pbx-sms/core';
import { deleteUnsentMessages, insertAcceptedMessages, type AcceptedMessage, type SqlRunner } from '@pbx-sms/db';
import type { Logger } from '@pbx-sms/observability';
import type { QueueProducer } from '@pbx-sms/queue';
import { isUnavailableError } from '../http-errors';
import { assertQueueReachable, queueUnavailable } from '../queue-reachable';

/** What is accepted: the row less what acceptance computes (segments, encoding) and, optionally, the id. */
export type MessageToAccept = Omit<AcceptedMessage, 'id' | 'segments' | 'encoding'> & {
  /** A pre-chosen id (idempotency promises it before the row exists); a new UUID otherwise. */
  id?: string;
};

/** How long an enqueue may take before the requests give up with 503. */
export const ENQUEUE_TIMEOUT_MS = 3_000;
/** Most messages written and enqueued together. */
export const MAX_BATCH = 100;
/**
 * Most batch INSERTs in flight at once. While one is, new messages wait and go out together as
 * the next batch when it finishes (group commit); at low load a message still goes out in the
 * turn it arrives (docs/performance.md "Batchers").
 */
export const MAX_INSERTS_IN_FLIGHT = 1;
/**
 * An INSERT stops counting against MAX_INSERTS_IN_FLIGHT after this long, so that a slow or
 * stuck one (a lock wait, Postgres hanging) delays the messages behind it by this much at most:
 * they go out on other connections, as they would without the limit, and the pool's
 * connection timeout answers 503 when none is left.
 */
export const INSERT_SLOT_MS = 25;

/**
 * Most send-job batches being added at once. Like the INSERTs, what arrives meanwhile goes out
 * together as the next batch (`QueueProducer.enqueueSends`: one write to Redis), and a slot
 * frees after INSERT_SLOT_MS at the latest, so that a slow Redis
 * does not hold the batches behind it: each still answers 503 after ENQUEUE_TIMEOUT_MS.
 */
export const MAX_ENQUEUES_IN_FLIGHT = 2;

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
 * Both steps are batched (group commit, `Batcher`): the requests accepted in one event-loop
 * turn, or under load while the previous batches are out (see MAX_INSERTS_IN_FLIGHT), are
 * written with one INSERT, and the rows written meanwhile are enqueued together (one write).
 * Per request that is still one row and then one job, but the database commits once per batch,
 * which is what bounds throughput under load.
 */
export class MessageAcceptance {
  private readonly inserts: Batcher<AcceptedMessage, void>;
  private readonly enqueues: Batcher<AcceptedMessage, void>;

  constructor(
    private readonly db: SqlRunner,
    private readonly redis: Redis,
    private readonly producer: QueueProducer,
    private readonly logger: Logger,
    /** Called once per message written and enqueued (metrics). */
    private readonly onAccepted: (m: MessageToAccept) => void = () => undefined,
    private readonly enqueueTimeoutMs = ENQUEUE_TIMEOUT_MS,
  ) {
    this.inserts = new Batcher((rows) => this.insert(rows), {
      name: 'accepted-message-inserts',
      maxBatch: MAX_BATCH,
      maxInFlight: MAX_INSERTS_IN_FLIGHT,
      slotTimeoutMs: INSERT_SLOT_MS,
    });
    this.enqueues = new Batcher((rows) => this.enqueue(rows), {
      name: 'accepted-message-enqueues',
      maxBatch: MAX_BATCH,
      maxInFlight: MAX_ENQUEUES_IN_FLIGHT,
      slotTimeoutMs: INSERT_SLOT_MS,
    });
  }

  /** Writes and enqueues the message; answers its id. */
  async accept(m: MessageToAccept): Promise<string> {
    assertQueueReachable(this.redis);
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
    await this.inserts.submit(row);
    await this.enqueues.submit(row);
    this.onAccepted(m);
    return id;
  }

  /** Writes the rows: one INSERT, or one per row when the batch failed for something else than an outage. */
  private async insert(rows: AcceptedMessage[]): Promise<(void | ItemFailure)[]> {
    try {
      await insertAcceptedMessages(this.db, rows);
      return rows.map(() => undefined);
    } catch (err) {
      // One bad row (say, a tenant deleted meanwhile) must not fail the others: go one by one.
      if (rows.length > 1 && !isUnavailableError(err))
        return Promise.all(
          rows.map((r) =>
            insertAcceptedMessages(this.db, [r]).then(
              () => undefined,
              (e: unknown) => new ItemFailure(e),
            ),
          ),
        );
      throw err;
    }
  }

  /** Adds the rows' send jobs; after a failure, withdraws the rows (see `withdraw`). */
  private async enqueue(rows: AcceptedMessage[]): Promise<(void | ItemFailure)[]> {
    const guard = timeout(this.enqueueTimeoutMs);
    try {
      await Promise.race([this.producer.enqueueSends(rows.map((r) => ({ messageId: r.id, tenantId: r.tenantId }))), guard.promise]);
      return rows.map(() => undefined);
    } catch (err) {
      const withdrawn = await this.withdraw(rows, err);
      return rows.map((r) => (withdrawn.has(r.id) ? new ItemFailure(queueUnavailable(err)) : undefined));
    } finally {
      guard.cancel();
    }
  }

  /**
   * Undoes the accepts after a failed enqueue; answers the ids whose rows are gone (answer 503).
   * A row that stays is accepted and its caller is told so, so that a retry does not send it
   * twice: a worker already took it (the enqueue did land), or Postgres failed too and the
   * reconciler will enqueue the `queued` row.
   */
  private async withdraw(rows: AcceptedMessage[], cause: unknown): Promise<Set<string>> {
    const ids = rows.map((r) => r.id);
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
