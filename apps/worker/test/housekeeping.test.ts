import type { QueryConfig } from 'pg';
import { capturingLogger, DEST, SENDER, startWorkerTestBed, waitFor, type WorkerTestBed } from '@pbx-sms/testing';
import { Housekeeping } from '../src/housekeeping';

/** Retention: REJECTED_EVENT_RETENTION_DAYS and MESSAGE_RETENTION_DAYS, applied by the worker's housekeeping. */

jest.setTimeout(30_000);

let t: WorkerTestBed;
beforeAll(async () => {
  t = await startWorkerTestBed('housekeeping', { tenants: [{ id: 59 }] });
});
afterAll(() => t?.close());
// Each test's workers stop before the next test: a periodic pass must not touch its rows.
let mark = 0;
afterEach(() => t.closeSince(mark));
beforeEach(async () => {
  mark = t.opened();
  await t.pool.query('DELETE FROM rejected_events');
  await t.pool.query('DELETE FROM messages');
});

async function rejectedEvent(ageDays: number): Promise<string> {
  const { rows } = await t.pool.query<{ id: string }>(
    `INSERT INTO rejected_events (reason, excerpt, received_at) VALUES ('invalid event', '{}', now() - $1::float8 * interval '1 day') RETURNING id::text`,
    [ageDays],
  );
  return rows[0]!.id;
}

async function message(status: 'queued' | 'sending' | 'sent' | 'failed' | 'skipped', ageDays: number): Promise<string> {
  const m = await t.db.prisma.message.create({
    data: { tenantId: 59, kind: 'api', source: 'rest', from: SENDER, to: DEST, body: `hello ${status}`, status, attempts: 1, segments: 1 },
  });
  await t.pool.query(
    `UPDATE messages SET updated_at = now() - $1::float8 * interval '1 day', created_at = now() - $1::float8 * interval '1 day' WHERE id = $2::uuid`,
    [ageDays, m.id],
  );
  return m.id;
}

const remainingRejected = async () => (await t.pool.query<{ id: string }>('SELECT id::text FROM rejected_events ORDER BY id')).rows.map((r) => r.id);
const row = (id: string) => t.db.prisma.message.findUniqueOrThrow({ where: { id } });

describe('housekeeping', () => {
  it('a running worker deletes rejected events older than 30 days by default, keeps recent ones, and leaves messages whole when MESSAGE_RETENTION_DAYS is unset', async () => {
    const old = await rejectedEvent(31);
    const recent = [await rejectedEvent(29), await rejectedEvent(0)];
    const oldSent = await message('sent', 400);
    const { prefix } = t.queue('hk-default');
    const w = await t.startWorker(prefix, { HOUSEKEEPING_INTERVAL_MS: '1000' });
    // The worker's own periodic pass, not a call from the test.
    await waitFor('old rejected event deleted', async () => !(await remainingRejected()).includes(old));
    expect(await remainingRejected()).toEqual(recent);
    expect(await w.housekeepOnce()).toEqual({ rejectedEventsDeleted: 0, messagesErased: 0 });
    expect(await row(oldSent)).toMatchObject({ body: 'hello sent', to: DEST, from: SENDER, status: 'sent' });
  });

  it('honours REJECTED_EVENT_RETENTION_DAYS', async () => {
    const old = await rejectedEvent(3);
    const kept = await rejectedEvent(1);
    const { prefix } = t.queue('hk-rejected');
    const w = await t.startWorker(prefix, { REJECTED_EVENT_RETENTION_DAYS: '2' });
    expect(await w.housekeepOnce()).toMatchObject({ rejectedEventsDeleted: 1 });
    expect(await remainingRejected()).toEqual([kept]);
    expect(await remainingRejected()).not.toContain(old);
  });

  it('with MESSAGE_RETENTION_DAYS, erases the body and numbers of old terminal messages only, keeping status and counts', async () => {
    const erased = [await message('sent', 8), await message('failed', 8), await message('skipped', 8)];
    const kept = [await message('queued', 8), await message('sending', 8), await message('sent', 6), await message('failed', 0)];
    const { prefix } = t.queue('hk-messages');
    const w = await t.startWorker(prefix, { MESSAGE_RETENTION_DAYS: '7' });
    expect(await w.housekeepOnce()).toMatchObject({ messagesErased: 3 });
    for (const id of erased) {
      const m = await row(id);
      expect(m).toMatchObject({ body: '', to: null, from: null, attempts: 1, segments: 1, tenantId: 59 });
      expect(['sent', 'failed', 'skipped']).toContain(m.status);
    }
    for (const id of kept) {
      const r = await row(id);
      expect(r).toMatchObject({ to: DEST, from: SENDER });
      expect(r.body).toMatch(/^hello /);
    }
    // Idempotent: nothing left to do.
    expect(await w.housekeepOnce()).toMatchObject({ messagesErased: 0 });
  });

  it('works through a backlog in bounded batches until none is left', async () => {
    for (let i = 0; i < 5; i++) await message('sent', 10);
    for (let i = 0; i < 3; i++) await rejectedEvent(40);
    const statements: string[] = [];
    const db = { query: (q: QueryConfig) => (statements.push(q.text), t.pool.query(q)) };
    const h = new Housekeeping({
      db,
      logger: capturingLogger().logger,
      intervalMs: 60_000,
      rejectedEventRetentionDays: 30,
      messageRetentionDays: 7,
      batchSize: 2,
    });
    expect(await h.runOnce()).toEqual({ rejectedEventsDeleted: 3, messagesErased: 5 });
    // 2 + 1 rejected events, then 2 + 2 + 1 messages: one short statement per batch.
    expect(statements).toHaveLength(5);
    expect((await t.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM messages WHERE body <> ''`)).rows[0]?.n).toBe(0);
  });
});
