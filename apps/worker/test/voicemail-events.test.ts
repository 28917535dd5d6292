import type { QueueProducer } from '@pbx-sms/queue';
import type { WorkerHandle } from '../src/main';
import { DEST, SENDER, capturingLogger, startWorkerTestBed, voicemailEvent, waitFor, type WorkerTestBed } from '@pbx-sms/testing';

let t: WorkerTestBed;
let producer: QueueProducer;
let worker: WorkerHandle;
const log = capturingLogger();

beforeAll(async () => {
  t = await startWorkerTestBed('vmevents', {
    // Tenants for each rule outcome.
    tenants: [
      {
        id: 59,
        extensions: [
          { extension: '1001', smsNotifications: true, smsNumber: DEST },
          { extension: '1002', smsNotifications: false, smsNumber: '+14165551235' },
          { extension: '1003', smsNotifications: true, smsNumber: null },
          { extension: '1004', smsNotifications: true, smsNumber: '+15555550100' },
        ],
      },
      { id: 60, active: false },
      { id: 61, voicemailEnabled: false },
      { id: 62, sender: null },
      { id: 63, senderSmsEnabled: false },
      { id: 64, timeZone: 'America/Toronto', voicemailTemplate: '{{callerName}} left {{duration}} at {{time}} on {{date}} for {{extension}}' },
    ],
  });
  const q = t.queue('vm');
  producer = q.producer;
  worker = await t.startWorker(q.prefix, {}, { logger: log.logger });
});

afterAll(() => t?.close());

async function terminal(tenantId: number, eventId: string) {
  return waitFor(`terminal message for ${eventId}`, async () => {
    const m = await t.db.prisma.message.findUnique({ where: { tenantId_eventId: { tenantId, eventId } } });
    return m && ['sent', 'failed', 'skipped'].includes(m.status) ? m : null;
  });
}

describe('voicemail events', () => {
  it('when every rule passes, the event becomes one Message, sent from the sender to the extension number', async () => {
    const event = voicemailEvent({ callerName: 'Alice' });
    await producer.publishVoicemailEvent(event);
    const m = await terminal(59, event.eventId);
    expect(m).toMatchObject({
      kind: 'voicemail',
      source: 'event',
      status: 'sent',
      from: SENDER,
      to: DEST,
      extension: '1001',
      attempts: 1,
      errorCode: null,
      body: 'New voicemail from Alice <+12015550150> (0:42) for extension 1001.',
      segments: 1,
      encoding: 'GSM-7',
    });
    expect(m.providerMessageId).toBeTruthy();
    expect(m.sentAt).toBeInstanceOf(Date);
    const published = t.fake.published.filter((r) => r.message === m.body);
    expect(published).toHaveLength(1);
    expect(published[0]).toMatchObject({ phoneNumber: DEST, originationNumber: SENDER, smsType: 'Transactional' });
    const attempts = await t.db.prisma.messageAttempt.findMany({ where: { messageId: m.id } });
    expect(attempts).toMatchObject([{ attempt: 1, outcome: 'sent' }]);
  });

  // Skipped where someone switched something off; failed where something switched on is broken.
  it.each([
    ['the tenant is not Active', 'skipped', 'tenant_inactive', 60, '1001', /Active is set to No/],
    ['voicemail notifications are off', 'skipped', 'voicemail_disabled', 61, '1001', /Voicemail notifications are set to No/],
    ['no sender number is configured', 'failed', 'sender_invalid', 62, '1001', /No sender number/],
    ['the sender number is not SMS-enabled', 'failed', 'sender_invalid', 63, '1001', /not SMS-enabled/],
    ['the extension is unknown', 'skipped', 'extension_not_found', 59, '1999', /not configured/],
    ['the extension has notifications off', 'skipped', 'destination_missing', 59, '1002', /SMS notifications are off/],
    ['the extension has no SMS number', 'failed', 'destination_missing', 59, '1003', /has no SMS number/],
    ['the extension number is not valid', 'failed', 'destination_missing', 59, '1004', /not a valid \+E\.164/],
  ])('when %s, the Message is %s with %s and the rule explained, and nothing is sent', async (_label, status, code, tenantId, extension, explanation) => {
    const event = voicemailEvent({ tenantId, extension });
    const before = t.fake.requests.length;
    await producer.publishVoicemailEvent(event);
    const m = await terminal(tenantId, event.eventId);
    expect(m).toMatchObject({ status, errorCode: code, attempts: 0 });
    expect(m.errorDetail).toMatch(explanation);
    expect(t.fake.requests.length).toBe(before);
  });

  it('renders the tenant template in the tenant time zone', async () => {
    const event = voicemailEvent({ tenantId: 64, callerName: 'Alice', durationSeconds: 75, receivedAt: '2026-11-25T14:05:00Z' });
    await producer.publishVoicemailEvent(event);
    const m = await terminal(64, event.eventId);
    expect(m.body).toBe('Alice left 1:15 at 09:05 on 2026-11-25 for 1001');
  });

  it('a repeated eventId creates nothing new, whenever it arrives', async () => {
    const event = voicemailEvent();
    await producer.publishVoicemailEvent(event);
    const first = await terminal(59, event.eventId);
    // Same job id while the first job is kept in Redis: BullMQ ignores it.
    await producer.publishVoicemailEvent(event);
    // A different job id (as after Redis lost its data, or a PBX re-publishing): Postgres dedups.
    await producer.voicemailQueue.add('voicemail.received', event, { jobId: `replay-${event.eventId}` });
    await waitFor('replayed job to finish', async () => (await producer.voicemailQueue.getJobState(`replay-${event.eventId}`)) === 'completed');
    const rows = await t.db.prisma.message.findMany({ where: { tenantId: 59, eventId: event.eventId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id).toBe(first.id);
    expect(t.fake.published.filter((r) => r.message === first.body)).toHaveLength(1);
    const line = log.lines().find((l) => l.jobId === `replay-${event.eventId}`);
    expect(line).toMatchObject({ outcome: 'duplicate', messageId: first.id });
  });

  it('a malformed event is recorded as rejected, with a redacted excerpt, and the job completes without retries', async () => {
    const jobId = `bad-${Date.now()}`;
    await producer.voicemailQueue.add(
      'voicemail.received',
      { tenantId: 'x', extension: '1001', callerId: '+12015550150', note: 'call +1 201 555 0150' },
      { jobId, attempts: 5 },
    );
    await waitFor('malformed job to complete', async () => (await producer.voicemailQueue.getJobState(jobId)) === 'completed');
    const job = await producer.voicemailQueue.getJob(jobId);
    // Completed on its first and only attempt.
    expect(job?.attemptsMade).toBe(1);
    expect(job?.failedReason).toBeFalsy();
    const rejected = await t.db.prisma.rejectedEvent.findMany();
    const row = rejected.find((r) => r.reason.includes('tenantId'));
    expect(row?.reason).toMatch(/^invalid event: .*eventId.*tenantId/);
    expect(row?.excerpt).toContain('"extension":"1001"');
    expect(row?.excerpt).not.toMatch(/2015550150|201 555 0150/);
    expect(row?.tenantId).toBeNull();
  });

  it.each([
    ['a numeric tenantId', 59, 59],
    ['a tenantId string of digits', '61', 61],
    ['an out-of-range tenantId', 2_147_483_648, null],
  ])('a malformed event with %s keeps the tenant it named, for filtering', async (_what, tenantId, stored) => {
    // Letters only: digit runs in an excerpt are masked as phone-like.
    const marker = `marker-${Math.random()
      .toString(36)
      .replace(/[^a-z]/g, '')}`;
    await producer.voicemailQueue.add('voicemail.received', { tenantId, extension: 'no spaces allowed', note: marker });
    const row = await waitFor('rejection', async () => (await t.db.prisma.rejectedEvent.findMany()).find((r) => r.excerpt.includes(marker)));
    expect(row.tenantId).toBe(stored);
  });

  it('an event for an unknown tenant is recorded as rejected and creates no Message', async () => {
    const event = voicemailEvent({ tenantId: 4242 });
    await producer.publishVoicemailEvent(event);
    const row = await waitFor('rejection', async () => (await t.db.prisma.rejectedEvent.findMany()).find((r) => r.reason === 'unknown tenant 4242'));
    expect(row.tenantId).toBe(4242);
    expect(await t.db.prisma.message.count({ where: { tenantId: 4242 } })).toBe(0);
  });

  it('logs one JSON line per job outcome with ids and codes, never numbers or bodies', async () => {
    const lines = log.lines().filter((l) => l.queue);
    expect(lines.some((l) => l.queue === 'voicemail-events' && l.outcome === 'queued' && typeof l.messageId === 'string' && l.tenantId === 59)).toBe(true);
    expect(lines.some((l) => l.queue === 'sms-send' && l.outcome === 'sent' && l.attempt === 1 && typeof l.durationMs === 'number')).toBe(true);
    expect(lines.some((l) => l.outcome === 'skipped' && l.errorCode === 'tenant_inactive')).toBe(true);
    const raw = log.raw();
    expect(raw).not.toContain('4165551234');
    expect(raw).not.toContain('4165550100');
    expect(raw).not.toContain('New voicemail from');
  });

  it('answers /health and /ready', async () => {
    const health = await fetch(`http://127.0.0.1:${worker.port}/health`);
    expect(health.status).toBe(200);
    const ready = await fetch(`http://127.0.0.1:${worker.port}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
  });
});
