import { QueueProducer } from '@pbx-sms/queue';
import {
  FAST_RECOVERY_ENV,
  startWorkerTestBed,
  voicemailEvent,
  type WorkerTestBed,
  TestRedis,
  awaitTerminal,
  cleanupAll,
  createApiKey,
  deliveryFigures,
  duplicateCauses,
  duplicatesByBody,
  inlineSendOn,
  printFigures,
  restLoad,
  sleep,
  spawnApi,
  spawnWorker,
} from '@pbx-sms/testing';

/**
 * Redis faults on a redis-server of the test's own (own port, own directory, `appendonly
 * yes`), under mixed load (REST sends through the API process, voicemail events published
 * straight to the queue), with two worker processes:
 * - restarted mid-load: nothing accepted is lost;
 * - FLUSHALL mid-load: every job is gone; the reconciler finds the accepted Messages without a
 *   job and enqueues them again, so nothing accepted is lost. (Events still waiting in Redis
 *   at the flush were never accepted, DESIGN "Delivery": they are counted, not blamed.)
 */
jest.setTimeout(180_000);

const REST = 1_000;
const EVENTS = 1_000;
const TO = '+14165551234';

let server: TestRedis;
let t: WorkerTestBed;

beforeAll(async () => {
  server = await TestRedis.create();
  // The PBX's side: a producer that waits out a Redis restart rather than failing.
  t = await startWorkerTestBed('redisfaults', { tenants: [{ id: 59 }, { id: 60 }], redisUrl: server.url, redisRole: 'worker' });
});

afterAll(async () => {
  cleanupAll();
  await t?.close();
});

beforeEach(() => t.fake.reset());

async function mixedLoad(tenantId: number, tag: string, prefix: string, fault: () => Promise<void>, workerEnv: Record<string, string> = {}) {
  t.fake.latencyMs = 5;
  const producer = new QueueProducer(t.redis, prefix);
  // Outages are expected here; the publishing loop below retries.
  for (const q of [producer.sendQueue, producer.voicemailQueue]) q.on('error', () => undefined);
  const api = await spawnApi(`api-${tag}`, { databaseUrl: t.db.url, redisUrl: server.url, prefix });
  const apiKey = await createApiKey(api.url, tenantId);
  const env = { databaseUrl: t.db.url, redisUrl: server.url, prefix, snsUrl: t.fake.url, ...FAST_RECOVERY_ENV, WORKER_CONCURRENCY: '16', ...workerEnv };
  const workers = [spawnWorker(`worker-${tag}-1`, env), spawnWorker(`worker-${tag}-2`, env)];
  await Promise.all(workers.map((w) => w.ready));

  const started = Date.now();
  let eventsPublished = 0;
  const publishing = (async () => {
    for (let i = 0; i < EVENTS; i += 100) {
      const batch = Array.from({ length: Math.min(100, EVENTS - i) }, (_, k) =>
        voicemailEvent({ eventId: `${tag}-${i + k}`, tenantId, callerName: `${tag} caller ${i + k}` }),
      );
      // A PBX retries a publish that failed while Redis was down.
      for (let tries = 0; ; tries++) {
        try {
          await producer.publishVoicemailEvents(batch);
          break;
        } catch (err) {
          if (tries > 50) throw err;
          await sleep(200);
        }
      }
      eventsPublished += batch.length;
      await sleep(100);
    }
  })();
  const rest = restLoad({ apiUrl: api.url, apiKey, to: TO, count: REST, concurrency: 16, body: (i) => `${tag} REST message ${i}`, timeoutMs: 15_000 });

  await t.fake.waitForPublishes(500, 60_000);
  const faultAt = Date.now();
  await fault();

  const [restResult] = await Promise.all([rest, publishing]);
  const acc = await awaitTerminal((sql, params) => t.pool.query(sql, params), {
    tenantId,
    restIds: [...restResult.accepted.keys()],
    started,
    timeoutMs: 90_000,
  });
  const { duplicated } = duplicatesByBody(t.fake.published);
  const causes = await duplicateCauses((sql, params) => t.pool.query(sql, params), t.fake.published);
  for (const w of workers) w.kill('SIGTERM');
  api.kill('SIGTERM');
  const exits = await Promise.all([...workers.map((w) => w.exited), api.exited]);
  await producer.close().catch(() => undefined);
  return { restResult, acc, duplicated, causes, eventsPublished, faultAt, exits, inlineSend: inlineSendOn(workers) };
}

it('redis-server restarted mid-load (appendonly yes): 0 accepted messages lost', async () => {
  let downMs = 0;
  const { restResult, acc, duplicated, causes, faultAt, inlineSend } = await mixedLoad(59, 'restart', '{pbx-sms-faults-restart}', async () => {
    const t0 = Date.now();
    await server.stop();
    await sleep(2_000);
    await server.start();
    downMs = Date.now() - t0;
  });
  const refused503 = restResult.refused.get(503) ?? 0;
  printFigures('redis-restart', {
    inlineSend,
    messages: REST + EVENTS,
    ...deliveryFigures(acc, duplicated, causes),
    redisDownMs: downMs,
    api503: refused503,
    apiOther: [...restResult.refused].filter(([s]) => s !== 503 && s !== 429).reduce((n, [, c]) => n + c, 0),
    drainMs: acc.drainMs,
    drainAfterFaultMs: Date.now() - faultAt,
  });
  // While Redis was down the API answered 503 with Retry-After (never 500, never a hang); the
  // client's retries were then accepted.
  expect([...restResult.refused.keys()].filter((s) => s !== 503 && s !== 429)).toEqual([]);
  expect(restResult.unavailableWithoutRetryAfter).toBe(0);
  expect(restResult.accepted.size).toBe(REST);
  // Events were all in the append-only file: every one was accepted.
  expect(acc.accepted).toBe(REST + EVENTS);
  expect(acc.lost).toBe(0);
  expect(inlineSend).toBe(true);
  expect(acc.byStatus.sent).toBe(REST + EVENTS);
});

it('FLUSHALL mid-load: the reconciler re-enqueues, 0 accepted messages lost', async () => {
  let queuedAtFlush = 0;
  const { restResult, acc, duplicated, causes, eventsPublished, faultAt, inlineSend } = await mixedLoad(
    60,
    'flush',
    '{pbx-sms-faults-flush}',
    async () => {
      await server.flushAll();
      queuedAtFlush = Number(
        (await t.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE tenant_id = 60 AND status IN ('queued', 'sending')`)).rows[0]?.n,
      );
    },
    // RECONCILE_AFTER_MS more than twice PROVIDER_TIMEOUT_MS (2 s), so that inline send (the
    // default) stays on: the flush also wipes voicemail jobs in the middle of their inline sends.
    { RECONCILE_INTERVAL_MS: '1000', RECONCILE_AFTER_MS: '5000' },
  );
  const eventsNeverAccepted = eventsPublished - (acc.accepted - restResult.accepted.size);
  printFigures('redis-flushall', {
    inlineSend,
    messages: REST + EVENTS,
    ...deliveryFigures(acc, duplicated, causes),
    queuedAtFlush,
    eventsWipedBeforeAcceptance: eventsNeverAccepted,
    api503: restResult.refused.get(503) ?? 0,
    drainMs: acc.drainMs,
    drainAfterFaultMs: Date.now() - faultAt,
  });
  expect([...restResult.refused.keys()].filter((s) => s !== 503 && s !== 429)).toEqual([]);
  expect(restResult.accepted.size).toBe(REST);
  expect(queuedAtFlush).toBeGreaterThan(0);
  expect(inlineSend).toBe(true);
  expect(acc.lost).toBe(0);
  expect(acc.byStatus.sent).toBe(acc.accepted);
  expect(duplicated).toBe(0);
});
