import { admin, startTestApi, type TestApi } from '@pbx-sms/testing';

/** GET /api/admin/rejected-events: newest first, filtered by tenant and time, cursor-paginated, admin only. */

let t: TestApi;
/** Ids oldest first. */
const ids: string[] = [];
const base = Date.parse('2026-12-01T10:00:00.000Z');

beforeAll(async () => {
  t = await startTestApi('rejected-events');
  // 6 rows, one second apart except two that share a timestamp (the cursor must split ties by id).
  const rows: [number, number | null][] = [
    [0, 59],
    [1, null],
    [2, 4242],
    [2, 59],
    [3, null],
    [4, 59],
  ];
  for (const [i, tenantId] of rows) {
    const r = await t.db.prisma.rejectedEvent.create({
      data: { receivedAt: new Date(base + i * 1000), reason: `invalid event ${ids.length}`, excerpt: '{"callerId":"[redacted]"}', tenantId },
    });
    ids.push(String(r.id));
  }
});
afterAll(async () => {
  await t.close();
});

type Page = { items: { id: string; receivedAt: string; reason: string; tenantId: number | null; excerpt: string }[]; nextCursor: string | null };
const list = (query: string, headers: Record<string, string> = admin) => t.app.inject({ method: 'GET', url: `/api/admin/rejected-events${query}`, headers });

describe('rejected events', () => {
  it('lists them newest first with id, time, reason, tenant and the redacted excerpt', async () => {
    const res = await list('');
    expect(res.statusCode).toBe(200);
    const page = res.json<Page>();
    expect(page.items.map((i) => i.id)).toEqual([...ids].reverse());
    expect(page.nextCursor).toBeNull();
    expect(page.items[0]).toEqual({
      id: ids[5],
      receivedAt: new Date(base + 4000).toISOString(),
      reason: 'invalid event 5',
      tenantId: 59,
      excerpt: '{"callerId":"[redacted]"}',
    });
    expect(page.items[1]).toMatchObject({ id: ids[4], tenantId: null });
  });

  it('pages through every row exactly once, ties on the same millisecond included', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await list(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      const page = res.json<Page>();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor !== null && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
  });

  it('filters by the tenant the payload named, and by time received', async () => {
    const tenant = (await list('?tenantId=59')).json<Page>();
    expect(tenant.items.map((i) => i.id)).toEqual([ids[5], ids[3], ids[0]]);
    const since = (await list(`?since=${encodeURIComponent(new Date(base + 2000).toISOString())}`)).json<Page>();
    expect(since.items.map((i) => i.id)).toEqual([ids[5], ids[4], ids[3], ids[2]]);
    const both = (await list(`?tenantId=59&since=2026-12-01T10:00:01Z&limit=1`)).json<Page>();
    expect(both.items.map((i) => i.id)).toEqual([ids[5]]);
    const next = (await list(`?tenantId=59&since=2026-12-01T10:00:01Z&limit=1&cursor=${both.nextCursor}`)).json<Page>();
    expect(next).toEqual({ items: [expect.objectContaining({ id: ids[3] })], nextCursor: null });
  });

  it.each([
    ['?tenantId=abc', /tenantId/],
    ['?tenantId=0', /tenantId/],
    ['?since=yesterday', /since/],
    ['?limit=0', /limit/],
    ['?limit=501', /limit/],
    ['?cursor=bm90LWEtY3Vyc29y', /cursor/],
    ['?tenant=59', /tenant/],
  ])('refuses %s with 400 invalid_request naming the field', async (query, field) => {
    const res = await list(query);
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'invalid_request', error: expect.stringMatching(field) as unknown });
  });

  it('needs the admin token', async () => {
    expect((await list('', {})).statusCode).toBe(401);
    expect((await list('', { authorization: 'Bearer not-the-admin-token-at-all' })).statusCode).toBe(401);
  });
});
