import type { QueueProducer } from '@pbx-sms/queue';
import {
  chaosAttemptsNeeded,
  type FakeSnsChaos,
  startWorkerTestBed,
  voicemailEvent,
  type WorkerTestBed,
  SNS_CREDENTIALS,
  cleanupAll,
  printFigures,
  waitFor,
} from '@pbx-sms/testing';
import { createLogger } from '@pbx-sms/observability';

/**
 * Provider faults: the fake SNS throttles 30 % of publishes, answers 10 % with a 500 and
 * leaves 5 % hanging past PROVIDER_TIMEOUT_MS, drawn from a seed (so the run is reproducible
 * and the fake can say in advance how many attempts each message needs). Every message must
 * be delivered within SEND_MAX_ATTEMPTS, with each attempt recorded; numbers the provider
 * refuses for good (opted out, invalid) must fail on their first attempt.
 */
jest.setTimeout(120_000);

const CHAOS: FakeSnsChaos = { throttle: 0.3, serverError: 0.1, hang: 0.05, seed: 20261125 };
const GOOD = 600;
const PER_PERMANENT = 20;
const MAX_ATTEMPTS = 14;
const OPTED_OUT_NUMBER = '+14165552001';
const INVALID_NUMBER = '+14165552002';

let t: WorkerTestBed;
let prefix: string;
let producer: QueueProducer;

beforeAll(async () => {
  t = await startWorkerTestBed('chaos', {
    tenants: [
      {
        id: 59,
        extensions: [
          { extension: '1001', smsNotifications: true, smsNumber: '+14165551234' },
          { extension: '2001', smsNotifications: true, smsNumber: OPTED_OUT_NUMBER },
          { extension: '2002', smsNotifications: true, smsNumber: INVALID_NUMBER },
        ],
      },
    ],
  });
  ({ prefix, producer } = t.queue('chaos'));
});

afterAll(async () => {
  await t?.close();
  cleanupAll();
});

it('30 % throttling, 10 % 5xx and 5 % hangs: 100 % delivered within the retry budget, every attempt recorded; permanent errors fail at once', async () => {
  t.fake.chaos(CHAOS).rejectNumber(OPTED_OUT_NUMBER, 'OptedOut').rejectNumber(INVALID_NUMBER, 'InvalidParameter');
  await t.startWorker(
    prefix,
    {
      LOG_LEVEL: 'warn',
      WORKER_CONCURRENCY: '32',
      SEND_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
      SEND_BACKOFF_MS: '10',
      // Shorter than the hang (which never ends): a hung publish is a timeout, a transient failure.
      PROVIDER_TIMEOUT_MS: '2000',
      TENANT_RATE_PER_SEC: '100000',
    },
    { logger: createLogger({ level: 'error', name: 'worker' }), snsCredentials: SNS_CREDENTIALS },
  );

  const events = [
    ...Array.from({ length: GOOD }, (_, i) => ({ ext: '1001', i })),
    ...Array.from({ length: PER_PERMANENT }, (_, i) => ({ ext: '2001', i })),
    ...Array.from({ length: PER_PERMANENT }, (_, i) => ({ ext: '2002', i })),
  ].map(({ ext, i }) => voicemailEvent({ eventId: `chaos-${ext}-${i}`, extension: ext, callerName: `Chaos caller ${ext}-${i}` }));
  const started = Date.now();
  await producer.publishVoicemailEvents(events);

  const total = events.length;
  const rows = await waitFor(
    'every message terminal',
    async () => {
      const all = await t.db.prisma.message.findMany({ where: { tenantId: 59 }, include: { attemptLog: true } });
      return all.length === total && all.every((m) => ['sent', 'failed', 'skipped'].includes(m.status)) ? all : null;
    },
    100_000,
    250,
  );
  const drainMs = Date.now() - started;

  const good = rows.filter((m) => m.to === '+14165551234');
  const optedOut = rows.filter((m) => m.to === OPTED_OUT_NUMBER);
  const invalid = rows.filter((m) => m.to === INVALID_NUMBER);
  expect([good.length, optedOut.length, invalid.length]).toEqual([GOOD, PER_PERMANENT, PER_PERMANENT]);

  // 100 % delivered, each within the budget, with exactly the attempts the seed dictates.
  const requestsPerBody = new Map<string, number>();
  for (const r of t.fake.requests) requestsPerBody.set(r.message ?? '', (requestsPerBody.get(r.message ?? '') ?? 0) + 1);
  const wrong: string[] = [];
  for (const m of good) {
    const needed = chaosAttemptsNeeded(CHAOS, m.to!, m.body);
    if (m.status !== 'sent') wrong.push(`${m.id}: ${m.status} ${m.errorCode} after ${m.attempts}`);
    else if (m.attempts !== needed || requestsPerBody.get(m.body) !== needed)
      wrong.push(`${m.id}: ${m.attempts} attempts recorded, ${requestsPerBody.get(m.body)} requests, ${needed} needed`);
    const log = [...m.attemptLog].sort((a, b) => a.attempt - b.attempt);
    const outcomes = log.map((a) => a.outcome);
    const expected = [...Array.from({ length: needed - 1 }, () => 'retry'), 'sent'];
    if (JSON.stringify(outcomes) !== JSON.stringify(expected)) wrong.push(`${m.id}: attempt log ${outcomes.join(',')}`);
  }
  if (wrong.length > 0) {
    // The first mismatch in full: what the fake saw for that body, and what the Message recorded.
    const m = good.find((x) => wrong[0]!.startsWith(x.id))!;
    const seen = t.fake.requests.filter((r) => r.message === m.body).map((r) => ({ at: r.receivedAt, status: r.status, errorCode: r.errorCode }));
    process.stdout.write(`${JSON.stringify({ id: m.id, attempts: m.attemptLog.map((a) => [a.attempt, a.outcome, a.providerError]), seen })}\n`);
  }
  expect(wrong).toEqual([]);
  const attempts = good.map((m) => m.attempts);
  const maxAttempts = Math.max(...attempts);
  expect(maxAttempts).toBeLessThanOrEqual(MAX_ATTEMPTS);

  // Permanent errors: failed on the first attempt, one request each, the right code.
  for (const [list, code] of [
    [optedOut, 'opted_out'],
    [invalid, 'provider_rejected'],
  ] as const) {
    for (const m of list) {
      expect({ status: m.status, errorCode: m.errorCode, attempts: m.attempts, requests: requestsPerBody.get(m.body) }).toEqual({
        status: 'failed',
        errorCode: code,
        attempts: 1,
        requests: 1,
      });
    }
  }

  // Each transient failure the fake dealt is one recorded retry: nothing unaccounted for.
  const retries = good.reduce((n, m) => n + m.attemptLog.filter((a) => a.outcome === 'retry').length, 0);
  expect(retries).toBe(t.fake.chaosCounts.throttle + t.fake.chaosCounts.serverError + t.fake.chaosCounts.hang);
  const { duplicated } = { duplicated: t.fake.published.length - GOOD };
  expect(duplicated).toBe(0);

  printFigures('provider-chaos', {
    messages: total,
    delivered: `${good.filter((m) => m.status === 'sent').length}/${GOOD}`,
    lost: rows.filter((m) => !['sent', 'failed', 'skipped'].includes(m.status)).length,
    duplicated,
    throttled: t.fake.chaosCounts.throttle,
    serverErrors: t.fake.chaosCounts.serverError,
    hangs: t.fake.chaosCounts.hang,
    attemptsTotal: attempts.reduce((a, b) => a + b, 0),
    attemptsMean: (attempts.reduce((a, b) => a + b, 0) / attempts.length).toFixed(2),
    attemptsMax: maxAttempts,
    budget: MAX_ATTEMPTS,
    permanentFirstAttempt: `${optedOut.length + invalid.length}/${2 * PER_PERMANENT}`,
    drainMs,
  });
});
