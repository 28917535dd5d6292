import { QueueProducer } from '@pbx-sms/queue';
import {
  FAST_RECOVERY_ENV,
  testRedisUrl,
  startWorkerTestBed,
  voicemailEvent,
  type WorkerTestBed,
  TestPostgres,
  awaitTerminal,
  cleanupAll,
  createApiKey,
  duplicatesByBody,
  inlineSendOn,
  printFigures,
  restLoad,
  sleep,
  spawnApi,
  spawnWorker,
  type RestLoadResult,
} from '@pbx-sms/testing';

/**
 * Postgres unavailable for about 10 s: a cluster of the test's own is stopped (fast shutdown:
 * every connection cut, new ones refused) in the middle of mixed load and started again.
 * The API answers 503 with Retry-After (never a 500, never a hang: every request is bounded
 * by a client timeout), the workers back off and recover, nothing accepted is lost.
 */
jest.setTimeout(180_000);

const REST = 1_000;
const EVENTS = 1_000;
const OUTAGE_MS = 10_000;
const CONCURRENCY = 16; // per worker
const CLIENT_TIMEOUT_MS = 8_000;

let pg: TestPostgres;
let t: WorkerTestBed;
let prefix: string;

beforeAll(async () => {
  pg = await TestPostgres.create('outage');
  t = await startWorkerTestBed('outage', { databaseUrl: pg.url, tenants: [{ id: 59 }] });
  prefix = t.prefix('pgdown');
});

afterAll(async () => {
  await t?.close();
  cleanupAll();
});

it('Postgres down ~10 s mid-load: API 503 with Retry-After (no 500, no hang), workers recover, 0 lost', async () => {
  t.fake.latencyMs = 5;
  const producer = new QueueProducer(t.redis, prefix);
  const api = await spawnApi('api', { databaseUrl: pg.url, redisUrl: testRedisUrl(), prefix });
  const apiKey = await createApiKey(api.url, 59);
  const env = {
    databaseUrl: pg.url,
    redisUrl: testRedisUrl(),
    prefix,
    snsUrl: t.fake.url,
    ...FAST_RECOVERY_ENV,
    WORKER_CONCURRENCY: String(CONCURRENCY),
    RECONCILE_INTERVAL_MS: '2000',
    RECONCILE_AFTER_MS: '10000',
  };
  const workers = [spawnWorker('worker-1', env), spawnWorker('worker-2', env)];
  await Promise.all(workers.map((w) => w.ready));

  const started = Date.now();
  const publishing = (async () => {
    for (let i = 0; i < EVENTS; i += 50) {
      await producer.publishVoicemailEvents(
        Array.from({ length: Math.min(50, EVENTS - i) }, (_, k) => voicemailEvent({ eventId: `pgdown-${i + k}`, callerName: `Outage caller ${i + k}` })),
      );
      await sleep(300);
    }
  })();
  // Paced so that load is still arriving during the whole outage.
  const rest: Promise<RestLoadResult> = restLoad({
    apiUrl: api.url,
    apiKey,
    to: '+14165551234',
    count: REST,
    concurrency: 4,
    body: (i) => `Outage REST message ${i}`,
    timeoutMs: CLIENT_TIMEOUT_MS,
    retryPauseMs: 250,
    pauseMs: 40,
  });

  await t.fake.waitForPublishes(300, 60_000);
  const sendingAtStop = Number((await t.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE status = 'sending'`)).rows[0]?.n);
  const stoppedAt = Date.now();
  await pg.stop();
  await sleep(OUTAGE_MS);
  await pg.start();
  const outageMs = Date.now() - stoppedAt;
  const restartedAt = Date.now();

  const [restResult] = await Promise.all([rest, publishing]);
  const acc = await awaitTerminal((sql, params) => t.pool.query(sql, params), {
    tenantId: 59,
    restIds: [...restResult.accepted.keys()],
    started,
    timeoutMs: 90_000,
    expectEvents: EVENTS,
  });
  const recoveredMs = Date.now() - restartedAt;
  const { duplicated } = duplicatesByBody(t.fake.published);
  const refused = Object.fromEntries(restResult.refused);
  const errorsLogged = workers.reduce((n, w) => n + w.kept.filter((l) => Number(l.level) >= 50).length, 0);

  printFigures('postgres-outage', {
    inlineSend: inlineSendOn(workers),
    messages: REST + EVENTS,
    accepted: acc.accepted,
    terminal: acc.terminal,
    lost: acc.lost,
    duplicated,
    outageMs,
    api503: refused[503] ?? 0,
    api500: refused[500] ?? 0,
    apiHangs: refused[0] ?? 0,
    apiOther: Object.entries(refused)
      .filter(([s]) => !['503', '500', '0'].includes(s))
      .reduce((n, [, c]) => n + c, 0),
    maxResponseMs: restResult.maxMs,
    sendingAtStop,
    drainAfterRestartMs: recoveredMs,
    drainMs: acc.drainMs,
    workerErrorLines: errorsLogged,
  });

  // The API: only 202 or 503 with Retry-After, each within the client's timeout.
  expect(Object.keys(refused)).toEqual(refused[503] ? ['503'] : []);
  expect(refused[503]).toBeGreaterThan(0);
  expect(restResult.unavailableWithoutRetryAfter).toBe(0);
  expect(restResult.maxMs).toBeLessThan(CLIENT_TIMEOUT_MS);
  expect(restResult.accepted.size).toBe(REST);
  // The workers: still running, caught up, nothing lost.
  expect(workers.every((w) => w.child.exitCode === null)).toBe(true);
  expect(inlineSendOn(workers)).toBe(true);
  expect(acc.accepted).toBe(REST + EVENTS);
  expect(acc.lost).toBe(0);
  expect(acc.byStatus.sent).toBe(REST + EVENTS);
  // Sends the provider accepted while Postgres was down keep retrying their outcome write
  // instead of being run (and sent) again; an inline one stays with its live voicemail job,
  // which the reconciler counts as the Message's live job.
  expect(duplicated).toBe(0);

  for (const w of workers) w.kill('SIGTERM');
  api.kill('SIGTERM');
  for (const w of workers) expect((await w.exited).code).toBe(0);
  await api.exited;
  await producer.close();
});
