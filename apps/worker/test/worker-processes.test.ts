import { QueueProducer } from '@pbx-sms/queue';
import { testQueuePrefix, testRedisUrl, spawnWorker, type Child, startWorkerTestBed, voicemailEvent, waitFor, type WorkerTestBed } from '@pbx-sms/testing';

/**
 * The built worker as real processes: two replicas sharing one queue, and SIGTERM in the
 * middle of a batch. Needs `npx tsc -b` first (the standard check runs it).
 */
jest.setTimeout(30_000);

let t: WorkerTestBed;
const children: Child[] = [];

beforeAll(async () => {
  t = await startWorkerTestBed('procs', { tenants: [{ id: 59 }] });
});

afterAll(async () => {
  for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  await t?.close();
});

beforeEach(() => t.fake.reset());

function worker(prefix: string, env: Record<string, string> = {}): Child {
  const c = spawnWorker(
    `worker-${children.length + 1}`,
    { databaseUrl: t.db.url, redisUrl: testRedisUrl(), prefix, snsUrl: t.fake.url, PROVIDER_TIMEOUT_MS: '5000', ...env },
    { keep: () => true },
  );
  children.push(c);
  return c;
}

async function publishBatch(producer: QueueProducer, n: number, tag: string): Promise<string[]> {
  const events = Array.from({ length: n }, (_, i) => voicemailEvent({ eventId: `${tag}-${i}`, callerName: `${tag} caller ${i}` }));
  await producer.voicemailQueue.addBulk(events.map((e) => ({ name: 'voicemail.received', data: e, opts: { jobId: `vm-59-${e.eventId}` } })));
  return events.map((e) => e.eventId);
}

async function allSent(eventIds: string[], timeoutMs: number) {
  return waitFor(
    'every message sent',
    async () => {
      const rows = await t.db.prisma.message.findMany({ where: { tenantId: 59, eventId: { in: eventIds } } });
      return rows.length === eventIds.length && rows.every((r) => r.status === 'sent') ? rows : null;
    },
    timeoutMs,
    100,
  );
}

/** Every body published exactly once. */
function publishesPerBody(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of t.fake.published) counts.set(r.message ?? '', (counts.get(r.message ?? '') ?? 0) + 1);
  return counts;
}

describe('worker processes', () => {
  it('two replicas share one queue and no message is sent twice', async () => {
    const prefix = t.prefix('two');
    const producer = new QueueProducer(t.redis, prefix);
    t.fake.latencyMs = 2;
    const a = worker(prefix, { WORKER_CONCURRENCY: '8' });
    const b = worker(prefix, { WORKER_CONCURRENCY: '8' });
    await Promise.all([a.ready, b.ready]);
    const ids = await publishBatch(producer, 300, 'two');
    const rows = await allSent(ids, 30_000);
    expect(rows.every((r) => r.attempts === 1)).toBe(true);
    expect(t.fake.publishCount).toBe(300);
    const counts = publishesPerBody();
    expect(counts.size).toBe(300);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    // Both replicas did part of the work.
    const sentBy = (c: Child) => c.kept.filter((l) => l.queue === 'sms-send' && l.outcome === 'sent').length;
    // Their log lines arrive over pipes a little after the rows are written.
    await waitFor('every outcome logged', async () => sentBy(a) + sentBy(b) >= 300, 10_000).catch(() => undefined);
    expect(sentBy(a)).toBeGreaterThan(0);
    expect(sentBy(b)).toBeGreaterThan(0);
    expect(sentBy(a) + sentBy(b)).toBe(300);
    a.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    expect(await a.exited).toEqual({ code: 0, signal: null });
    expect(await b.exited).toEqual({ code: 0, signal: null });
    await producer.close();
  });

  it('SIGTERM during a batch finishes the active jobs, exits 0 and loses nothing', async () => {
    const prefix = t.prefix('term');
    const producer = new QueueProducer(t.redis, prefix);
    t.fake.latencyMs = 40;
    const first = worker(prefix, { WORKER_CONCURRENCY: '8' });
    await first.ready;
    const ids = await publishBatch(producer, 120, 'term');
    await t.fake.waitForPublishes(20, 20_000);
    first.child.kill('SIGTERM');
    const exit = await first.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(first.kept.some((l) => l.msg === 'worker stopped' && l.graceful === true)).toBe(true);
    // Nothing left half-done: every Message is queued or sent, no attempt left open.
    const mid = await t.db.prisma.message.findMany({ where: { tenantId: 59, eventId: { in: ids } } });
    expect(mid.every((m) => m.status === 'queued' || m.status === 'sent')).toBe(true);
    expect(await t.db.prisma.messageAttempt.count({ where: { outcome: null, message: { eventId: { in: ids } } } })).toBe(0);
    const sentBeforeStop = t.fake.publishCount;
    expect(sentBeforeStop).toBeLessThan(120);

    t.fake.latencyMs = 0;
    const second = worker(prefix, { WORKER_CONCURRENCY: '8' });
    await second.ready;
    const rows = await allSent(ids, 30_000);
    expect(rows.every((r) => r.attempts === 1)).toBe(true);
    expect(t.fake.publishCount).toBe(120);
    expect([...publishesPerBody().values()].every((n) => n === 1)).toBe(true);
    second.child.kill('SIGINT');
    expect(await second.exited).toEqual({ code: 0, signal: null });
    await producer.close();
  });

  it('a bad environment stops the worker with a one-line reason and exit code 1', async () => {
    const c = worker(testQueuePrefix('bad'), { WORKER_CONCURRENCY: 'lots' });
    expect((await c.exited).code).toBe(1);
    expect(c.stderr.join('\n')).toMatch(/WORKER_CONCURRENCY/);
  });
});
