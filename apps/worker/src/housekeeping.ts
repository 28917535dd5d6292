import { deleteOldRejectedEvents, eraseOldMessages, type SqlRunner } from '@pbx-sms/db/pg';
import type { Logger } from '@pbx-sms/observability';

export interface HousekeepingDeps {
  db: SqlRunner;
  logger: Logger;
  intervalMs: number;
  rejectedEventRetentionDays: number;
  /** Undefined: messages are kept whole forever. */
  messageRetentionDays: number | undefined;
  batchSize?: number;
}

export interface HousekeepingResult {
  rejectedEventsDeleted: number;
  messagesErased: number;
}

/**
 * Retention, every `intervalMs`: deletes rejected events older than REJECTED_EVENT_RETENTION_DAYS
 * and, when MESSAGE_RETENTION_DAYS is set, erases the body and numbers of older terminal
 * messages. Batch by batch (each a short statement of its own) until nothing is left. Every
 * replica runs it: the statements are idempotent and skip rows another replica has locked, so
 * no cross-replica lock is needed.
 */
export class Housekeeping {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<HousekeepingResult> | undefined;
  private stopped = false;

  constructor(private readonly deps: HousekeepingDeps) {}

  start(): void {
    this.timer = setTimeout(() => {
      void this.runOnce()
        .catch((err: unknown) => this.deps.logger.warn({ err }, 'housekeeping pass failed'))
        .finally(() => {
          if (!this.stopped) this.start();
        });
    }, this.deps.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One pass; concurrent calls share it. */
  runOnce(): Promise<HousekeepingResult> {
    this.running ??= this.pass().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(): Promise<HousekeepingResult> {
    const { db, rejectedEventRetentionDays, messageRetentionDays } = this.deps;
    const rejectedEventsDeleted = await this.drain((n) => deleteOldRejectedEvents(db, rejectedEventRetentionDays, n));
    const messagesErased = messageRetentionDays === undefined ? 0 : await this.drain((n) => eraseOldMessages(db, messageRetentionDays, n));
    if (rejectedEventsDeleted + messagesErased > 0) this.deps.logger.info({ rejectedEventsDeleted, messagesErased }, 'housekeeping: retention applied');
    return { rejectedEventsDeleted, messagesErased };
  }

  /** Runs `batch` until it comes back short (or the worker stops); answers the total. */
  private async drain(batch: (size: number) => Promise<number>): Promise<number> {
    const size = this.deps.batchSize ?? 1000;
    let total = 0;
    for (;;) {
      const n = await batch(size);
      total += n;
      if (n < size || this.stopped) return total;
    }
  }
}
