import { MessageRepository } from '@pbx-sms/db';
import type { QueueProducer } from '@pbx-sms/queue';
import { DEST, capturingLogger, startWorkerTestBed, voicemailEvent, waitFor, type WorkerTestBed } from '@pbx-sms/testing';

/**
 * Inline send (docs/decisions.md): a voicemail job sends the Message it creates without a
 * send job, and every other case still goes through the send queue.
 */
let t: WorkerTestBed;
let producer: QueueProducer;
const log = capturingLogger();

beforeAll(async () => {
  t = await startWorkerTestBed('inlinesend', { tenants: [{ id: 59, extensions: [{ extension: '1001', smsNotifications: true, smsNumber: DEST }] }] });
  const q = t.queue('inline');
  producer = q.producer;
  // Inline send is the default (WORKER_INLINE_SEND).
  await t.startWorker(q.prefix, {}, { logger: log.logger });
});

afterAll(() => t?.close());

async function terminal(tenantId: number, eventId: string) {
  return waitFor(`terminal message for ${eventId}`, async () => {
    const m = await t.db.prisma.message.findUnique({ where: { tenantId_eventId: { tenantId, eventId } } });
    return m && ['sent', 'failed', 'skipped'].includes(m.status) ? m : null;
  });
}

describe('inline send', () => {
  it('is on by default', () => {
    expect(log.lines().find((l) => l.msg === 'worker started')).toMatchObject({ inlineSend: true });
  });

  it('sends a new Message from the voicemail job: one attempt, no send job', async () => {
    const event = voicemailEvent({ callerName: 'Inline' });
    await producer.publishVoicemailEvent(event);
    const m = await terminal(59, event.eventId);
    expect(m).toMatchObject({ status: 'sent', attempts: 1 });
    expect(await producer.sendQueue.getJob(m.id)).toBeUndefined();
    expect(t.fake.published.filter((r) => r.message === m.body)).toHaveLength(1);
    expect(log.lines().find((l) => l.messageId === m.id && l.outcome === 'sent')).toMatchObject({ queue: 'sms-send', inline: true, attempt: 1 });
  });

  it("a voicemail job under another id than the event's own sends through the send queue (the reconciler could not see it)", async () => {
    const event = voicemailEvent({ callerName: 'Other id' });
    await producer.voicemailQueue.add('voicemail.received', event, { jobId: `pbx-${event.eventId}` });
    const m = await terminal(59, event.eventId);
    expect(m).toMatchObject({ status: 'sent', attempts: 1 });
    await waitFor('send job completed', async () => (await producer.sendQueue.getJobState(m.id)) === 'completed');
    expect(log.lines().find((l) => l.messageId === m.id && l.outcome === 'sent')).not.toHaveProperty('inline');
  });

  it('a transient failure goes to the send queue with backoff, and the retry sends', async () => {
    t.fake.failNext({ type: 'error', code: 'Throttled' });
    const event = voicemailEvent({ callerName: 'Throttled' });
    await producer.publishVoicemailEvent(event);
    const m = await terminal(59, event.eventId);
    expect(m).toMatchObject({ status: 'sent', attempts: 2 });
    const attempts = await t.db.prisma.messageAttempt.findMany({ where: { messageId: m.id }, orderBy: { attempt: 'asc' } });
    expect(attempts).toMatchObject([
      { attempt: 1, outcome: 'retry' },
      { attempt: 2, outcome: 'sent' },
    ]);
    expect(await producer.sendQueue.getJobState(m.id)).toBe('completed');
  });

  it('a permanent failure fails the Message and completes the voicemail job', async () => {
    t.fake.failNext({ type: 'error', code: 'OptedOut' });
    const event = voicemailEvent({ callerName: 'Opted' });
    await producer.publishVoicemailEvent(event);
    const m = await terminal(59, event.eventId);
    expect(m).toMatchObject({ status: 'failed', errorCode: 'opted_out', attempts: 1 });
    await waitFor('voicemail job completed', async () => (await producer.voicemailQueue.getJobState(`vm-59-${event.eventId}`)) === 'completed');
  });

  it('WORKER_INLINE_SEND=false: every Message goes through a send job', async () => {
    const mark = t.opened();
    const offLog = capturingLogger();
    const { prefix: offPrefix, producer: offProducer } = t.queue('inline-off');
    await t.startWorker(offPrefix, { WORKER_INLINE_SEND: 'false' }, { logger: offLog.logger });
    try {
      expect(offLog.lines().find((l) => l.msg === 'worker started')).toMatchObject({ inlineSend: false });
      const event = voicemailEvent({ callerName: 'Two jobs' });
      await offProducer.publishVoicemailEvent(event);
      const m = await terminal(59, event.eventId);
      expect(m).toMatchObject({ status: 'sent', attempts: 1 });
      await waitFor('send job completed', async () => (await offProducer.sendQueue.getJobState(m.id)) === 'completed');
    } finally {
      await t.closeSince(mark);
    }
  });

  it('a repeated event that finds the Message in flight (sending) enqueues nothing and sends nothing', async () => {
    // A Message a worker claimed at insert and is sending (or died sending: the reconciler's case).
    const repo = new MessageRepository(t.pool);
    const event = voicemailEvent({ callerName: 'InFlight' });
    const [ref] = await repo.insertVoicemailMessages([
      {
        tenantId: 59,
        eventId: event.eventId,
        extension: '1001',
        from: '+14165550100',
        to: DEST,
        body: 'in flight',
        status: 'queued',
        errorCode: null,
        errorDetail: null,
        segments: 1,
        encoding: 'GSM-7',
        claim: true,
      },
    ]);
    expect(ref).toMatchObject({ status: 'sending', inserted: true, claimed: { attempt: 1 } });
    await producer.voicemailQueue.add('voicemail.received', event, { jobId: `dup-${event.eventId}` });
    await waitFor('duplicate job to finish', async () => (await producer.voicemailQueue.getJobState(`dup-${event.eventId}`)) === 'completed');
    expect(log.lines().find((l) => l.jobId === `dup-${event.eventId}`)).toMatchObject({ outcome: 'duplicate', messageId: ref!.id });
    expect(await producer.sendQueue.getJob(ref!.id)).toBeUndefined();
    expect(t.fake.published.filter((r) => r.message === 'in flight')).toHaveLength(0);
    const row = await t.db.prisma.message.findUnique({ where: { id: ref!.id } });
    expect(row).toMatchObject({ status: 'sending', attempts: 1 });
  });
});
