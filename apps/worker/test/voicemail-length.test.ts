import { DEFAULT_VOICEMAIL_TEMPLATE, measureMessage, templateBudget } from '@pbx-sms/core';
import type { QueueProducer } from '@pbx-sms/queue';
import { DEST, startWorkerTestBed, voicemailEvent, waitFor, type WorkerTestBed } from '@pbx-sms/testing';

/** Voicemail texts obey the length rule: caller parts cut to the template's budget at send time. */

const RU_TEMPLATE = 'Новое голосовое сообщение для {{extension}} от {{callerName}}';
// Saved before templates were checked: over 10 segments even with no caller.
const TOO_LONG_TEMPLATE = `${'Ж'.repeat(700)} {{callerName}}`;

let t: WorkerTestBed;
let producer: QueueProducer;

beforeAll(async () => {
  t = await startWorkerTestBed('vmlength', {
    tenants: [{ id: 59 }, { id: 71, voicemailTemplate: RU_TEMPLATE }, { id: 72, voicemailTemplate: TOO_LONG_TEMPLATE }],
  });
  const q = t.queue('vm');
  producer = q.producer;
  await t.startWorker(q.prefix);
});

afterAll(() => t?.close());

async function terminal(tenantId: number, eventId: string) {
  return waitFor(`terminal message for ${eventId}`, async () => {
    const m = await t.db.prisma.message.findUnique({ where: { tenantId_eventId: { tenantId, eventId } } });
    return m && ['sent', 'failed', 'skipped'].includes(m.status) ? m : null;
  });
}

async function sentAtFakeSns(tenantId: number, callerName: string) {
  const event = voicemailEvent({ tenantId, callerName });
  await producer.publishVoicemailEvent(event);
  const m = await terminal(tenantId, event.eventId);
  expect(m).toMatchObject({ status: 'sent', to: DEST });
  const published = t.fake.published.filter((r) => r.message === m.body);
  expect(published).toHaveLength(1);
  // What the Message records is what was sent.
  const sent = measureMessage(published[0]!.message ?? '');
  expect({ segments: m.segments, encoding: m.encoding }).toEqual({ segments: sent.segments, encoding: sent.encoding });
  return { m, sent };
}

describe('voicemail text length', () => {
  it('a 300-character Unicode caller name is cut with … to the budget of a UCS-2 template', async () => {
    const name = 'Александра Константинопольская '.repeat(10).slice(0, 300);
    const { m, sent } = await sentAtFakeSns(71, name);
    expect(m.body.startsWith('Новое голосовое сообщение для 1001 от Александра')).toBe(true);
    expect(m.body.endsWith('…')).toBe(true);
    expect(sent.encoding).toBe('UCS-2');
    expect(sent.segments).toBeLessThanOrEqual(templateBudget(RU_TEMPLATE).segments);
  });

  it('with the GSM-7 default template, a long name with an emoji stays GSM-7 in its one segment', async () => {
    const name = `Анна 😀 ${'Мария '.repeat(50)}`;
    const { m, sent } = await sentAtFakeSns(59, name);
    expect(m.body).toMatch(/^New voicemail from Anna (Mariya )+[A-Za-z]*\.\.\. <\+12015550150> \(0:42\) for extension 1001\.$/);
    expect(sent).toMatchObject({ segments: templateBudget(DEFAULT_VOICEMAIL_TEMPLATE).segments, encoding: 'GSM-7' });
  });

  it('a template over the hard limit even without its caller is refused by the length rule, and nothing is sent', async () => {
    const event = voicemailEvent({ tenantId: 72 });
    const before = t.fake.requests.length;
    await producer.publishVoicemailEvent(event);
    const m = await terminal(72, event.eventId);
    // skipped or failed: which one is the rule outcomes' business, not the length's.
    expect(['skipped', 'failed']).toContain(m.status);
    expect(m).toMatchObject({ errorCode: 'message_too_long', attempts: 0 });
    expect(m.errorDetail).toMatch(/11 SMS segments/);
    expect(t.fake.requests.length).toBe(before);
  });
});
