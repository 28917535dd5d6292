import { MessageRepository } from '@pbx-sms/db';
import { voicemailJobId } from '@pbx-sms/queue';
import { DEST, SENDER, capturingLogger, startWorkerTestBed, voicemailEvent, waitFor, type WorkerTestBed } from '@pbx-sms/testing';

jest.setTimeout(30_000);

let t: WorkerTestBed;

beforeAll(async () => {
  t = await startWorkerTestBed('recovery', { tenants: [{ id: 59 }] });
});

afterAll(() => t?.close());

beforeEach(() => t.fake.reset());
// The reconciler looks at every row of the schema: no test may leave a pending one to the next.
afterEach(async () => {
  await t.db.prisma.$executeRawUnsafe(`UPDATE messages SET status = 'failed' WHERE status IN ('queued', 'sending')`);
});

function start(prefix: string, env: Record<string, string> = {}, bullmq?: { lockDuration?: number; stalledInterval?: number }) {
  return t.startWorker(prefix, { RECONCILE_AFTER_MS: '5000', ...env }, bullmq ? { bullmq } : {});
}

let n = 0;
async function queuedRow(ageMs: number) {
  n++;
  const m = await t.db.prisma.message.create({
    data: { tenantId: 59, kind: 'api', source: 'rest', from: SENDER, to: DEST, body: `orphan ${n}`, status: 'queued' },
  });
  await t.db.prisma.$executeRawUnsafe(`UPDATE messages SET updated_at = now() - ($1::int * interval '1 millisecond') WHERE id = $2::uuid`, ageMs, m.id);
  return m;
}

async function backdate(id: string, ageMs: number) {
  await t.db.prisma.$executeRawUnsafe(`UPDATE messages SET updated_at = now() - ($1::int * interval '1 millisecond') WHERE id = $2::uuid`, ageMs, id);
}

async function attemptsOf(id: string) {
  const rows = await t.db.prisma.messageAttempt.findMany({ where: { messageId: id }, orderBy: { attempt: 'asc' } });
  return rows.map((x) => [x.attempt, x.outcome]);
}

async function status(id: string) {
  return (await t.db.prisma.message.findUnique({ where: { id } }))?.status;
}

describe('reconciler', () => {
  it('re-enqueues a queued Message whose job vanished, and leaves fresh rows alone', async () => {
    const { prefix } = t.queue('rec');
    const w = await start(prefix);
    const orphan = await queuedRow(60_000);
    const fresh = await queuedRow(0);
    const result = await w.reconcileOnce();
    expect(result).toMatchObject({ requeued: 1, skipped: false });
    await waitFor('orphan sent', async () => (await status(orphan.id)) === 'sent');
    expect(await status(fresh.id)).toBe('queued');
    expect(t.fake.publishCount).toBe(1);
    // Idempotent: nothing more to do.
    expect(await w.reconcileOnce()).toMatchObject({ requeued: 0 });
  });

  it('replaces a job Redis still keeps as completed when its Message never finished', async () => {
    const { prefix, producer } = t.queue('rec');
    const w = await start(prefix);
    const m = await t.db.prisma.message.create({
      data: { tenantId: 59, kind: 'api', source: 'rest', from: SENDER, to: DEST, body: 'kept job', status: 'sent' },
    });
    // A job with the Message's id completes (nothing to do: already terminal) and stays in Redis.
    await producer.enqueueSend({ messageId: m.id, tenantId: 59 });
    await waitFor('job completed', async () => (await producer.sendQueue.getJobState(m.id)) === 'completed');
    // Now the row says queued (as after a restore): a plain re-add would be swallowed by the kept job.
    await t.db.prisma.$executeRawUnsafe(`UPDATE messages SET status = 'queued', updated_at = now() - interval '1 minute' WHERE id = $1::uuid`, m.id);
    expect(await w.reconcileOnce()).toMatchObject({ requeued: 1 });
    await waitFor('sent', async () => (await status(m.id)) === 'sent');
    expect(t.fake.publishCount).toBe(1);
  });

  it('does not touch a Message whose job is waiting out a retry backoff', async () => {
    const { prefix, producer } = t.queue('rec');
    const w = await start(prefix, { SEND_BACKOFF_MS: '60000' });
    t.fake.failNext({ type: 'error', code: 'Throttled' });
    const m = await queuedRow(0);
    await producer.enqueueSend({ messageId: m.id, tenantId: 59 });
    await waitFor('delayed for retry', async () => (await producer.sendQueue.getJobState(m.id)) === 'delayed');
    await t.db.prisma.$executeRawUnsafe(`UPDATE messages SET updated_at = now() - interval '1 minute' WHERE id = $1::uuid`, m.id);
    expect(await w.reconcileOnce()).toMatchObject({ checked: 1, requeued: 0 });
    expect(await producer.sendQueue.getJobState(m.id)).toBe('delayed');
  });

  it('leaves alone a `sending` event Message whose voicemail job is live (an inline send in progress)', async () => {
    // Regression (fault suite, Postgres outage): the reconciler looked only for a live send job,
    // so an inline send that outlived RECONCILE_AFTER_MS (its `sent` write retried through the
    // outage) looked abandoned, was enqueued again, and the SMS went out twice.
    const { prefix, producer } = t.queue('rec');
    const w = await start(prefix, { WORKER_INLINE_SEND: 'true', PROVIDER_TIMEOUT_MS: '3000', RECONCILE_AFTER_MS: '7000' });
    t.fake.failNext({ type: 'hang' });
    const event = voicemailEvent({ callerName: 'Live inline' });
    await producer.publishVoicemailEvent(event);
    await waitFor('inline call in flight', async () => t.fake.requests.length === 1);
    const m = (await t.db.prisma.message.findUnique({ where: { tenantId_eventId: { tenantId: 59, eventId: event.eventId } } }))!;
    expect(m).toMatchObject({ status: 'sending', attempts: 1 });
    // As old as an attempt stuck past RECONCILE_AFTER_MS; its only live job is the voicemail job.
    await backdate(m.id, 60_000);
    expect(await producer.voicemailQueue.getJobState(voicemailJobId(59, event.eventId))).toBe('active');
    expect(await producer.sendQueue.getJob(m.id)).toBeUndefined();
    expect(await w.reconcileOnce()).toMatchObject({ checked: 1, requeued: 0 });
    expect(await producer.sendQueue.getJob(m.id)).toBeUndefined();
    // The call times out (transient): the voicemail job hands the Message to the send queue, which sends it, once.
    await waitFor('sent', async () => (await status(m.id)) === 'sent', 15_000);
    expect(await attemptsOf(m.id)).toEqual([
      [1, 'retry'],
      [2, 'sent'],
    ]);
    expect(t.fake.publishCount).toBe(1);
  });

  it('re-enqueues a `sending` event Message whose voicemail job is over (its worker died mid inline send)', async () => {
    const { prefix, producer } = t.queue('rec');
    const w = await start(prefix);
    const event = voicemailEvent({ callerName: 'Dead inline' });
    // The row as an inline send leaves it when its worker dies mid-call: claimed at insert, attempt 1 open.
    const [ref] = await new MessageRepository(t.pool).insertVoicemailMessages([
      {
        tenantId: 59,
        eventId: event.eventId,
        extension: '1001',
        from: SENDER,
        to: DEST,
        body: 'dead inline',
        status: 'queued',
        errorCode: null,
        errorDetail: null,
        segments: 1,
        encoding: 'GSM-7',
        claim: true,
      },
    ]);
    expect(ref).toMatchObject({ status: 'sending', claimed: { attempt: 1 } });
    await backdate(ref!.id, 60_000);
    // No voicemail job at all: not live.
    expect(await w.reconcileOnce()).toMatchObject({ checked: 1, requeued: 1 });
    await waitFor('sent', async () => (await status(ref!.id)) === 'sent');
    expect(await attemptsOf(ref!.id)).toEqual([
      [1, 'interrupted'],
      [2, 'sent'],
    ]);

    // Its voicemail job run again (taken over from the dead worker) finds the row `sending`,
    // leaves it and completes: a completed job is not live either.
    const again = voicemailEvent({ callerName: 'Dead inline 2' });
    const [ref2] = await new MessageRepository(t.pool).insertVoicemailMessages([
      {
        tenantId: 59,
        eventId: again.eventId,
        extension: '1001',
        from: SENDER,
        to: DEST,
        body: 'dead inline 2',
        status: 'queued',
        errorCode: null,
        errorDetail: null,
        segments: 1,
        encoding: 'GSM-7',
        claim: true,
      },
    ]);
    await producer.publishVoicemailEvent(again);
    await waitFor('voicemail job completed', async () => (await producer.voicemailQueue.getJobState(voicemailJobId(59, again.eventId))) === 'completed');
    expect(await status(ref2!.id)).toBe('sending');
    await backdate(ref2!.id, 60_000);
    expect(await w.reconcileOnce()).toMatchObject({ checked: 1, requeued: 1 });
    await waitFor('sent', async () => (await status(ref2!.id)) === 'sent');
    expect(t.fake.published.map((r) => r.message)).toEqual(['dead inline', 'dead inline 2']);
  });

  it('only one replica reconciles per interval', async () => {
    const { prefix, producer } = t.queue('rec');
    await start(prefix);
    const lockKey = `${prefix}:reconciler-lock`;
    await t.redis.set(lockKey, 'someone-else', 'PX', 5_000);
    const { Reconciler } = await import('../src/reconciler');
    const { MessageRepository, createPool } = await import('@pbx-sms/db');
    const pool = createPool(t.db.url, { max: 1 });
    const r = new Reconciler({
      messages: new MessageRepository(pool),
      queues: producer,
      redis: t.redis,
      logger: capturingLogger().logger,
      intervalMs: 10_000,
      afterMs: 0,
    });
    expect(await r.runOnce()).toEqual({ checked: 0, requeued: 0, skipped: true });
    await pool.end();
  });
});

describe('crash recovery', () => {
  it('a job abandoned by a replica that stopped mid-send is picked up by another, and both attempts are recorded', async () => {
    const { prefix, producer } = t.queue('rec');
    // Replica A: the provider hangs, and A's shutdown budget is 0, so it abandons the active job.
    t.fake.failNext({ type: 'hang' });
    const a = await start(prefix, { SHUTDOWN_TIMEOUT_MS: '0', PROVIDER_TIMEOUT_MS: '20000' }, { lockDuration: 1_000, stalledInterval: 500 });
    const m = await queuedRow(0);
    await producer.enqueueSend({ messageId: m.id, tenantId: 59 });
    await waitFor('first attempt in flight', async () => t.fake.requests.length === 1);
    await a.close();
    expect(await status(m.id)).toBe('sending');
    // Replica B finds the stalled job once A's lock expires.
    await start(prefix, {}, { lockDuration: 1_000, stalledInterval: 500 });
    await waitFor('sent by the second replica', async () => (await status(m.id)) === 'sent', 15_000);
    const attempts = await t.db.prisma.messageAttempt.findMany({ where: { messageId: m.id }, orderBy: { attempt: 'asc' } });
    expect(attempts.map((x) => [x.attempt, x.outcome])).toEqual([
      [1, 'interrupted'],
      [2, 'sent'],
    ]);
    expect(await t.db.prisma.message.findUnique({ where: { id: m.id } })).toMatchObject({ attempts: 2, status: 'sent' });
  });

  it('an inline send abandoned mid-call: another replica takes its voicemail job over and leaves the Message; the reconciler resends it', async () => {
    const { prefix, producer } = t.queue('rec');
    t.fake.failNext({ type: 'hang' });
    // Inline send on (it needs PROVIDER_TIMEOUT_MS under half of RECONCILE_AFTER_MS).
    const env = { WORKER_INLINE_SEND: 'true', SHUTDOWN_TIMEOUT_MS: '0', PROVIDER_TIMEOUT_MS: '20000', RECONCILE_AFTER_MS: '60000' };
    const a = await start(prefix, env, { lockDuration: 1_000, stalledInterval: 500 });
    const event = voicemailEvent({ callerName: 'Abandoned inline' });
    await producer.publishVoicemailEvent(event);
    await waitFor('inline attempt in flight', async () => t.fake.requests.length === 1);
    const m = (await t.db.prisma.message.findUnique({ where: { tenantId_eventId: { tenantId: 59, eventId: event.eventId } } }))!;
    await a.close();
    // Replica B takes the stalled voicemail job over once A's lock expires. Its run finds the
    // Message `sending` and leaves it: it cannot tell a dead first run from one that only lost
    // its lock (a Redis restart) and is still sending, so resending now could send twice.
    const b = await start(prefix, env, { lockDuration: 1_000, stalledInterval: 500 });
    await waitFor(
      'voicemail job taken over',
      async () => (await producer.voicemailQueue.getJobState(voicemailJobId(59, event.eventId))) === 'completed',
      15_000,
    );
    expect(await status(m.id)).toBe('sending');
    // RECONCILE_AFTER_MS later the reconciler finds it without a live job and resends it.
    await backdate(m.id, 120_000);
    expect(await b.reconcileOnce()).toMatchObject({ checked: 1, requeued: 1 });
    await waitFor('sent by the second replica', async () => (await status(m.id)) === 'sent', 15_000);
    expect(await attemptsOf(m.id)).toEqual([
      [1, 'interrupted'],
      [2, 'sent'],
    ]);
    expect(t.fake.published.map((r) => r.message)).toEqual([m.body]);
  });
});
