import type { Counter } from 'prom-client';
import { DiagnosticsService, MessageOpsService } from '@pbx-sms/operations';
import type { QueueProducer } from '@pbx-sms/queue';
import type { WorkerHandle } from '../src/main';
import { DEST, SENDER, startWorkerTestBed, voicemailEvent, waitFor, type WorkerTestBed } from '@pbx-sms/testing';

/**
 * A voicemail notification stopped by configuration someone switched on but left broken (no
 * valid sender, an extension on without a valid SMS number) ends `failed`, where an alert on
 * failures sees it; one stopped by a switch someone turned off ends `skipped`. Both when the
 * event is processed and when its send re-checks the rules.
 */

let t: WorkerTestBed;
let producer: QueueProducer;
let worker: WorkerHandle;
let ops: MessageOpsService;

const extensions = [
  { extension: '1001', smsNotifications: true, smsNumber: DEST },
  { extension: '1002', smsNotifications: false, smsNumber: DEST },
  { extension: '1003', smsNotifications: true, smsNumber: null },
];

beforeAll(async () => {
  t = await startWorkerTestBed('broken', {
    tenants: [{ id: 80, sender: null }, { id: 81, extensions }, { id: 82 }, { id: 83 }, { id: 84 }, { id: 85 }, { id: 86 }],
  });
  const q = t.queue('broken');
  producer = q.producer;
  worker = await t.startWorker(q.prefix, { TENANT_CONFIG_TTL_MS: '0' });
  ops = new MessageOpsService(t.db.prisma, (job) => producer.requeueSend(job));
});

afterAll(() => t?.close());

async function terminal(where: { id: string } | { tenantId: number; eventId: string }) {
  return waitFor('a terminal message', async () => {
    const m = await t.db.prisma.message.findFirst({ where });
    return m && ['sent', 'failed', 'skipped'].includes(m.status) ? m : null;
  });
}

/** The worker's counter for this code (read from its registry, as /metrics serves it). */
async function count(which: 'failed' | 'skipped', code: string): Promise<number> {
  const counter: Counter = which === 'failed' ? worker.metrics.messagesFailed : worker.metrics.messagesSkipped;
  return (await counter.get()).values.find((v) => v.labels.code === code)?.value ?? 0;
}

async function failedIds(tenantId: number): Promise<string[]> {
  return (await ops.listFailed({ tenantId })).map((m) => m.id);
}

describe('a voicemail event', () => {
  it('for a tenant with no sender number fails with sender_invalid: counted, listed and explained', async () => {
    const before = { failed: await count('failed', 'sender_invalid'), skipped: await count('skipped', 'sender_invalid') };
    const event = voicemailEvent({ tenantId: 80 });
    await producer.publishVoicemailEvent(event);
    const m = await terminal({ tenantId: 80, eventId: event.eventId });
    expect(m).toMatchObject({ status: 'failed', errorCode: 'sender_invalid', attempts: 0 });
    expect(await count('failed', 'sender_invalid')).toBe(before.failed + 1);
    expect(await count('skipped', 'sender_invalid')).toBe(before.skipped);
    expect(await failedIds(80)).toEqual([m.id]);
    const trace = await new DiagnosticsService(t.db.prisma, t.pool).trace(80, m.id);
    expect(trace.explanation).toBe('Failed before any send attempt: No sender number is configured in SMS Settings (sender_invalid).');
    expect(t.fake.requests).toHaveLength(0);
  });

  it('for an extension on without an SMS number fails with destination_missing; for one switched off, is skipped', async () => {
    const failedBefore = await count('failed', 'destination_missing');
    const skippedBefore = await count('skipped', 'destination_missing');
    const broken = voicemailEvent({ tenantId: 81, extension: '1003' });
    const off = voicemailEvent({ tenantId: 81, extension: '1002' });
    await producer.publishVoicemailEvent(broken);
    await producer.publishVoicemailEvent(off);
    const failed = await terminal({ tenantId: 81, eventId: broken.eventId });
    const skipped = await terminal({ tenantId: 81, eventId: off.eventId });
    expect(failed).toMatchObject({ status: 'failed', errorCode: 'destination_missing', errorDetail: 'Extension 1003 has no SMS number' });
    expect(skipped).toMatchObject({ status: 'skipped', errorCode: 'destination_missing', errorDetail: 'SMS notifications are off for extension 1002' });
    expect(await count('failed', 'destination_missing')).toBe(failedBefore + 1);
    expect(await count('skipped', 'destination_missing')).toBe(skippedBefore + 1);
    expect(await failedIds(81)).toEqual([failed.id]);
    expect(t.fake.requests).toHaveLength(0);
  });
});

describe('a voicemail send re-checked at send time', () => {
  it.each([
    [
      'its sender number was disabled',
      'failed',
      'sender_invalid',
      82,
      () => t.db.prisma.smsNumber.updateMany({ where: { tenantId: 82 }, data: { smsEnabled: false } }),
      'event',
    ],
    [
      'its extension lost its SMS number',
      'failed',
      'destination_missing',
      83,
      () => t.db.prisma.extension.updateMany({ where: { tenantId: 83 }, data: { smsNumber: null } }),
      'event',
    ],
    [
      'its extension switched notifications off',
      'skipped',
      'destination_missing',
      84,
      () => t.db.prisma.extension.updateMany({ where: { tenantId: 84 }, data: { smsNotifications: false } }),
      'event',
    ],
    // Through the REST voicemail endpoint: the same table (by kind, not by source).
    [
      'its tenant (REST endpoint) set Active to No',
      'skipped',
      'tenant_inactive',
      85,
      () => t.db.prisma.smsSettings.update({ where: { tenantId: 85 }, data: { active: false } }),
      'rest',
    ],
    [
      'its sender (REST endpoint) was disabled',
      'failed',
      'sender_invalid',
      86,
      () => t.db.prisma.smsNumber.updateMany({ where: { tenantId: 86 }, data: { smsEnabled: false } }),
      'rest',
    ],
  ] as const)('when %s, ends %s with %s, and nothing is sent', async (_label, status, code, tenantId, change, source) => {
    const other = status === 'failed' ? 'skipped' : 'failed';
    const before = { same: await count(status, code), other: await count(other, code) };
    // Accepted while the configuration was whole; changed before the send.
    const m = await t.db.prisma.message.create({
      data: {
        tenantId,
        kind: 'voicemail',
        source,
        eventId: source === 'event' ? `late-${tenantId}` : null,
        extension: '1001',
        from: SENDER,
        to: DEST,
        body: 'New voicemail',
        status: 'queued',
      },
    });
    await change();
    await producer.enqueueSend({ messageId: m.id, tenantId });
    expect(await terminal({ id: m.id })).toMatchObject({ status, errorCode: code, attempts: 0 });
    expect(await count(status, code)).toBe(before.same + 1);
    expect(await count(other, code)).toBe(before.other);
    expect(await failedIds(tenantId)).toEqual(status === 'failed' ? [m.id] : []);
    expect(t.fake.requests).toHaveLength(0);
  });
});
