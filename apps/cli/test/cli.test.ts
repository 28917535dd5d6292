import { createTestDatabase, flushPrefix, testQueuePrefix, testRedisUrl, type TestDatabase } from '@pbx-sms/testing';
import { runCli } from '../src/cli';

type RejectedPage = { items: { id: string }[]; nextCursor: string | null };

let db: TestDatabase;
let env: Record<string, string>;
beforeAll(async () => {
  db = await createTestDatabase('cli');
  env = { DATABASE_URL: db.url, REDIS_URL: testRedisUrl(), QUEUE_PREFIX: testQueuePrefix('cli') };
});
afterAll(async () => {
  await flushPrefix(env.QUEUE_PREFIX!);
  await db.cleanup();
});

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(
    argv,
    env,
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('operator CLI', () => {
  it('migrate is idempotent', async () => {
    const r = await cli('migrate');
    expect(r).toMatchObject({ code: 0, out: expect.stringMatching(/up to date/) as unknown });
  });

  it('round-trips every entity', async () => {
    expect((await cli('tenant', 'put', '7', '--name', 'Seven', '--time-zone', 'Europe/Sarajevo')).code).toBe(0);
    expect((await cli('number', 'put', '7', '+38761123456', '--sms-enabled', 'yes')).code).toBe(0);
    expect((await cli('settings', 'put', '7', '--active', 'yes', '--sender', '+38761123456', '--voicemail', 'yes', '--api', 'no')).code).toBe(0);
    expect((await cli('extension', 'put', '7', '2001', '--sms-notifications', 'yes', '--sms-number', '+12015550150')).code).toBe(0);
    const created = await cli('api-key', 'create', '7', '--permissions', 'sms:send,events:publish', '--name', 'ops');
    expect(created.code).toBe(0);
    const key = JSON.parse(created.out) as { id: string; key: string; permissions: string[] };
    expect(key.permissions).toEqual(['sms:send', 'events:publish']);

    const got: unknown = JSON.parse((await cli('tenant', 'get', '7')).out);
    expect(got).toMatchObject({
      id: 7,
      name: 'Seven',
      timeZone: 'Europe/Sarajevo',
      settings: { active: true, senderNumber: '+38761123456', voicemailEnabled: true, apiEnabled: false },
      numbers: [{ e164: '+38761123456', smsEnabled: true }],
      extensions: [{ extension: '2001', smsNotifications: true, smsNumber: '+12015550150' }],
    });
    const listed = await cli('api-key', 'list', '7');
    expect(listed.out).not.toContain(key.key);
    expect(JSON.parse(listed.out)).toEqual([expect.objectContaining({ id: key.id, name: 'ops', revokedAt: null })]);
    const revoked = JSON.parse((await cli('api-key', 'revoke', '7', key.id)).out) as { revokedAt: string | null };
    expect(revoked.revokedAt).not.toBeNull();
    expect((await cli('extension', 'delete', '7', '2001')).code).toBe(0);
    expect(JSON.parse((await cli('extension', 'list', '7')).out)).toEqual([]);
  });

  it.each([
    [['settings', 'put', '7', '--active', 'maybe', '--sender', 'none', '--voicemail', 'yes', '--api', 'yes'], /--active/],
    [['settings', 'put', '7', '--active', 'yes', '--sender', '+14165550199', '--voicemail', 'yes', '--api', 'yes'], /senderNumber/],
    [
      ['settings', 'put', '7', '--active', 'yes', '--sender', 'none', '--voicemail', 'yes', '--api', 'yes', '--template', 'Ж'.repeat(700)],
      /voicemailTemplate: too long even with every placeholder empty: 11 SMS segments/,
    ],
    [['extension', 'put', '7', '2002', '--sms-notifications', 'yes', '--sms-number', '4165551234'], /smsNumber/],
    [['tenant', 'put', 'x', '--name', 'n'], /tenantId/],
    [['tenant', 'put', '8'], /name/],
    [['number', 'put', '999', '+14165550100'], /Tenant 999 not found/],
  ])('refuses bad input %j with exit 2 and a message naming the field', async (argv, message) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('seed-demo is idempotent and prints a new key each run', async () => {
    const a = await cli('seed-demo');
    const b = await cli('seed-demo');
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    const keyOf = (s: string) => /API key \(shown once\): (\S+)/.exec(s)?.[1];
    expect(keyOf(a.out)).toBeDefined();
    expect(keyOf(a.out)).not.toEqual(keyOf(b.out));
    const tenant: unknown = JSON.parse((await cli('tenant', 'get', '59')).out);
    expect(tenant).toMatchObject({
      settings: { active: true, senderNumber: '+14165550100', voicemailEnabled: true, apiEnabled: true },
      extensions: [{ extension: '1001', smsNotifications: true, smsNumber: '+14165551234' }],
    });
    expect(JSON.parse((await cli('api-key', 'list', '59')).out)).toHaveLength(2);
  });

  it('a bad environment value stops with one line naming the variable', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCli(
      ['tenant', 'list'],
      { ...env, REDIS_URL: 'http://nope' },
      (l) => out.push(l),
      (l) => err.push(l),
    );
    expect(code).toBe(2);
    expect(err).toEqual([expect.stringMatching(/^Invalid configuration: REDIS_URL must be a redis: or rediss: URL/)]);
  });

  describe('operations', () => {
    it('dry-run explains which rule blocks', async () => {
      await cli('seed-demo');
      const ok = await cli('dry-run', '59', '--extension', '1001');
      expect(ok.out).toMatch(/^An SMS to extension 1001 would be sent/);
      await cli('extension', 'put', '59', '1002', '--sms-notifications', 'no', '--sms-number', '+14165551234');
      const blocked = await cli('dry-run', '59', '--extension', '1002');
      expect(blocked.out).toMatch(/^No SMS to extension 1002: SMS notifications are off for extension 1002 \(destination_missing\)/);
      expect(blocked.out).toMatch(/FAIL {2}extension_notifications/);
    });

    it('lists, shows and retries failed messages', async () => {
      const m = await db.prisma.message.create({
        data: { tenantId: 59, kind: 'api', source: 'rest', body: 'x', status: 'failed', errorCode: 'provider_unavailable', attempts: 8 },
      });
      const failed = JSON.parse((await cli('messages', 'failed', '--tenant', '59', '--code', 'provider_unavailable')).out) as { id: string }[];
      expect(failed.map((f) => f.id)).toEqual([m.id]);
      expect(JSON.parse((await cli('messages', 'show', m.id)).out)).toMatchObject({
        id: m.id,
        status: 'failed',
        explanation: expect.stringMatching(/Failed after 8 attempt/) as unknown,
      });
      const r = await cli('messages', 'retry-all', '--tenant', '59');
      expect(JSON.parse(r.out)).toEqual({ retried: 1, ids: [m.id], skippedErased: 0 });
      expect((await db.prisma.message.findUniqueOrThrow({ where: { id: m.id } })).status).toBe('queued');
      expect((await cli('messages', 'retry', 'not-an-id')).code).toBe(2);
    });

    it('refuses to retry a message erased by retention, naming why (exit 2)', async () => {
      const m = await db.prisma.message.create({
        data: { tenantId: 59, kind: 'api', source: 'rest', body: '', status: 'failed', errorCode: 'provider_unavailable', attempts: 8 },
      });
      const r = await cli('messages', 'retry', m.id);
      expect(r.code).toBe(2);
      expect(r.err).toBe(
        `error (invalid_request): Message ${m.id} was erased by retention (MESSAGE_RETENTION_DAYS): its text and numbers are gone, so it cannot be sent again`,
      );
      expect((await db.prisma.message.findUniqueOrThrow({ where: { id: m.id } })).status).toBe('failed');
    });

    it('publishes a test voicemail event', async () => {
      const r = await cli('event', 'publish', '59', '1001', '--caller-id', '+12015550150', '--duration', '42');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out)).toMatchObject({ status: 'queued', eventId: expect.stringMatching(/^cli-/) as unknown });
      expect((await cli('event', 'publish', '59', 'bad ext!')).err).toMatch(/extension/);
    });

    it("lists rejected events through the admin API's service: newest first, by tenant, paged", async () => {
      const at = (s: number) => new Date(Date.parse('2026-12-01T10:00:00Z') + s * 1000);
      const a = await db.prisma.rejectedEvent.create({
        data: { receivedAt: at(0), reason: 'unknown tenant 4242', excerpt: '{"tenantId":4242}', tenantId: 4242 },
      });
      const b = await db.prisma.rejectedEvent.create({
        data: { receivedAt: at(1), reason: 'invalid event: extension', excerpt: '{"tenantId":59}', tenantId: 59 },
      });
      const c = await db.prisma.rejectedEvent.create({
        data: { receivedAt: at(2), reason: 'invalid event: tenantId', excerpt: '{"tenantId":"x"}', tenantId: null },
      });
      const all = JSON.parse((await cli('rejected-events', 'list')).out) as RejectedPage;
      expect(all.items.map((i) => i.id)).toEqual([c.id, b.id, a.id].map(String));
      expect(all.items[1]).toEqual({
        id: String(b.id),
        receivedAt: at(1).toISOString(),
        reason: 'invalid event: extension',
        tenantId: 59,
        excerpt: '{"tenantId":59}',
      });
      expect((JSON.parse((await cli('rejected-events', 'list', '--tenant', '59')).out) as RejectedPage).items.map((i) => i.id)).toEqual([String(b.id)]);
      const first = JSON.parse((await cli('rejected-events', 'list', '--since', at(1).toISOString(), '--limit', '1')).out) as RejectedPage;
      expect(first.items.map((i) => i.id)).toEqual([String(c.id)]);
      const second: unknown = JSON.parse(
        (await cli('rejected-events', 'list', '--since', at(1).toISOString(), '--limit', '1', '--cursor', first.nextCursor!)).out,
      );
      expect(second).toEqual({ items: [expect.objectContaining({ id: String(b.id) })], nextCursor: null });
      for (const [flag, value, field] of [
        ['--since', 'yesterday', /since/],
        ['--tenant', 'x', /tenantId/],
        ['--limit', '0', /limit/],
        ['--cursor', 'bm9wZQ', /cursor/],
      ] as const) {
        const r = await cli('rejected-events', 'list', flag, value);
        expect({ code: r.code, err: r.err }).toEqual({ code: 2, err: expect.stringMatching(field) as unknown });
      }
    });

    it('shows the queues', async () => {
      const r = await cli('queues');
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^sms-send: waiting \d+, delayed \d+, active \d+, completed \d+, failed \d+/m);
      expect(r.out).toMatch(/^voicemail-events: waiting [1-9]/m);
    });
  });
});
