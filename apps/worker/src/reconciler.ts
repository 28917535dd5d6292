import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { MessageRepository, StaleMessage } from '@pbx-sms/db/pg';
import type { Logger } from '@pbx-sms/observability';
import { reconcilerLockKey, type QueueProducer } from '@pbx-sms/queue';

export interface ReconcilerDeps {
  messages: MessageRepository;
  /** The queues: a Message's live jobs, and the requeue (`requeueSendUnlessLive`). */
  queues: QueueProducer;
  redis: Redis;
  logger: Logger;
  intervalMs: number;
  /** Rows untouched for this long are checked. */
  afterMs: number;
  batchSize?: number;
}

export interface ReconcileResult {
  checked: number;
  requeued: number;
  /** Another replica held the lock, so this pass did nothing. */
  skipped: boolean;
}

/**
 * Re-enqueues Messages that are `queued` (or `sending`) with no live job: a crash between the
 * row insert and the enqueue, a lost Redis, a job failed by BullMQ itself, a worker that died
 * during an inline send. A Message's live job is its send job or, for a voicemail event's
 * Message, the event's voicemail job (`voicemailJobId`), which sends the Message it creates
 * itself (docs/decisions.md, "Inline send") and may hold it `sending` for as long as that
 * attempt takes (a slot wait, the provider call, the outcome write retried through a Postgres
 * outage). "Live": waiting, active, delayed and the like; a stalled job whose worker died is
 * moved back to waiting by BullMQ and run again, so it counts too. The send is requeued as an
 * operator's retry is (`QueueProducer.requeueSendUnlessLive`: same job id as the first enqueue, a job
 * kept as completed or failed removed first). Whatever races remain are harmless: the send
 * handler does nothing for a Message that is already terminal. One replica reconciles per
 * interval (a Redis lock).
 */
export class Reconciler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<ReconcileResult> | undefined;
  private readonly id = randomUUID();

  constructor(private readonly deps: ReconcilerDeps) {}

  start(): void {
    const tick = () => {
      this.timer = setTimeout(() => {
        void this.runOnce()
          .catch((err: unknown) => this.deps.logger.warn({ err }, 'reconciler pass failed'))
          .finally(() => {
            if (this.timer) tick();
          });
      }, this.deps.intervalMs);
      this.timer.unref();
    };
    tick();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** One pass; concurrent calls share it. `force` skips the cross-replica lock (tests, operators). */
  runOnce(force = false): Promise<ReconcileResult> {
    this.running ??= this.pass(force).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async pass(force: boolean): Promise<ReconcileResult> {
    if (!force) {
      const got = await this.deps.redis.set(reconcilerLockKey(this.deps.queues.prefix), this.id, 'PX', Math.max(1000, this.deps.intervalMs - 100), 'NX');
      if (got !== 'OK') return { checked: 0, requeued: 0, skipped: true };
    }
    const stale = await this.deps.messages.findStale(this.deps.afterMs, this.deps.batchSize ?? 1000);
    let requeued = 0;
    for (let i = 0; i < stale.length; i += 50) {
      const results = await Promise.all(stale.slice(i, i + 50).map((m) => this.reconcile(m)));
      requeued += results.filter(Boolean).length;
    }
    if (requeued > 0) this.deps.logger.warn({ checked: stale.length, requeued }, 'reconciler re-enqueued messages without a live job');
    return { checked: stale.length, requeued, skipped: false };
  }

  private async reconcile(m: StaleMessage): Promise<boolean> {
    // The voicemail job first: it hands a Message over to a send job, never the reverse, so
    // looking at them in that order cannot miss a live one in the middle of a handover.
    if (m.eventId !== null && (await this.deps.queues.voicemailJobLive(m.tenantId, m.eventId))) return false;
    return this.deps.queues.requeueSendUnlessLive({ messageId: m.id, tenantId: m.tenantId });
  }
}
