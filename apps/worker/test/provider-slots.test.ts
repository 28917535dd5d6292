import type { QueueProducer } from '@pbx-sms/queue';
import { DEST, SENDER, capturingLogger, startWorkerTestBed, voicemailEvent, waitFor, type WorkerTestBed } from '@pbx-sms/testing';

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

let t: WorkerTestBed;
let producer: QueueProducer;
const log = capturingLogger();

beforeAll(async () => {
  t = await startWorkerTestBed('providerslots', { tenants: [{ id: 59 }] });
  const q = t.queue('slots');
  producer = q.producer;
  await t.startWorker(
    q.prefix,
    { WORKER_CONCURRENCY: String(CONCURRENCY), WORKER_INLINE_SEND: 'true', PROVIDER_TIMEOUT_MS: '5000', RECONCILE_AFTER_MS: '60000' },
    { logger: log.logger },
  );
});

afterAll(() => t?.close());

it(`voicemail jobs sending inline and send jobs together never have more than WORKER_CONCURRENCY (${CONCURRENCY}) provider calls in flight`, async () => {
  expect(log.lines().find((l) => l.msg === 'worker started')).toMatchObject({ inlineSend: true, concurrency: CONCURRENCY });
  // A slow provider keeps every slot busy, so both consumers have more jobs than slots.
  t.fake.latencyMs = 150;
  const rows = await Promise.all(
    Array.from({ length: SENDS }, (_, i) =>
      t.db.prisma.message.create({ data: { tenantId: 59, kind: 'api', source: 'rest', from: SENDER, to: DEST, body: `slots send ${i}`, status: 'queued' } }),
    ),
  );
  const events = Array.from({ length: EVENTS }, () => voicemailEvent());
  await Promise.all([producer.enqueueSends(rows.map((m) => ({ messageId: m.id, tenantId: 59 }))), producer.publishVoicemailEvents(events)]);

  await waitFor('every message sent', async () => (await t.db.prisma.message.count({ where: { status: 'sent' } })) === SENDS + EVENTS, 30_000, 100);
  expect(t.fake.maxInFlight).toBeLessThanOrEqual(CONCURRENCY);
  // The load did reach the bound (the test would prove nothing otherwise)…
  expect(t.fake.maxInFlight).toBe(CONCURRENCY);
  // …with both paths sending: every event's Message inline, every API Message by its send job.
  const sentLines = log.lines().filter((l) => l.outcome === 'sent');
  expect(sentLines.filter((l) => l.inline === true)).toHaveLength(EVENTS);
  expect(sentLines.filter((l) => l.inline === undefined)).toHaveLength(SENDS);
  expect(t.fake.published).toHaveLength(SENDS + EVENTS);
});
