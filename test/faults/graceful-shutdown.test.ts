import type { QueueProducer } from '@pbx-sms/queue';
import {
  FAST_RECOVERY_ENV,
  testRedisUrl,
  startWorkerTestBed,
  voicemailEvent,
  type WorkerTestBed,
  cleanupAll,
  duplicatesByBody,
  printFigures,
  spawnWorker,
  waitFor,
  type Child,
} from '@pbx-sms/testing';

/**
 * Graceful shutdown of the built worker under load: SIGTERM stops it taking jobs, lets the
 * active ones finish and exits 0 within SHUTDOWN_TIMEOUT_MS; a replica started afterwards
 * drains the rest with nothing lost and nothing sent twice. When active jobs cannot finish in
 * time (the provider hangs), the worker still exits within the limit and the abandoned jobs
 * are taken over by another replica.
 */
jest.setTimeout(120_000);

let t: WorkerTestBed;

beforeAll(async () => {
  t = await startWorkerTestBed('shutdown', { tenants: [{ id: 59 }] });
});

afterAll(async () => {
  cleanupAll();
  await t?.close();
});

beforeEach(() => t.fake.reset());

function setup(label: string) {
  const { prefix, producer } = t.queue(label);
  const worker = (name: string, env: Record<string, string> = {}): Child =>
    spawnWorker(name, { databaseUrl: t.db.url, redisUrl: testRedisUrl(), prefix, snsUrl: t.fake.url, ...FAST_RECOVERY_ENV, WORKER_CONCURRENCY: '16', ...env });
  return { prefix, producer, worker };
}

async function publish(producer: QueueProducer, tag: string, n: number): Promise<string[]> {
  const events = Array.from({ length: n }, (_, i) => voicemailEvent({ eventId: `${tag}-${i}`, callerName: `${tag} caller ${i}` }));
  await producer.publishVoicemailEvents(events);
  return events.map((e) => e.eventId);
}

async function statusCounts(eventIds: string[]): Promise<Record<string, number>> {
  const rows = await t.db.prisma.message.groupBy({ by: ['status'], where: { tenantId: 59, eventId: { in: eventIds } }, _count: { _all: true } });
  return Object.fromEntries(rows.map((r) => [r.status, r._count._all]));
}

async function drained(eventIds: string[], timeoutMs: number) {
  return waitFor(
    'every message sent',
    async () => {
      const rows = await t.db.prisma.message.findMany({
        where: { tenantId: 59, eventId: { in: eventIds } },
        select: { status: true, attempts: true, body: true },
      });
      return rows.length === eventIds.length && rows.every((r) => r.status === 'sent') ? rows : null;
    },
    timeoutMs,
    200,
  );
}

it('SIGTERM during load finishes the active jobs and exits 0 within SHUTDOWN_TIMEOUT_MS; nothing lost, nothing sent twice', async () => {
  const SHUTDOWN_TIMEOUT_MS = 5_000;
  const N = 1_000;
  const { producer, worker } = setup('term');
  t.fake.latencyMs = 150;
  const first = worker('worker-a', { SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) });
  await first.ready;
  const started = Date.now();
  const ids = await publish(producer, 'term', N);
  await t.fake.waitForPublishes(150, 60_000);

  const activeAtSignal = (await statusCounts(ids)).sending ?? 0;
  const signalled = Date.now();
  first.kill('SIGTERM');
  const exit = await first.exited;
  const exitMs = Date.now() - signalled;
  expect(exit).toEqual({ code: 0, signal: null });
  expect(exitMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
  expect(first.kept.some((l) => l.msg === 'worker stopped' && l.graceful === true)).toBe(true);

  // Every job it had begun was finished: no Message left `sending`, no attempt left open, and
  // every publish the provider answered is recorded as sent.
  const after = await statusCounts(ids);
  expect(after.sending ?? 0).toBe(0);
  expect(await t.db.prisma.messageAttempt.count({ where: { outcome: null, message: { eventId: { in: ids } } } })).toBe(0);
  expect(after.sent ?? 0).toBe(t.fake.publishCount);
  expect(t.fake.requests.every((r) => r.status === 200)).toBe(true);
  const sentBeforeStop = t.fake.publishCount;
  expect(sentBeforeStop).toBeLessThan(N);

  t.fake.latencyMs = 0;
  const second = worker('worker-b', { SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) });
  await second.ready;
  const rows = await drained(ids, 90_000);
  const drainMs = Date.now() - started;
  const { duplicated } = duplicatesByBody(t.fake.published);
  expect(t.fake.publishCount).toBe(N);
  expect(duplicated).toBe(0);
  expect(rows.every((r) => r.attempts === 1)).toBe(true);
  second.kill('SIGTERM');
  expect(await second.exited).toEqual({ code: 0, signal: null });

  printFigures('graceful-shutdown', {
    messages: N,
    activeAtSignal,
    sentBeforeStop,
    exitCode: exit.code ?? 'null',
    exitMs,
    shutdownTimeoutMs: SHUTDOWN_TIMEOUT_MS,
    lost: N - rows.length,
    duplicated,
    drainMs,
  });
});

it('active jobs that cannot finish in time are abandoned at SHUTDOWN_TIMEOUT_MS (exit 0) and another replica completes them', async () => {
  const SHUTDOWN_TIMEOUT_MS = 1_500;
  const N = 40;
  const { producer, worker } = setup('overrun');
  // Every publish hangs far beyond the shutdown budget.
  t.fake.failAlways({ type: 'hang' });
  const first = worker('worker-a', { SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS), PROVIDER_TIMEOUT_MS: '60000', WORKER_CONCURRENCY: '8' });
  await first.ready;
  const started = Date.now();
  const ids = await publish(producer, 'overrun', N);
  await waitFor('8 publishes hanging', async () => t.fake.requests.length >= 8, 30_000, 50);

  const signalled = Date.now();
  first.kill('SIGTERM');
  const exit = await first.exited;
  const exitMs = Date.now() - signalled;
  expect(exit).toEqual({ code: 0, signal: null });
  expect(exitMs).toBeGreaterThanOrEqual(SHUTDOWN_TIMEOUT_MS - 100);
  expect(exitMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 3_000);
  expect(first.kept.some((l) => l.msg === 'worker stopped' && l.graceful === false)).toBe(true);
  const abandoned = (await statusCounts(ids)).sending ?? 0;
  expect(abandoned).toBe(8);

  t.fake.failAlways(null);
  const second = worker('worker-b');
  await second.ready;
  const rows = await drained(ids, 60_000);
  const drainMs = Date.now() - started;
  const { duplicated } = duplicatesByBody(t.fake.published);
  expect(duplicated).toBe(0);
  // The abandoned ones show both attempts: the interrupted one and the one that sent.
  expect(rows.filter((r) => r.attempts === 2)).toHaveLength(8);
  second.kill('SIGTERM');
  expect((await second.exited).code).toBe(0);

  printFigures('graceful-shutdown-overrun', {
    messages: N,
    abandoned,
    exitCode: exit.code ?? 'null',
    exitMs,
    shutdownTimeoutMs: SHUTDOWN_TIMEOUT_MS,
    lost: N - rows.length,
    duplicated,
    drainMs,
  });
});
