import type { Redis } from 'ioredis';
import { QueueProducer, createRedis } from '@pbx-sms/queue';
import { FakeSnsServer, createTestDatabase, flushPrefix, testQueuePrefix, testRedisUrl, type TestDatabase } from '@pbx-sms/testing';
import { startWorker, type WorkerHandle } from '../src/worker';
import { EXT_NUMBER, SENDER, SNS_CREDENTIALS, capturingLogger, seedTenant, waitFor, workerConfig } from './helpers';

jest.setTimeout(30_000);

let db: TestDatabase;
let fake: FakeSnsServer;
let redis: Redis;
const prefixes: string[] = [];
const workers: WorkerHandle[] = [];
const producers: QueueProducer[] = [];

beforeAll(async () => {
  db = await createTestDatabase('recovery');
  fake = await FakeSnsServer.start();
  redis = createRedis(testRedisUrl(), 'producer');
  await seedTenant(db.prisma, { id: 59 });
});

afterAll(async () => {
  for (const w of workers) await w.close();
  for (const p of producers) await p.close();
  redis.disconnect();
  await fake.close();
  for (const p of prefixes) await flushPrefix(p);
  await db.cleanup();
});

beforeEach(() => fake.reset());
// The reconciler looks at every row of the schema: no test may leave a pending one to the next.
afterEach(async () => {
  await db.prisma.$executeRawUnsafe(`UPDATE messages SET status = 'failed' WHERE status IN ('queued', 'sending')`);
});

function newPrefix(): { prefix: string; producer: QueueProducer } {
  const prefix = testQueuePrefix('rec');
  prefixes.push(prefix);
  const producer = new QueueProducer(redis, prefix);
  producers.push(producer);
  return { prefix, producer };
}

async function start(prefix: string, env: Record<string, string> = {}, bullmq?: { lockDuration?: number; stalledInterval?: number }) {
  const w = await startWorker(workerConfig({ databaseUrl: db.url, prefix, snsUrl: fake.url, RECONCILE_AFTER_MS: '5000', ...env }), {
    logger: capturingLogger().logger,
    snsCredentials: SNS_CREDENTIALS,
    reconciler: false,
    ...(bullmq ? { bullmq } : {}),
  });
  workers.push(w);
  return w;
}

let n = 0;
async function queuedRow(ageMs: number) {
  n++;
  const m = await db.prisma.message.create({
    data: { tenantId: 59, kind: 'api', source: 'rest', from: SENDER, to: EXT_NUMBER, body: `orphan ${n}`, status: 'queued' },
  });
  await db.prisma.$executeRawUnsafe(`UPDATE messages SET updated_at = now() - ($1::int * interval '1 millisecond') WHERE id = $2::uuid`, ageMs, m.id);
  return m;
}

async function status(id: string) {
  return (await db.prisma.message.findUnique({ where: { id } }))?.status;
}

describe('reconciler', () => {
  it('re-enqueues a queued Message whose job vanished, and leaves fresh rows alone', async () => {
    const { prefix } = newPrefix();
    const w = await start(prefix);
    const orphan = await queuedRow(60_000);
    const fresh = await queuedRow(0);
    const result = await w.reconcileOnce();
    expect(result).toMatchObject({ requeued: 1, skipped: false });
    await waitFor('orphan sent', async () => (await status(orphan.id)) === 'sent');
    expect(await status(fresh.id)).toBe('queued');
    expect(fake.publishCount).toBe(1);
    // Idempotent: nothing more to do.
    expect(await w.reconcileOnce()).toMatchObject({ requeued: 0 });
  });

  it('replaces a job Redis still keeps as completed when its Message never finished', async () => {
    const { prefix, producer } = newPrefix();
    const w = await start(prefix);
    const m = await db.prisma.message.create({
      data: { tenantId: 59, kind: 'api', source: 'rest', from: SENDER, to: EXT_NUMBER, body: 'kept job', status: 'sent' },
    });
    // A job with the Message's id completes (nothing to do: already terminal) and stays in Redis.
    await producer.enqueueSend({ messageId: m.id, tenantId: 59 });
    await waitFor('job completed', async () => (await producer.sendQueue.getJobState(m.id)) === 'completed');
    // Now the row says queued (as after a restore): a plain re-add would be swallowed by the kept job.
    await db.prisma.$executeRawUnsafe(`UPDATE messages SET status = 'queued', updated_at = now() - interval '1 minute' WHERE id = $1::uuid`, m.id);
    expect(await w.reconcileOnce()).toMatchObject({ requeued: 1 });
    await waitFor('sent', async () => (await status(m.id)) === 'sent');
    expect(fake.publishCount).toBe(1);
  });

  it('does not touch a Message whose job is waiting out a retry backoff', async () => {
    const { prefix, producer } = newPrefix();
    const w = await start(prefix, { SEND_BACKOFF_MS: '60000' });
    fake.failNext({ type: 'error', code: 'Throttled' });
    const m = await queuedRow(0);
    await producer.enqueueSend({ messageId: m.id, tenantId: 59 });
    await waitFor('delayed for retry', async () => (await producer.sendQueue.getJobState(m.id)) === 'delayed');
    await db.prisma.$executeRawUnsafe(`UPDATE messages SET updated_at = now() - interval '1 minute' WHERE id = $1::uuid`, m.id);
    expect(await w.reconcileOnce()).toMatchObject({ checked: 1, requeued: 0 });
    expect(await producer.sendQueue.getJobState(m.id)).toBe('delayed');
  });

  it('only one replica reconciles per interval', async () => {
    const { prefix } = newPrefix();
    await start(prefix);
    const lockKey = `${prefix}:reconciler-lock`;
    await redis.set(lockKey, 'someone-else', 'PX', 5_000);
    const { Reconciler } = await import('../src/reconciler');
    const { MessageRepository, createPool } = await import('@pbx-sms/db');
    const pool = createPool(db.url, { max: 1 });
    const producer = producers[producers.length - 1]!;
    const r = new Reconciler({
      messages: new MessageRepository(pool),
      sendQueue: producer.sendQueue,
      redis,
      prefix,
      enqueueSend: (j) => producer.enqueueSend(j),
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
    const { prefix, producer } = newPrefix();
    // Replica A: the provider hangs, and A's shutdown budget is 0, so it abandons the active job.
    fake.failNext({ type: 'hang' });
    const a = await start(prefix, { SHUTDOWN_TIMEOUT_MS: '0', PROVIDER_TIMEOUT_MS: '20000' }, { lockDuration: 1_000, stalledInterval: 500 });
    const m = await queuedRow(0);
    await producer.enqueueSend({ messageId: m.id, tenantId: 59 });
    await waitFor('first attempt in flight', async () => fake.requests.length === 1);
    await a.close();
    expect(await status(m.id)).toBe('sending');
    // Replica B finds the stalled job once A's lock expires.
    await start(prefix, {}, { lockDuration: 1_000, stalledInterval: 500 });
    await waitFor('sent by the second replica', async () => (await status(m.id)) === 'sent', 15_000);
    const attempts = await db.prisma.messageAttempt.findMany({ where: { messageId: m.id }, orderBy: { attempt: 'asc' } });
    expect(attempts.map((x) => [x.attempt, x.outcome])).toEqual([
      [1, 'interrupted'],
      [2, 'sent'],
    ]);
    expect(await db.prisma.message.findUnique({ where: { id: m.id } })).toMatchObject({ attempts: 2, status: 'sent' });
  });
});
