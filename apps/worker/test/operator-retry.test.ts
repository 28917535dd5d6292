import { DiagnosticsService, MessageOpsService } from '@pbx-sms/operations';
import type { QueueProducer } from '@pbx-sms/queue';
import { DEST, SENDER, startWorkerTestBed, voicemailEvent, waitFor, type WorkerTestBed } from '@pbx-sms/testing';

/**
 * docs/operations.md's remedy for `provider_unavailable`: once SNS is healthy, `messages retry`
 * / `retry-all` (the CLI and the admin API both call MessageOpsService). A retried message gets
 * a fresh SEND_MAX_ATTEMPTS budget; its earlier attempts stay in its history, numbered on.
 */

let t: WorkerTestBed;
let producer: QueueProducer;
let ops: MessageOpsService;
const diagnostics = () => new DiagnosticsService(t.db.prisma, t.pool);

beforeAll(async () => {
  t = await startWorkerTestBed('opretry', { tenants: [{ id: 59 }, { id: 60 }] });
  const q = t.queue('opretry');
  producer = q.producer;
  await t.startWorker(q.prefix, { SEND_MAX_ATTEMPTS: '3' });
  ops = new MessageOpsService(t.db.prisma, (job) => producer.requeueSend(job));
});

afterAll(() => t?.close());
beforeEach(() => t.fake.reset());

let counter = 0;
async function apiMessage(tenantId = 59) {
  counter++;
  const m = await t.db.prisma.message.create({
    data: { tenantId, kind: 'api', source: 'rest', from: SENDER, to: DEST, body: `Retry me ${counter}`, status: 'queued', segments: 1 },
  });
  await producer.enqueueSend({ messageId: m.id, tenantId });
  return m;
}

/** The message once terminal (after a retry it is `queued` again until the worker ends it). */
async function settled(id: string) {
  return waitFor(`message ${id} to settle`, async () => {
    const m = await t.db.prisma.message.findUnique({ where: { id } });
    return m && ['sent', 'failed', 'skipped'].includes(m.status) ? m : null;
  });
}

/** The trace's attempts as [attempt, round, outcome]. */
async function history(tenantId: number, id: string) {
  return (await diagnostics().trace(tenantId, id)).attempts.map((a) => [a.attempt, a.round, a.outcome]);
}

const sendsOf = (body: string) => t.fake.requests.filter((r) => r.message === body);

describe('operator retry of a message whose attempts ran out', () => {
  it('gets a fresh budget: sent at the fake SNS, the trace showing both rounds', async () => {
    t.fake.failAlways({ type: 'error', code: 'InternalError' });
    const m = await apiMessage();
    expect(await settled(m.id)).toMatchObject({ status: 'failed', errorCode: 'provider_unavailable', attempts: 3 });
    expect(sendsOf(m.body)).toHaveLength(3);

    t.fake.failAlways(null);
    expect(await ops.retry(m.id, 59)).toEqual({ id: m.id, status: 'queued' });
    const sent = await settled(m.id);
    expect(sent).toMatchObject({ status: 'sent', attempts: 4, errorCode: null });
    expect(t.fake.published.filter((r) => r.message === m.body)).toMatchObject([{ phoneNumber: DEST, originationNumber: SENDER }]);
    expect(sent.providerMessageId).toBe(t.fake.published[0]!.messageId);
    expect(await history(59, m.id)).toEqual([
      [1, 1, 'retry'],
      [2, 1, 'retry'],
      [3, 1, 'failed'],
      [4, 2, 'sent'],
    ]);
  });

  it('still failing, makes SEND_MAX_ATTEMPTS more attempts and fails again; the next retry sends', async () => {
    t.fake.failAlways({ type: 'error', code: 'InternalError' });
    const m = await apiMessage();
    await settled(m.id);
    await ops.retry(m.id, 59);
    expect(await settled(m.id)).toMatchObject({ status: 'failed', errorCode: 'provider_unavailable', attempts: 6 });
    expect(sendsOf(m.body)).toHaveLength(6);

    t.fake.failAlways(null);
    await ops.retry(m.id, 59);
    expect(await settled(m.id)).toMatchObject({ status: 'sent', attempts: 7 });
    expect((await history(59, m.id)).map(([attempt, round]) => [attempt, round])).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
      [4, 2],
      [5, 2],
      [6, 2],
      [7, 3],
    ]);
    expect(sendsOf(m.body)).toHaveLength(7);
  });

  it('retry-all sends every matching failed message, an API send and a voicemail notification, each with a fresh budget', async () => {
    t.fake.failAlways({ type: 'error', code: 'InternalError' });
    const api = await apiMessage(60);
    const event = voicemailEvent({ tenantId: 60 });
    await producer.publishVoicemailEvent(event);
    const vm = await waitFor('the voicemail message', () =>
      t.db.prisma.message.findUnique({ where: { tenantId_eventId: { tenantId: 60, eventId: event.eventId } } }),
    );
    expect(await settled(api.id)).toMatchObject({ status: 'failed', errorCode: 'provider_unavailable', attempts: 3 });
    expect(await settled(vm.id)).toMatchObject({ status: 'failed', errorCode: 'provider_unavailable', attempts: 3 });

    t.fake.failAlways(null);
    const answer = await ops.retryAll({ tenantId: 60, code: 'provider_unavailable' });
    expect(answer.retried).toBe(2);
    expect(answer.ids.sort()).toEqual([api.id, vm.id].sort());
    for (const id of [api.id, vm.id]) {
      expect(await settled(id)).toMatchObject({ status: 'sent', attempts: 4 });
      expect((await history(60, id)).at(-1)).toEqual([4, 2, 'sent']);
    }
    expect(t.fake.published.map((r) => r.message).sort()).toEqual([api.body, vm.body].sort());
  });
});
