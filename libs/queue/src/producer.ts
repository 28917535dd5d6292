import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { JOBS, jobOptions, voicemailJobId, type JobDefinition, type SmsSendJob, type VoicemailEvent } from './jobs';
import { configChannel, queueAt } from './redis-layout';

/** A job in one of these states will still run: adding it again is not needed (and would be a no-op). */
const LIVE_STATES: ReadonlySet<string> = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'wait', 'paused']);

function openQueue<T>(connection: Redis, prefix: string, job: JobDefinition<T>): Queue {
  const at = queueAt(prefix, job);
  return new Queue(at.name, { connection, prefix: at.prefix, defaultJobOptions: job.retention });
}

/**
 * Producer side of the queues, shared by the API, the CLI and the worker. Jobs are added with
 * their catalogue entry's id and retry policy (`jobOptions`).
 */
export class QueueProducer {
  readonly sendQueue: Queue;
  readonly voicemailQueue: Queue;

  constructor(
    private readonly connection: Redis,
    readonly prefix: string,
  ) {
    this.sendQueue = openQueue(connection, prefix, JOBS.smsSend);
    this.voicemailQueue = openQueue(connection, prefix, JOBS.voicemailReceived);
  }

  async enqueueSend(job: SmsSendJob, opts: JobsOptions = {}): Promise<void> {
    await this.sendQueue.add(JOBS.smsSend.name, job, { ...jobOptions(JOBS.smsSend, job), ...opts });
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
   * Enqueues a send again, unless its job is live (waiting, delayed, active…): for a Message an
   * operator retries, and for one the reconciler found without a live job. A finished job with
   * the same id (kept in Redis for a while) would make the add a no-op, so it is removed first;
   * one taken by a worker meanwhile cannot be removed, and is live again. Answers whether it
   * enqueued.
   */
  async requeueSendUnlessLive(job: SmsSendJob): Promise<boolean> {
    const jobId = JOBS.smsSend.jobId(job);
    const state = await this.sendQueue.getJobState(jobId);
    if (LIVE_STATES.has(state)) return false;
    if (state !== 'unknown') {
      try {
        await (await this.sendQueue.getJob(jobId))?.remove();
      } catch {
        return false;
      }
    }
    await this.enqueueSend(job);
    return true;
  }

  /** `requeueSendUnlessLive`, for an operator's retry (the answer is not needed). */
  async requeueSend(job: SmsSendJob): Promise<void> {
    await this.requeueSendUnlessLive(job);
  }

  /** Whether the event's voicemail job will still run (it may be sending its Message inline). */
  async voicemailJobLive(tenantId: number, eventId: string): Promise<boolean> {
    return LIVE_STATES.has(await this.voicemailQueue.getJobState(voicemailJobId(tenantId, eventId)));
  }

  /** Adds the event. A job with the same (tenant, eventId) already in Redis is left as it is (BullMQ ignores the add). */
  async publishVoicemailEvent(event: VoicemailEvent): Promise<void> {
    await this.voicemailQueue.add(JOBS.voicemailReceived.name, event, jobOptions(JOBS.voicemailReceived, event));
  }

  /** Many events in one round trip (a PBX catching up, benchmarks). */
  async publishVoicemailEvents(events: VoicemailEvent[]): Promise<void> {
    await this.voicemailQueue.addBulk(events.map((data) => ({ name: JOBS.voicemailReceived.name, data, opts: jobOptions(JOBS.voicemailReceived, data) })));
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
