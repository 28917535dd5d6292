import { Writable } from 'node:stream';
import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import { loadConfig, workerSchema, type WorkerConfig } from '@pbx-sms/config';
import { createPool, createPrisma, type PrismaClient } from '@pbx-sms/db';
import { createLogger, type Logger } from '@pbx-sms/observability';
import { QueueProducer, createRedis } from '@pbx-sms/queue';
import { FakeSnsServer, createTestDatabase, flushPrefix, testQueuePrefix, testRedisUrl, type TestDatabase } from '@pbx-sms/testing';
import type { WorkerDeps } from '../src/compose';
import { startWorker, type WorkerHandle } from '../src/main';

export const SNS_CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' };

export function workerConfig(env: { databaseUrl: string; prefix: string; snsUrl?: string } & Record<string, string | undefined>): WorkerConfig {
  const { databaseUrl, prefix, snsUrl, ...rest } = env;
  return loadConfig(workerSchema, {
    DATABASE_URL: databaseUrl,
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: prefix,
    SMS_PROVIDER: snsUrl ? 'sns' : 'local',
    SNS_ENDPOINT: snsUrl,
    METRICS_PORT: '0',
    LOG_LEVEL: 'debug',
    PROVIDER_TIMEOUT_MS: '300',
    SEND_BACKOFF_MS: '20',
    SHUTDOWN_TIMEOUT_MS: '5000',
    RECONCILE_INTERVAL_MS: '3600000',
    WORKER_CONCURRENCY: '8',
    TENANT_RATE_PER_SEC: '1000',
    ...rest,
  });
}

/**
 * The environment of a built worker process (`node apps/worker/dist/main.js`) sending through
 * the fake SNS: the part every child-process test shares; callers add their own settings.
 */
export function childWorkerEnv(o: { databaseUrl: string; redisUrl: string; prefix: string; snsUrl: string }): Record<string, string> {
  return {
    DATABASE_URL: o.databaseUrl,
    REDIS_URL: o.redisUrl,
    QUEUE_PREFIX: o.prefix,
    SMS_PROVIDER: 'sns',
    SNS_ENDPOINT: o.snsUrl,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: SNS_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: SNS_CREDENTIALS.secretAccessKey,
    METRICS_PORT: '0',
    LOG_LEVEL: 'info',
    TENANT_RATE_PER_SEC: '100000',
  };
}

/** A real pino logger whose JSON lines the test can read. */
export function capturingLogger(): { logger: Logger; lines: () => Record<string, unknown>[]; raw: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString('utf8'));
      cb();
    },
  });
  const logger = createLogger({ level: 'debug', name: 'worker', destination: stream });
  const raw = () => chunks.join('');
  return {
    logger,
    raw,
    lines: () =>
      raw()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

export interface TenantSeed {
  id?: number;
  active?: boolean;
  voicemailEnabled?: boolean;
  apiEnabled?: boolean;
  /** null: no sender configured. */
  sender?: string | null;
  senderSmsEnabled?: boolean;
  voicemailTemplate?: string | null;
  timeZone?: string;
  extensions?: { extension: string; smsNotifications: boolean; smsNumber: string | null }[];
}

export const SENDER = '+14165550100';
export const EXT_NUMBER = '+14165551234';

/** Tenant, its numbers, SMS settings and extensions, as the admin API would store them. */
export async function seedTenant(prisma: PrismaClient, seed: TenantSeed = {}): Promise<number> {
  const id = seed.id ?? 59;
  await prisma.tenant.create({ data: { id, name: `Tenant ${id}`, timeZone: seed.timeZone ?? 'UTC' } });
  let senderNumberId: number | null = null;
  const sender = seed.sender === undefined ? SENDER : seed.sender;
  if (sender !== null) {
    const n = await prisma.smsNumber.create({ data: { tenantId: id, e164: sender, smsEnabled: seed.senderSmsEnabled ?? true } });
    senderNumberId = n.id;
  }
  await prisma.smsSettings.create({
    data: {
      tenantId: id,
      active: seed.active ?? true,
      voicemailEnabled: seed.voicemailEnabled ?? true,
      apiEnabled: seed.apiEnabled ?? true,
      senderNumberId,
      voicemailTemplate: seed.voicemailTemplate ?? null,
    },
  });
  for (const e of seed.extensions ?? [{ extension: '1001', smsNotifications: true, smsNumber: EXT_NUMBER }]) {
    await prisma.extension.create({ data: { tenantId: id, ...e } });
  }
  return id;
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 10_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

let eventCounter = 0;
export function voicemailEvent(over: Record<string, unknown> = {}) {
  eventCounter++;
  return {
    eventId: `evt-${Date.now()}-${eventCounter}`,
    tenantId: 59,
    extension: '1001',
    callerId: '+12015550150',
    callerName: `Caller ${eventCounter}`,
    durationSeconds: 42,
    receivedAt: '2026-11-25T14:05:00Z',
    ...over,
  };
}

/**
 * What the worker, fault and security tests set up in beforeAll: the file's own Postgres schema
 * with its tenants seeded, a fake SNS, the producer side's Redis connection, and the queue
 * prefixes, producers and in-process workers the file opens. `close()` (afterAll) stops the
 * workers, then the producers, and removes the rest; a test that stops its own workers earlier
 * may (closing twice is harmless).
 */
export interface WorkerTestBed {
  /** The file's own schema; with `databaseUrl`, that database (left in place by `close`). */
  db: { url: string; prisma: PrismaClient };
  /** Raw SQL on `db` (at most 2 connections, opened on first use). */
  pool: Pool;
  fake: FakeSnsServer;
  /** The producer side's Redis connection. */
  redis: Redis;
  /** A queue prefix of the file's own, flushed at `close`. */
  prefix(label: string): string;
  /** A new prefix and a producer on it (closed at `close`). */
  queue(label: string): { prefix: string; producer: QueueProducer };
  /** An in-process worker on `prefix` sending through the fake SNS, without a reconciler unless `deps` says otherwise. */
  startWorker(prefix: string, env?: Record<string, string | undefined>, deps?: WorkerDeps): Promise<WorkerHandle>;
  /** A mark for `closeSince`: how many workers and producers were opened so far. */
  opened(): number;
  /** Stops the workers, then closes the producers, opened since `mark` (a test's own, in afterEach). */
  closeSince(mark: number): Promise<void>;
  close(): Promise<void>;
}

export interface WorkerTestBedOptions {
  /** Seeded in this order. */
  tenants?: TenantSeed[];
  /** An existing, migrated database (e.g. a cluster of the test's own) instead of a new schema. */
  databaseUrl?: string;
  /** Default: the shared test Redis, as a producer connection. */
  redisUrl?: string;
  redisRole?: 'producer' | 'worker';
}

export async function startWorkerTestBed(label: string, opts: WorkerTestBedOptions = {}): Promise<WorkerTestBed> {
  const redisUrl = opts.redisUrl ?? testRedisUrl();
  let testDb: TestDatabase | undefined;
  let prisma: PrismaClient | undefined;
  let fake: FakeSnsServer | undefined;
  let redis: Redis | undefined;
  let pool: Pool | undefined;
  const prefixes: string[] = [];
  const open: { kind: 'worker' | 'producer'; close(): Promise<void> }[] = [];

  const closeSince = async (mark: number) => {
    const items = open.splice(mark);
    for (const kind of ['worker', 'producer']) for (const o of items) if (o.kind === kind) await o.close();
  };
  // Every step runs, even after one failed; the first failure is thrown at the end.
  const close = async () => {
    const errors: unknown[] = [];
    const step = async (f: () => unknown) => {
      try {
        await f();
      } catch (err) {
        errors.push(err);
      }
    };
    await step(() => closeSince(0));
    await step(() => redis?.disconnect());
    await step(() => fake?.close());
    for (const p of prefixes) await step(() => flushPrefix(p, redisUrl));
    await step(() => pool?.end());
    await step(() => (testDb ? testDb.cleanup() : prisma?.$disconnect()));
    if (errors.length > 0) throw errors[0];
  };

  try {
    if (opts.databaseUrl !== undefined) prisma = createPrisma(opts.databaseUrl, { max: 2 });
    else ({ prisma } = testDb = await createTestDatabase(label));
    const db = { url: testDb?.url ?? opts.databaseUrl!, prisma };
    fake = await FakeSnsServer.start();
    redis = createRedis(redisUrl, opts.redisRole ?? 'producer');
    pool = createPool(db.url, { max: 2 });
    for (const tenant of opts.tenants ?? []) await seedTenant(prisma, tenant);
    const f = fake;
    const r = redis;
    const prefix = (l: string) => {
      const p = testQueuePrefix(l);
      prefixes.push(p);
      return p;
    };
    return {
      db,
      pool,
      fake,
      redis,
      prefix,
      queue(l) {
        const p = prefix(l);
        const producer = new QueueProducer(r, p);
        open.push({ kind: 'producer', close: () => producer.close() });
        return { prefix: p, producer };
      },
      async startWorker(p, env = {}, deps = {}) {
        const worker = await startWorker(workerConfig({ databaseUrl: db.url, prefix: p, snsUrl: f.url, ...env }), {
          logger: capturingLogger().logger,
          snsCredentials: SNS_CREDENTIALS,
          reconciler: false,
          ...deps,
        });
        open.push({ kind: 'worker', close: () => worker.close() });
        return worker;
      },
      opened: () => open.length,
      closeSince,
      close,
    };
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
}
