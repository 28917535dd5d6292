import type { QueueProducer } from '@pbx-sms/queue';
import {
  FAST_RECOVERY_ENV,
  testRedisUrl,
  startWorkerTestBed,
  voicemailEvent,
  type WorkerTestBed,
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
  type Child,
} from '@pbx-sms/testing';

/**
 * Worker crash: two worker processes drain 5,000 messages (2,500 REST sends through the API
 * process, 2,500 voicemail events published straight to the queue as the PBX does); one is
 * killed with SIGKILL mid-run and restarted. Every accepted message must end terminal, none
 * lost, and the provider may see a message twice only for sends the killed worker had in
 * flight (at most its concurrency: one limit shared by its send jobs and its voicemail jobs
 * sending inline).
 */
jest.setTimeout(240_000);

const CONCURRENCY = 16;
const REST = 2_500;
const EVENTS = 2_500;
const TO = '+14165551234';

let t: WorkerTestBed;
let prefix: string;
let producer: QueueProducer;

beforeAll(async () => {
  t = await startWorkerTestBed('crash', { tenants: [{ id: 59 }] });
  ({ prefix, producer } = t.queue('crash'));
});

afterAll(async () => {
  cleanupAll();
  await t?.close();
});

it('kill -9 of one of two workers mid-run: every accepted message terminal, 0 lost, duplicates ≤ its concurrency', async () => {
  // A little provider latency keeps each worker's send slots busy, as in production.
  t.fake.latencyMs = 5;
  const api = await spawnApi('api', { databaseUrl: t.db.url, redisUrl: testRedisUrl(), prefix });
  const apiKey = await createApiKey(api.url, 59);
  // PROVIDER_TIMEOUT_MS far above the fake's answer time (as in the provider-chaos test): on a
  // starved machine a 2 s timeout expired on calls the fake had accepted, and those retries
  // (duplicates of another kind, `dupTimedOut`) were counted against the crash bound.
  const workerEnv = {
    databaseUrl: t.db.url,
    redisUrl: testRedisUrl(),
    prefix,
    snsUrl: t.fake.url,
    ...FAST_RECOVERY_ENV,
    WORKER_CONCURRENCY: String(CONCURRENCY),
    PROVIDER_TIMEOUT_MS: '10000',
    RECONCILE_INTERVAL_MS: '5000',
    RECONCILE_AFTER_MS: '30000',
  };
  const a = spawnWorker('worker-a', workerEnv);
  const b = spawnWorker('worker-b', workerEnv);
  await Promise.all([a.ready, b.ready]);

  const started = Date.now();
  // Voicemail events in bursts while the REST sends run.
  const publishing = (async () => {
    for (let i = 0; i < EVENTS; i += 250) {
      await producer.publishVoicemailEvents(
        Array.from({ length: Math.min(250, EVENTS - i) }, (_, k) => voicemailEvent({ eventId: `crash-${i + k}`, callerName: `Crash caller ${i + k}` })),
      );
      await sleep(150);
    }
  })();
  const rest = restLoad({ apiUrl: api.url, apiKey, to: TO, count: REST, concurrency: 24, body: (i) => `Crash REST message ${i}` });

  // Mid-run: SIGKILL worker A while it has sends in flight, then start it again.
  await t.fake.waitForPublishes(1_500, 120_000);
  const sendingAtKill = Number((await t.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE status = 'sending'`)).rows[0]?.n);
  const killedAt = Date.now();
  a.kill('SIGKILL');
  expect((await a.exited).signal).toBe('SIGKILL');
  await sleep(1_000);
  const a2: Child = spawnWorker('worker-a2', workerEnv);
  await a2.ready;

  const [restResult] = await Promise.all([rest, publishing]);
  expect(restResult.refused).toEqual(new Map());
  expect(restResult.accepted.size).toBe(REST);

  const acc = await awaitTerminal((sql, params) => t.pool.query(sql, params), {
    tenantId: 59,
    restIds: [...restResult.accepted.keys()],
    started,
    timeoutMs: 150_000,
    expectEvents: EVENTS,
  });
  const { duplicated, maxPerBody } = duplicatesByBody(t.fake.published);
  const causes = await duplicateCauses((sql, params) => t.pool.query(sql, params), t.fake.published);
  const sent = acc.byStatus.sent ?? 0;
  printFigures('worker-crash', {
    inlineSend: inlineSendOn([a, b, a2]),
    messages: REST + EVENTS,
    ...deliveryFigures(acc, duplicated, causes),
    sent,
    duplicateBound: CONCURRENCY,
    sendingAtKill,
    drainMs: acc.drainMs,
    drainAfterKillMs: Date.now() - killedAt,
    publishes: t.fake.publishCount,
  });
  // The default configuration: voicemail jobs send inline, send jobs send the rest, and both
  // share one WORKER_CONCURRENCY of provider calls per worker (the bound below).
  expect(inlineSendOn([a, b, a2])).toBe(true);
  expect(acc.accepted).toBe(REST + EVENTS);
  expect(acc.lost).toBe(0);
  expect(sent).toBe(REST + EVENTS);
  // Every message reached the provider at least once; more than once only if the killed worker had it in flight.
  expect(new Set(t.fake.published.map((r) => r.message)).size).toBe(REST + EVENTS);
  expect(duplicated).toBeLessThanOrEqual(CONCURRENCY);
  // …and each of them because the kill cut its attempt short.
  expect(causes).toEqual({ interrupted: duplicated, timedOut: 0, concurrent: 0, other: 0 });
  expect(maxPerBody).toBeLessThanOrEqual(2);
  // A message that was sent twice shows both attempts.
  const multi = Number((await t.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE attempts > 1`)).rows[0]?.n);
  expect(multi).toBeGreaterThanOrEqual(duplicated);

  for (const w of [b, a2]) w.kill('SIGTERM');
  for (const w of [b, a2]) expect((await w.exited).code).toBe(0);
  api.kill('SIGTERM');
  await api.exited;
});
