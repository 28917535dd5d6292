import { configChannel, type QueueProducer } from '@pbx-sms/queue';
import { DEST, SENDER, capturingLogger, startWorkerTestBed, waitFor, type WorkerTestBed } from '@pbx-sms/testing';

jest.setTimeout(30_000);

let t: WorkerTestBed;

beforeAll(async () => {
  t = await startWorkerTestBed('send', { tenants: [{ id: 59 }, { id: 70 }, { id: 71 }, { id: 72 }, { id: 73 }] });
});

// Workers a test starts itself stop with it (those of a describe's beforeAll stay to the end):
// left open, their Postgres connections add up across the file, and the test files running
// beside it, to max_connections.
let openBeforeTest = 0;
beforeEach(() => {
  openBeforeTest = t.opened();
});
afterEach(() => t.closeSince(openBeforeTest));

afterAll(() => t?.close());

beforeEach(() => t.fake.reset());

async function start(env: Record<string, string> = {}) {
  const { prefix, producer } = t.queue('send');
  const log = capturingLogger();
  const worker = await t.startWorker(prefix, env, { logger: log.logger });
  return { worker, producer, prefix, log };
}

let counter = 0;
async function apiMessage(producer: QueueProducer, tenantId = 59, over: Partial<{ to: string; body: string }> = {}) {
  counter++;
  const m = await t.db.prisma.message.create({
    data: {
      tenantId,
      kind: 'api',
      source: 'action',
      from: SENDER,
      to: over.to ?? DEST,
      body: over.body ?? `API message ${counter}`,
      status: 'queued',
      segments: 1,
    },
  });
  await producer.enqueueSend({ messageId: m.id, tenantId });
  return m;
}

async function settled(id: string, timeoutMs = 10_000) {
  return waitFor(
    `message ${id} to settle`,
    async () => {
      const m = await t.db.prisma.message.findUnique({ where: { id } });
      return m && ['sent', 'failed', 'skipped'].includes(m.status) ? m : null;
    },
    timeoutMs,
  );
}

function attemptsOf(id: string) {
  return t.db.prisma.messageAttempt.findMany({ where: { messageId: id }, orderBy: { attempt: 'asc' } });
}

describe('sending through SNS', () => {
  let ctx: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    ctx = await start({ SEND_MAX_ATTEMPTS: '3' });
  });

  it('sends an API message once and records the attempt and the provider id', async () => {
    const m = await apiMessage(ctx.producer);
    const done = await settled(m.id);
    expect(done).toMatchObject({ status: 'sent', attempts: 1, errorCode: null, from: SENDER, to: DEST });
    expect(done.providerMessageId).toBe(t.fake.published[0]?.messageId);
    expect(await attemptsOf(m.id)).toMatchObject([{ attempt: 1, outcome: 'sent', errorCode: null }]);
    expect((await attemptsOf(m.id))[0]!.durationMs).toEqual(expect.any(Number));
  });

  it('when SNS throttles, retries with backoff and then succeeds, recording every attempt', async () => {
    t.fake.failNext({ type: 'error', code: 'Throttled' }, 2);
    const m = await apiMessage(ctx.producer);
    const done = await settled(m.id);
    expect(done).toMatchObject({ status: 'sent', attempts: 3, errorCode: null });
    const attempts = await attemptsOf(m.id);
    expect(attempts[0]?.providerError).toMatch(/^Throttled/);
    expect(attempts).toMatchObject([
      { attempt: 1, outcome: 'retry', errorCode: 'provider_unavailable' },
      { attempt: 2, outcome: 'retry', errorCode: 'provider_unavailable' },
      { attempt: 3, outcome: 'sent' },
    ]);
    expect(t.fake.requests).toHaveLength(3);
    // Backoff: the second retry waited longer than the first (20 ms base, doubling, ±20%).
    const [a, b, c] = t.fake.requests.map((r) => r.receivedAt);
    expect(b! - a!).toBeGreaterThanOrEqual(15);
    expect(c! - b!).toBeGreaterThanOrEqual(30);
  });

  it('when SNS says the number opted out, fails at once with opted_out', async () => {
    t.fake.rejectNumber('+14165559876', 'OptedOut');
    const m = await apiMessage(ctx.producer, 59, { to: '+14165559876' });
    const done = await settled(m.id);
    expect(done).toMatchObject({ status: 'failed', errorCode: 'opted_out', attempts: 1 });
    expect(t.fake.requests).toHaveLength(1);
    expect(await attemptsOf(m.id)).toMatchObject([{ attempt: 1, outcome: 'failed', errorCode: 'opted_out' }]);
    expect(await ctx.producer.sendQueue.getJobState(m.id)).toBe('failed');
  });

  it('when SNS rejects a parameter, fails at once with provider_rejected', async () => {
    t.fake.failNext({ type: 'error', code: 'InvalidParameter' });
    const m = await apiMessage(ctx.producer);
    const done = await settled(m.id);
    expect(done).toMatchObject({ status: 'failed', errorCode: 'provider_rejected', attempts: 1 });
    expect(done.errorDetail).toMatch(/rejected/);
    expect(t.fake.requests).toHaveLength(1);
  });

  it('when SNS hangs, the attempt times out as transient and the retry succeeds', async () => {
    t.fake.failNext({ type: 'hang' });
    const m = await apiMessage(ctx.producer);
    const done = await settled(m.id);
    expect(done).toMatchObject({ status: 'sent', attempts: 2 });
    const attempts = await attemptsOf(m.id);
    expect(attempts).toMatchObject([{ outcome: 'retry' }, { outcome: 'sent' }]);
    expect(attempts[0]?.providerError).toMatch(/^Timeout/);
    expect(attempts[0]!.durationMs).toBeGreaterThanOrEqual(290);
  });

  it('when SNS keeps failing, gives up after SEND_MAX_ATTEMPTS with provider_unavailable', async () => {
    t.fake.failAlways({ type: 'error', code: 'InternalError' });
    const m = await apiMessage(ctx.producer);
    const done = await settled(m.id);
    expect(done).toMatchObject({ status: 'failed', errorCode: 'provider_unavailable', attempts: 3 });
    expect(t.fake.requests).toHaveLength(3);
    expect((await attemptsOf(m.id)).map((a) => a.outcome)).toEqual(['retry', 'retry', 'failed']);
  });

  it('does nothing for a Message that is already terminal', async () => {
    const m = await apiMessage(ctx.producer);
    await settled(m.id);
    await ctx.producer.sendQueue.add('sms.send', { messageId: m.id, tenantId: 59 }, { jobId: `again-${m.id}` });
    await waitFor('second job', async () => (await ctx.producer.sendQueue.getJobState(`again-${m.id}`)) === 'completed');
    expect(t.fake.requests).toHaveLength(1);
    expect(await t.db.prisma.message.findUnique({ where: { id: m.id } })).toMatchObject({ attempts: 1 });
  });
});

describe('rules re-checked at send time', () => {
  let ctx: Awaited<ReturnType<typeof start>>;
  beforeAll(async () => {
    ctx = await start({ TENANT_CONFIG_TTL_MS: '0' });
  });

  it('an API message whose tenant turned the SMS API off fails with api_disabled, and nothing is sent', async () => {
    await t.db.prisma.smsSettings.update({ where: { tenantId: 70 }, data: { apiEnabled: false } });
    const m = await apiMessage(ctx.producer, 70);
    const done = await settled(m.id);
    expect(done).toMatchObject({ status: 'failed', errorCode: 'api_disabled', attempts: 0, errorDetail: 'Enable SMS API is set to No' });
    expect(await attemptsOf(m.id)).toEqual([]);
    expect(t.fake.requests).toHaveLength(0);
  });

  it('a voicemail Message whose tenant is no longer Active is skipped with tenant_inactive', async () => {
    await t.db.prisma.smsSettings.update({ where: { tenantId: 71 }, data: { active: false } });
    const m = await t.db.prisma.message.create({
      data: {
        tenantId: 71,
        kind: 'voicemail',
        source: 'event',
        eventId: 'late-1',
        extension: '1001',
        from: SENDER,
        to: DEST,
        body: 'New voicemail',
        status: 'queued',
      },
    });
    await ctx.producer.enqueueSend({ messageId: m.id, tenantId: 71 });
    expect(await settled(m.id)).toMatchObject({ status: 'skipped', errorCode: 'tenant_inactive', attempts: 0 });
    expect(t.fake.requests).toHaveLength(0);
  });

  it('a voicemail goes to the extension number configured at send time', async () => {
    await t.db.prisma.extension.update({ where: { tenantId_extension: { tenantId: 72, extension: '1001' } }, data: { smsNumber: '+14165551299' } });
    const m = await t.db.prisma.message.create({
      data: {
        tenantId: 72,
        kind: 'voicemail',
        source: 'event',
        eventId: 'moved-1',
        extension: '1001',
        from: SENDER,
        to: DEST,
        body: 'New voicemail',
        status: 'queued',
      },
    });
    await ctx.producer.enqueueSend({ messageId: m.id, tenantId: 72 });
    expect(await settled(m.id)).toMatchObject({ status: 'sent', to: '+14165551299' });
    expect(t.fake.requests[0]?.phoneNumber).toBe('+14165551299');
  });
});

describe('tenant config cache', () => {
  it('serves cached config until the admin API announces a change on the config channel', async () => {
    const ctx = await start({ TENANT_CONFIG_TTL_MS: '600000' });
    await settled((await apiMessage(ctx.producer, 73)).id);
    await t.db.prisma.smsSettings.update({ where: { tenantId: 73 }, data: { active: false } });
    // Not announced: the cached (Active) config still applies.
    expect(await settled((await apiMessage(ctx.producer, 73)).id)).toMatchObject({ status: 'sent' });
    await t.redis.publish(configChannel(ctx.prefix), '73');
    // Only tenant 73 was cached in this worker.
    await waitFor('invalidation', async () => ctx.worker.configCache.size === 0, 2_000);
    expect(await settled((await apiMessage(ctx.producer, 73)).id)).toMatchObject({ status: 'failed', errorCode: 'tenant_inactive' });
    await t.db.prisma.smsSettings.update({ where: { tenantId: 73 }, data: { active: true } });
    await t.redis.publish(configChannel(ctx.prefix), '*');
    await waitFor('invalidation of all tenants', async () => ctx.worker.configCache.size === 0, 2_000);
    expect(await settled((await apiMessage(ctx.producer, 73)).id)).toMatchObject({ status: 'sent' });
  });
});

describe('per-tenant rate limit', () => {
  it('delays a noisy tenant without failing or counting attempts, while another tenant goes through', async () => {
    const ctx = await start({ TENANT_RATE_PER_SEC: '5', WORKER_CONCURRENCY: '4' });
    const noisy = [];
    for (let i = 0; i < 12; i++) noisy.push(await apiMessage(ctx.producer, 59));
    const quiet = [];
    for (let i = 0; i < 3; i++) quiet.push(await apiMessage(ctx.producer, 72));
    const quietDone = await Promise.all(quiet.map((m) => settled(m.id)));
    const noisyDone = await Promise.all(noisy.map((m) => settled(m.id, 15_000)));
    expect([...quietDone, ...noisyDone].every((m) => m.status === 'sent' && m.attempts === 1)).toBe(true);
    const sentAt = (ms: typeof noisyDone) => ms.map((m) => m.sentAt!.getTime()).sort((a, b) => a - b);
    const noisyTimes = sentAt(noisyDone);
    // 12 sends at 5/s with a burst of 5: the last goes at least (12 - 5) / 5 = 1.4 s after the first.
    expect(noisyTimes[noisyTimes.length - 1]! - noisyTimes[0]!).toBeGreaterThanOrEqual(1_200);
    // The quiet tenant, enqueued behind the burst, is not held back by it.
    expect(Math.max(...sentAt(quietDone))).toBeLessThan(noisyTimes[noisyTimes.length - 1]! - 500);
    expect(ctx.log.lines().some((l) => l.outcome === 'rate_limited' && l.tenantId === 59)).toBe(true);
  });
});

describe('worker metrics', () => {
  it('counts sent and failed messages, provider latency and queue depth as messages flow', async () => {
    const ctx = await start();
    const scrape = async () => (await fetch(`http://127.0.0.1:${ctx.worker.port}/metrics`)).text();
    // The value of the sample with this name carrying all these labels (in any order), or 0.
    const value = (text: string, [name, ...labels]: string[]) => {
      const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && labels.every((lab) => l.includes(lab)));
      return Number(line?.split(' ').pop() ?? 0);
    };
    const sentRe = ['pbx_sms_messages_sent_total', 'kind="all"'];
    const optedOutRe = ['pbx_sms_messages_failed_total', 'code="opted_out"'];
    const latencyRe = ['pbx_sms_provider_request_duration_seconds_count', 'provider="sns"', 'outcome="sent"'];
    const before = await scrape();
    expect(value(before, sentRe)).toBe(0);

    await settled((await apiMessage(ctx.producer)).id);
    t.fake.rejectNumber('+14165559877', 'OptedOut');
    await settled((await apiMessage(ctx.producer, 59, { to: '+14165559877' })).id);

    const after = await scrape();
    expect(value(after, sentRe)).toBe(1);
    expect(value(after, optedOutRe)).toBe(1);
    expect(value(after, latencyRe)).toBe(1);
    expect(value(after, ['pbx_sms_provider_attempts_count', 'provider="all"'])).toBe(2);
    expect(value(after, ['pbx_sms_queue_jobs', 'queue="sms-send"', 'state="failed"'])).toBe(1);
  });
});
