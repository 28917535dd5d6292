import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import { createPool, createPrisma, type PrismaClient } from '@pbx-sms/db';
import { createRedis, QueueProducer } from '@pbx-sms/queue';
import { testRedisUrl, startTestApi, type TestApi, actionUrl, b64, countJobs, countMessages, DEST, expectAccepted, setupTenant, sleep } from '@pbx-sms/testing';
import { buildApp } from '../src/app';
import type { ApiDeps } from '../src/deps';

/**
 * Redis or Postgres down: the caller gets 503 with Retry-After, quickly, and nothing is
 * half-written (no row without a job, no job without a row). Outages are real: closed ports,
 * and TCP proxies in front of the real services that the test cuts.
 */

const UNAVAILABLE_QUEUE = '{"error":"The message queue is unavailable, retry later","code":"unavailable"}';
const UNAVAILABLE = '{"error":"Service temporarily unavailable, retry later","code":"unavailable"}';

let t: TestApi;
let key: string;
beforeAll(async () => {
  t = await startTestApi('outages');
  key = await setupTenant(t, 59);
});
afterAll(async () => {
  await t.close();
});

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

/** A TCP proxy to a real service; cut() closes it and every connection through it. */
async function tcpProxy(target: string): Promise<{ port: number; cut(): Promise<void> }> {
  const u = new URL(target);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(u.port || (u.protocol === 'redis:' ? 6379 : 5432)), u.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    async cut() {
      const closed = new Promise((r) => server.close(r));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}

function withPort(url: string, port: number): string {
  const u = new URL(url);
  u.port = String(port);
  return u.toString();
}

interface Variant {
  app: FastifyInstance;
  close(): Promise<void>;
}

/** The API over the test's database and queue prefix, with Redis and/or Postgres reached elsewhere. */
async function variant(opts: { redisUrl?: string; databaseUrl?: string }): Promise<Variant> {
  let redis: Redis | undefined;
  let producer: QueueProducer | undefined;
  let prisma: PrismaClient | undefined;
  let pool: Pool | undefined;
  const deps: ApiDeps = { ...t.deps };
  if (opts.redisUrl !== undefined) {
    redis = createRedis(opts.redisUrl, 'producer', { enableOfflineQueue: true, disconnectTimeout: 100 });
    producer = new QueueProducer(redis, t.prefix);
    Object.assign(deps, { redis, producer });
  }
  if (opts.databaseUrl !== undefined) {
    prisma = createPrisma(opts.databaseUrl, { max: 2 });
    pool = createPool(opts.databaseUrl, { max: 4, connectionTimeoutMillis: 2_000 });
    Object.assign(deps, { prisma, pool });
  }
  const app = await buildApp(deps);
  await app.ready();
  return {
    app,
    async close() {
      await app.close();
      await producer?.close().catch(() => undefined);
      redis?.disconnect();
      await pool?.end().catch(() => undefined);
      await prisma?.$disconnect().catch(() => undefined);
    },
  };
}

const sendRest = (app: FastifyInstance, message = 'outage') =>
  app.inject({ method: 'POST', url: '/api/sms/send', headers: { 'x-api-key': key }, payload: { to: DEST, message } });
const sendAction = (app: FastifyInstance) =>
  app.inject({ method: 'GET', url: actionUrl({ action: 'pbxware.sms.send_message', apikey: key, server: 59, to_number: DEST, body: b64('outage') }) });

async function expect503(res: { statusCode: number; headers: Record<string, unknown>; body: string }, body: string): Promise<void> {
  expect(res.statusCode).toBe(503);
  expect(res.headers['retry-after']).toBe('5');
  expect(res.body).toBe(body);
}

async function timed<T>(f: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await f();
  return { value, ms: Date.now() - started };
}

describe('Redis unreachable (producer pointed at a closed port)', () => {
  let v: Variant;
  beforeAll(async () => {
    v = await variant({ redisUrl: `redis://127.0.0.1:${await closedPort()}` });
  });
  afterAll(async () => {
    await v.close();
  });

  it('sends answer 503 with Retry-After at once, and write nothing', async () => {
    const before = await countMessages(t);
    for (const send of [() => sendRest(v.app), () => sendAction(v.app)]) {
      const { value: res, ms } = await timed(send);
      await expect503(res, UNAVAILABLE_QUEUE);
      expect(ms).toBeLessThan(1000);
    }
    const vm = await v.app.inject({ method: 'POST', url: '/api/sms/notifications/voicemail', headers: { 'x-api-key': key }, payload: { extension: '1001' } });
    await expect503(vm, UNAVAILABLE_QUEUE);
    expect(await countMessages(t)).toBe(before);
  });

  it('events answer 503', async () => {
    const res = await v.app.inject({
      method: 'POST',
      url: '/api/events/voicemail',
      headers: { authorization: `Bearer ${t.deps.config.ADMIN_TOKEN}` },
      payload: { eventId: 'e-redis-down', tenantId: 59, extension: '1001', receivedAt: '2026-11-25T10:00:00Z' },
    });
    await expect503(res, UNAVAILABLE_QUEUE);
  });

  it('status reads still work', async () => {
    const id = await expectAccepted(t, await sendRest(t.app));
    const res = await v.app.inject({ method: 'GET', url: `/api/sms/messages/${id}`, headers: { 'x-api-key': key } });
    expect(res.statusCode).toBe(200);
  });
});

describe('Postgres unreachable (closed port)', () => {
  let v: Variant;
  beforeAll(async () => {
    v = await variant({ databaseUrl: withPort(t.db.url, await closedPort()) });
  });
  afterAll(async () => {
    await v.close();
  });

  it('sends and status reads answer 503 with Retry-After, quickly', async () => {
    const before = await countMessages(t);
    for (const send of [
      () => sendRest(v.app),
      () => sendAction(v.app),
      () => v.app.inject({ method: 'GET', url: `/api/sms/messages/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`, headers: { 'x-api-key': key } }),
    ]) {
      const { value: res, ms } = await timed(send);
      await expect503(res, UNAVAILABLE);
      expect(ms).toBeLessThan(2500);
    }
    expect(await countMessages(t)).toBe(before);
  });

  it("an event with the admin token is still queued (Redis is the event's store; the worker dedups)", async () => {
    const e = { eventId: 'e-pg-down', tenantId: 59, extension: '1001', receivedAt: '2026-11-25T10:00:00Z' };
    const res = await v.app.inject({
      method: 'POST',
      url: '/api/events/voicemail',
      headers: { authorization: `Bearer ${t.deps.config.ADMIN_TOKEN}` },
      payload: e,
    });
    expect(res.statusCode).toBe(202);
    expect(res.body).toBe('{"status":"queued"}');
  });
});

describe('Postgres goes down while the API runs (caches warm)', () => {
  it('the INSERT fails: 503 to every request of the batch, no row, no job', async () => {
    const proxy = await tcpProxy(t.db.url);
    const v = await variant({ databaseUrl: withPort(t.db.url, proxy.port) });
    try {
      await expectAccepted(t, await sendRest(v.app, 'while up'));
      await proxy.cut();
      const [messages, jobs] = [await countMessages(t), await countJobs(t)];
      const { value: answers, ms } = await timed(() => Promise.all([1, 2, 3].map((i) => sendRest(v.app, `while down ${i}`))));
      for (const res of answers) await expect503(res, UNAVAILABLE);
      expect(ms).toBeLessThan(2500);
      expect(await countMessages(t)).toBe(messages);
      expect(await countJobs(t)).toBe(jobs);
    } finally {
      await v.close();
      await proxy.cut();
    }
  });
});

describe('Redis goes down while the API runs', () => {
  it('answers 503 at once, and writes nothing', async () => {
    const proxy = await tcpProxy(testRedisUrl());
    const v = await variant({ redisUrl: `redis://127.0.0.1:${proxy.port}` });
    try {
      for (let i = 0; i < 50 && (await sendRest(v.app, 'warm-up')).statusCode !== 202; i++) await sleep(20);
      await proxy.cut();
      const before = await countMessages(t);
      const { value: res, ms } = await timed(() => sendRest(v.app, 'while down'));
      // Refused by the connection check, or by the rate-limit command failing on the cut connection.
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect([UNAVAILABLE_QUEUE, UNAVAILABLE]).toContain(res.body);
      expect(ms).toBeLessThan(1000);
      expect(await countMessages(t)).toBe(before);
    } finally {
      await v.close();
      await proxy.cut();
    }
  });
});

describe('the enqueue fails after the row is written', () => {
  it('withdraws the row and answers 503; the next request goes through', async () => {
    const idKey = `${t.prefix}:sms-send:id`;
    await t.deps.redis.set(idKey, 'not-a-counter');
    try {
      const [messages, jobs] = [await countMessages(t), await countJobs(t)];
      const answers = await Promise.all(Array.from({ length: 5 }, (_, i) => sendRest(t.app, `enqueue fails ${i}`)));
      for (const res of answers) await expect503(res, UNAVAILABLE_QUEUE);
      expect(await countMessages(t)).toBe(messages);
      expect(await countJobs(t)).toBe(jobs);
    } finally {
      await t.deps.redis.del(idKey);
    }
    await expectAccepted(t, await sendRest(t.app, 'after'));
  });
});
