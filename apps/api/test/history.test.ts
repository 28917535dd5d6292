import { startTestApi, type TestApi, setupTenant } from '@pbx-sms/testing';

/** GET /api/sms/messages: the tenant's own history, filtered, newest first, cursor-paginated. */

let t: TestApi;
let key59: string;
let key60: string;
const ids59: string[] = [];

beforeAll(async () => {
  t = await startTestApi('history');
  key59 = await setupTenant(t, 59);
  key60 = await setupTenant(t, 60);
  // 7 messages for tenant 59 one millisecond apart (oldest first), 2 for tenant 60.
  const base = Date.parse('2026-11-20T10:00:00.000Z');
  for (let i = 0; i < 7; i++) {
    const m = await t.db.prisma.message.create({
      data: {
        tenantId: 59,
        kind: 'api',
        source: 'rest',
        body: `m${i}`,
        to: '+14165551234',
        status: i % 2 === 0 ? 'sent' : 'failed',
        createdAt: new Date(base + i * 1000),
      },
    });
    ids59.push(m.id);
  }
  for (let i = 0; i < 2; i++)
    await t.db.prisma.message.create({ data: { tenantId: 60, kind: 'api', source: 'rest', body: 'x', createdAt: new Date(base + i * 1000) } });
});
afterAll(async () => {
  await t.close();
});

type Page = { items: { id: string; status: string; errorCode?: string }[]; nextCursor: string | null };
const history = (query: string, key = key59) => t.app.inject({ method: 'GET', url: `/api/sms/messages${query}`, headers: { 'x-api-key': key } });

describe('message history', () => {
  it("pages through the tenant's own messages, newest first, with a cursor", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await history(`?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      const body = res.json<Page>();
      seen.push(...body.items.map((m) => m.id));
      cursor = body.nextCursor;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids59].reverse());
  });

  it('filters by status and time window', async () => {
    const res = await history('?status=failed&since=2026-11-20T10:00:02.000Z&until=2026-11-20T10:00:06.000Z');
    expect(res.json<Page>().items.map((m) => m.id)).toEqual([ids59[5], ids59[3]]);
    expect(res.json<Page>().items.every((m) => m.status === 'failed')).toBe(true);
  });

  it("never shows another tenant's messages", async () => {
    const res = await history('?limit=500', key60);
    expect(res.json<Page>().items).toHaveLength(2);
    expect(res.json<Page>().items.map((m) => m.id)).not.toEqual(expect.arrayContaining([ids59[0]]));
  });

  it.each([
    ['?status=lost', /status/],
    ['?since=yesterday', /since/],
    ['?limit=0', /limit/],
    ['?cursor=bm90LWEtY3Vyc29y', /cursor/],
  ])('refuses %s with 400 naming the field', async (query, field) => {
    const res = await history(query);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'invalid_request', error: expect.stringMatching(field) as unknown });
  });

  it('needs a key', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/sms/messages' });
    expect(res.statusCode).toBe(401);
  });
});
