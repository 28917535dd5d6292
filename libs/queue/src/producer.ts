import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { JOB_NAMES, QUEUES, sendJobId, voicemailJobId, type SmsSendJob, type VoicemailEvent } from './jobs';

/** Channel on which config changes are announced, so workers drop cached tenant config. */
export function configChannel(prefix: string): string {
  return `${prefix}:config-changed`;
}

/** Completed jobs are kept briefly (dedup by jobId still works through the Message row); failed ones for a week. */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  removeOnComplete: { age: 3600, count: 50_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

/**
 * Producer side of the queues, shared by the API, the CLI and the worker's voicemail handler.
 * The send job's retry budget is enforced by the worker (SEND_MAX_ATTEMPTS): the job itself
 * allows many attempts so that the worker's configuration, not the producer's, decides.
 */
export class QueueProducer {
  readonly sendQueue: Queue;
  readonly voicemailQueue: Queue;

  constructor(
    private readonly connection: Redis,
    readonly prefix: string,
  ) {
    this.sendQueue = new Queue(QUEUES.smsSend, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
    this.voicemailQueue = new Queue(QUEUES.voicemailEvents, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
  }

  async enqueueSend(job: SmsSendJob, opts: JobsOptions = {}): Promise<void> {
    await this.sendQueue.add(JOB_NAMES.smsSend, job, sendJobOptions(job, opts));
  }

  /**
   * Many sends in one Redis round trip, each added by `enqueueSend` (`queue.add`: one script
   * call per job; not atomic, as `addBulk` is not). The connection's socket is corked while the
   * adds are issued (they reach it within this turn's microtasks) and uncorked on the next
   * turn, so they leave in one write. Unlike `addBulk`, this builds no ioredis pipeline, which
   * copies every script defined on the connection (BullMQ's ~66) each time: ~90–160 µs of CPU
   * per batch, the largest single cost of an accepted send in the API.
   */
  async enqueueSends(jobs: SmsSendJob[]): Promise<void> {
    if (jobs.length === 0) return;
    const stream = this.connection.status === 'ready' ? this.connection.stream : undefined;
    stream?.cork();
    let adds: Promise<void>[];
    try {
      adds = jobs.map((job) => this.enqueueSend(job));
    } finally {
      if (stream !== undefined) setImmediate(() => stream.uncork());
    }
    await Promise.all(adds);
  }

  /**
   * Enqueues a send again for a message an operator retries: a finished job with the same id
   * (kept in Redis for a while) would make the add a no-op, so it is removed first. A job still
   * waiting or active is left alone.
   */
  async requeueSend(job: SmsSendJob): Promise<void> {
    const existing = await this.sendQueue.getJob(sendJobId(job.messageId));
    if (existing) {
      const state = await existing.getState();
      if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return;
      await existing.remove();
    }
    await this.enqueueSend(job);
  }

  /** Adds the event. A job with the same (tenant, eventId) already in Redis is left as it is (BullMQ ignores the add). */
  async publishVoicemailEvent(event: VoicemailEvent): Promise<void> {
    await this.voicemailQueue.add(JOB_NAMES.voicemailReceived, event, voicemailJobOptions(event));
  }

  /** Many events in one round trip (a PBX catching up, benchmarks). */
  async publishVoicemailEvents(events: VoicemailEvent[]): Promise<void> {
    await this.voicemailQueue.addBulk(events.map((data) => ({ name: JOB_NAMES.voicemailReceived, data, opts: voicemailJobOptions(data) })));
  }

  /** Whether a job for this event is still in Redis (waiting, active, or kept after completion). */
  async voicemailEventInQueue(tenantId: number, eventId: string): Promise<boolean> {
    return (await this.voicemailQueue.getJob(voicemailJobId(tenantId, eventId))) !== undefined;
  }

  async announceConfigChange(tenantId: number): Promise<void> {
    await this.connection.publish(configChannel(this.prefix), String(tenantId));
  }

  async close(): Promise<void> {
    await Promise.all([this.sendQueue.close(), this.voicemailQueue.close()]);
  }
}

/** High on purpose: the worker ends a message's retries itself at SEND_MAX_ATTEMPTS. */
export const SEND_JOB_ATTEMPTS = 1000;

/** Voicemail jobs: id from (tenant, eventId); a few retries for transient database trouble. */
export function voicemailJobOptions(event: VoicemailEvent): JobsOptions {
  return { ...DEFAULT_JOB_OPTIONS, jobId: voicemailJobId(event.tenantId, event.eventId), attempts: 10, backoff: { type: 'exponential', delay: 1000, jitter: 0.5 } };
}

function sendJobOptions(job: SmsSendJob, opts: JobsOptions = {}): JobsOptions {
  return { jobId: sendJobId(job.messageId), attempts: SEND_JOB_ATTEMPTS, backoff: { type: 'sms' }, ...opts };
}
