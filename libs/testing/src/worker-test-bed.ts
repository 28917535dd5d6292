import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import { createPool, createPrisma, type PrismaClient } from '@pbx-sms/db';
import { QueueProducer, createRedis } from '@pbx-sms/queue';
import type { WorkerDeps } from '@pbx-sms/worker/compose';
import { startWorker, type WorkerHandle } from '@pbx-sms/worker/main';

import { capturingLogger } from './capturing-logger';
import { createTestDatabase, type TestDatabase } from './database';
import { FakeSnsServer } from './fake-sns';
import { flushPrefix, testQueuePrefix, testRedisUrl } from './redis';
import { seedTenant, type TenantSeed } from './tenant-seed';
import { SNS_CREDENTIALS, workerConfig } from './worker-config';

export type { WorkerHandle };

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
