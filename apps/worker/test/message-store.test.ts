import { MessageRepository, createPool, type NewVoicemailMessage } from '@pbx-sms/db/pg';
import { createTestDatabase, type TestDatabase, DEST, SENDER, seedTenant } from '@pbx-sms/testing';
import type { Pool } from 'pg';
import { BatchedMessageStore } from '../src/message-store';

/**
 * The worker's batched writes: voicemail inserts and attempt outcomes of one event-loop turn
 * share one statement, and one part's failure does not fail the other's callers.
 */
let db: TestDatabase;
let pool: Pool;
let statements: string[];

beforeAll(async () => {
  db = await createTestDatabase('msgstore');
  await seedTenant(db.prisma, { id: 59 });
  pool = createPool(db.url, { max: 2 });
});
afterAll(async () => {
  await pool.end();
  await db.cleanup();
});

/** A store over a pool that records the statements it runs. */
function store(): BatchedMessageStore {
  statements = [];
  const recording = {
    query: (text: string, values?: unknown[]) => {
      statements.push(text);
      return pool.query(text, values);
    },
  } as Pool;
  return new BatchedMessageStore(new MessageRepository(recording));
}

let seq = 0;
function message(over: Partial<NewVoicemailMessage> = {}): NewVoicemailMessage {
  return {
    tenantId: 59,
    eventId: `ms-${++seq}`,
    extension: '1001',
    from: SENDER,
    to: DEST,
    body: 'hi',
    status: 'queued',
    errorCode: null,
    errorDetail: null,
    segments: 1,
    encoding: 'GSM-7',
    claim: true,
    ...over,
  };
}

const statusOf = async (id: string) => (await db.prisma.message.findUniqueOrThrow({ where: { id } })).status;

describe('BatchedMessageStore', () => {
  it('writes the inserts and outcomes submitted together in one statement', async () => {
    const s = store();
    const first = await s.insertVoicemailMessage(message());
    statements = [];
    const [second] = await Promise.all([
      s.insertVoicemailMessage(message()),
      s.finishAttempt({
        kind: 'sent',
        id: first.id,
        attempt: 1,
        startedAt: first.claimed!.startedAt,
        providerMessageId: 'pm-1',
        from: SENDER,
        to: DEST,
        durationMs: 3,
      }),
    ]);
    expect(statements).toHaveLength(1);
    expect(second.claimed).toMatchObject({ attempt: 1, tenantId: 59 });
    expect(await statusOf(first.id)).toBe('sent');
    expect(await statusOf(second.id)).toBe('sending');
    const attempts = await db.prisma.messageAttempt.findMany({ where: { messageId: first.id } });
    expect(attempts).toMatchObject([{ attempt: 1, outcome: 'sent', durationMs: 3 }]);
  });

  it('an insert that fails (unknown tenant) fails only its own caller: the outcome beside it is written', async () => {
    const s = store();
    const claimed = await s.insertVoicemailMessage(message());
    statements = [];
    const [bad, sent] = await Promise.allSettled([
      s.insertVoicemailMessage(message({ tenantId: 999_999 })),
      s.finishAttempt({
        kind: 'sent',
        id: claimed.id,
        attempt: 1,
        startedAt: claimed.claimed!.startedAt,
        providerMessageId: 'pm-2',
        from: SENDER,
        to: DEST,
        durationMs: 4,
      }),
    ]);
    expect(bad.status).toBe('rejected');
    expect(String((bad as PromiseRejectedResult).reason)).toMatch(/foreign key/);
    expect(sent.status).toBe('fulfilled');
    // The shared statement, then each part alone.
    expect(statements).toHaveLength(3);
    expect(await statusOf(claimed.id)).toBe('sent');
  });

  it('an outcome written twice (a retried write) leaves one attempt row; a re-claim records the cut-short attempt', async () => {
    const s = store();
    const repo = new MessageRepository(pool);
    const first = await s.insertVoicemailMessage(message());
    // The worker sending attempt 1 died: the Message is still `sending` when claimed again.
    const again = await s.claimForSend(first.id);
    expect(again).toMatchObject({ attempt: 2 });
    const outcome = {
      kind: 'sent' as const,
      id: first.id,
      attempt: 2,
      startedAt: again!.startedAt,
      providerMessageId: 'pm-3',
      from: SENDER,
      to: DEST,
      durationMs: 5,
    };
    await s.finishAttempt(outcome);
    await repo.finishAttempts([outcome]);
    const attempts = await db.prisma.messageAttempt.findMany({ where: { messageId: first.id }, orderBy: { attempt: 'asc' } });
    expect(attempts).toMatchObject([
      { attempt: 1, outcome: 'interrupted', startedAt: first.claimed!.startedAt },
      { attempt: 2, outcome: 'sent', durationMs: 5, startedAt: again!.startedAt },
    ]);
    expect(await db.prisma.message.findUniqueOrThrow({ where: { id: first.id } })).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('a duplicate event in the same batch as its first copy is inserted once', async () => {
    const s = store();
    const m = message();
    const [a, b] = await Promise.all([s.insertVoicemailMessage(m), s.insertVoicemailMessage({ ...m })]);
    expect(a.id).toBe(b.id);
    expect([a.inserted, b.inserted]).toEqual([true, false]);
  });
});
