import type { Redis } from 'ioredis';
import { QueueProducer, createRedis } from '@pbx-sms/queue';
import { FakeSnsServer, createTestDatabase, flushPrefix, testQueuePrefix, testRedisUrl, type TestDatabase } from '@pbx-sms/testing';
import { startWorker, type WorkerHandle } from '../src/worker';
import { EXT_NUMBER, SENDER, SNS_CREDENTIALS, capturingLogger, seedTenant, voicemailEvent, waitFor, workerConfig } from './helpers';

/**
 * Regression (found by the fault suite with inline send on): each queue's consumer runs
 * WORKER_CONCURRENCY jobs, so with voicemail jobs sending inline and send jobs sending at the
 * same time one worker had up to twice WORKER_CONCURRENCY provider calls in flight, and a
 * `kill -9` could turn all of them into duplicates (19 against a documented bound of 16). The
 * provider-call slots are shared by both job kinds: never more than WORKER_CONCURRENCY calls.
 */
jest.setTimeout(60_000);

const CONCURRENCY = 4;
const EVENTS = 24;
const SENDS = 24;

let db: TestDatabase;
let fake: FakeSnsServer;
let redis: Redis;
let producer: QueueProducer;
let worker: WorkerHandle;
const prefix = testQueuePrefix('slots');
const log = capturingLogger();

beforeAll(async () => {
  db = await createTestDatabase('providerslots');
  fake = await FakeSnsServer.start();
  redis = createRedis(testRedisUrl(), 'producer');
  producer = new QueueProducer(redis, prefix);
  await seedTenant(db.prisma, { id: 59 });
  worker = await startWorker(workerConfig({ databaseUrl: db.url, prefix, snsUrl: fake.url, WORKER_CONCURRENCY: String(CONCURRENCY), WORKER_INLINE_SEND: 'true', PROVIDER_TIMEOUT_MS: '5000', RECONCILE_AFTER_MS: '60000' }), {
    logger: log.logger,
    snsCredentials: SNS_CREDENTIALS,
    reconciler: false,
  });
});

afterAll(async () => {
  await worker?.close();
  await producer.close();
  redis.disconnect();
  await fake.close();
  await flushPrefix(prefix);
  await db.cleanup();
});

it(`voicemail jobs sending inline and send jobs together never have more than WORKER_CONCURRENCY (${CONCURRENCY}) provider calls in flight`, async () => {
  expect(log.lines().find((l) => l.msg === 'worker started')).toMatchObject({ inlineSend: true, concurrency: CONCURRENCY });
  // A slow provider keeps every slot busy, so both consumers have more jobs than slots.
  fake.latencyMs = 150;
  const rows = await Promise.all(
    Array.from({ length: SENDS }, (_, i) =>
      db.prisma.message.create({ data: { tenantId: 59, kind: 'api', source: 'rest', from: SENDER, to: EXT_NUMBER, body: `slots send ${i}`, status: 'queued' } }),
    ),
  );
  const events = Array.from({ length: EVENTS }, () => voicemailEvent());
  await Promise.all([producer.enqueueSends(rows.map((m) => ({ messageId: m.id, tenantId: 59 }))), producer.publishVoicemailEvents(events)]);

  await waitFor('every message sent', async () => (await db.prisma.message.count({ where: { status: 'sent' } })) === SENDS + EVENTS, 30_000, 100);
  expect(fake.maxInFlight).toBeLessThanOrEqual(CONCURRENCY);
  // The load did reach the bound (the test would prove nothing otherwise)…
  expect(fake.maxInFlight).toBe(CONCURRENCY);
  // …with both paths sending: every event's Message inline, every API Message by its send job.
  const sentLines = log.lines().filter((l) => l.outcome === 'sent');
  expect(sentLines.filter((l) => l.inline === true)).toHaveLength(EVENTS);
  expect(sentLines.filter((l) => l.inline === undefined)).toHaveLength(SENDS);
  expect(fake.published).toHaveLength(SENDS + EVENTS);
});
