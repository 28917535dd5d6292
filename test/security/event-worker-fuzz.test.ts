import fc from 'fast-check';
import { Queue } from 'bullmq';
import { JOB_NAMES, QUEUES, voicemailEventSchema } from '@pbx-sms/queue';
import { type WorkerHandle, capturingLogger, startWorkerTestBed, waitFor, type WorkerTestBed, shaped } from '@pbx-sms/testing';

/**
 * Hostile payloads published straight into the voicemail-events queue, as a buggy PBX might:
 * the worker never crashes, never retries a malformed event, and each job ends completed,
 * either as a Message (valid event) or as a RejectedEvent row (with the reason).
 */
const RUNS = Math.min(Number(process.env.FUZZ_RUNS ?? 10_000), 3_000);

let t: WorkerTestBed;
let worker: WorkerHandle;
let queue: Queue;
const log = capturingLogger();

beforeAll(async () => {
  t = await startWorkerTestBed('evfuzz', { tenants: [{ id: 59, extensions: [{ extension: '1001', smsNotifications: true, smsNumber: '+14165551234' }] }] });
  const prefix = t.prefix('evfuzz');
  queue = new Queue(QUEUES.voicemailEvents, { connection: t.redis, prefix });
  worker = await t.startWorker(prefix, { WORKER_CONCURRENCY: '16', TENANT_RATE_PER_SEC: '100000' }, { logger: log.logger });
});
afterAll(async () => {
  await worker?.close();
  await queue?.close();
  await t?.close();
});

it(`${RUNS} hostile event payloads: every job completes, valid ones become messages, the rest are recorded as rejected`, async () => {
  const payloads = fc.sample(
    fc.oneof(
      fc.anything({ maxDepth: 2 }),
      shaped(['eventId', 'tenantId', 'extension', 'callerId', 'callerName', 'durationSeconds', 'receivedAt', 'urgent']),
      fc.record({
        eventId: fc.stringMatching(/^[A-Za-z0-9._-]{1,16}$/),
        tenantId: fc.constantFrom(59, 60, 0, -5),
        extension: fc.oneof(fc.constant('1001'), fc.string({ maxLength: 40 })),
        callerId: fc.option(fc.string({ maxLength: 80 }), { nil: undefined }),
        callerName: fc.option(fc.string({ unit: 'grapheme', maxLength: 150 }), { nil: undefined }),
        durationSeconds: fc.option(fc.oneof(fc.integer({ min: -10, max: 100_000 }), fc.double()), { nil: undefined }),
        receivedAt: fc.oneof(
          fc.date({ noInvalidDate: true, min: new Date('2000-01-01'), max: new Date('2100-01-01') }).map((d) => d.toISOString()),
          fc.string({ maxLength: 30 }),
        ),
      }),
    ),
    { numRuns: RUNS, seed: 4242 },
  );
  for (let i = 0; i < payloads.length; i += 500) {
    // Arbitrary data as a PBX might publish it; JSON-serialisable values only, as BullMQ stores JSON.
    await queue.addBulk(
      payloads.slice(i, i + 500).map((data, k) => ({
        name: JOB_NAMES.voicemailReceived,
        data: (JSON.parse(JSON.stringify({ v: data })) as { v?: unknown }).v ?? null,
        opts: { jobId: `fuzz-${i + k}` },
      })),
    );
  }
  await waitFor(
    'every fuzz job to finish',
    async () => {
      const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      return (c.waiting ?? 0) + (c.active ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0) === 0 ? true : null;
    },
    240_000,
  );
  const counts = await queue.getJobCounts('completed', 'failed');
  const valid = payloads.filter((p) => voicemailEventSchema.safeParse(p).success);
  const rejected = await t.db.prisma.rejectedEvent.count();
  const messages = await t.db.prisma.message.count();
  process.stdout.write(
    `event fuzz: ${payloads.length} payloads, ${valid.length} valid, ${messages} messages, ${rejected} rejected, ${counts.failed} failed jobs\n`,
  );
  expect(counts.failed).toBe(0);
  expect(counts.completed).toBe(payloads.length);
  // Each valid event of a known tenant is one message (duplicate eventIds collapse); everything else is rejected.
  const validKnown = new Set(valid.filter((p) => (p as { tenantId: number }).tenantId === 59).map((p) => (p as { eventId: string }).eventId));
  expect(messages).toBe(validKnown.size);
  expect(rejected).toBe(payloads.length - valid.filter((p) => (p as { tenantId: number }).tenantId === 59).length);
  const health = await fetch(`http://127.0.0.1:${worker.port}/ready`);
  expect(health.status).toBe(200);
}, 300_000);
