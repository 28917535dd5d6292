import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { apiSchema, loadConfig, type ApiConfig } from '@pbx-sms/config';
import { createPool, createPrisma } from '@pbx-sms/db';
import { createLogger, createMetrics, type Logger } from '@pbx-sms/observability';
import { createRedis, QueueProducer } from '@pbx-sms/queue';
import { buildApp } from '@pbx-sms/api/app';
import type { ApiDeps } from '@pbx-sms/api/deps';
import { createTestDatabase, type TestDatabase } from './database';
import { flushPrefix, testQueuePrefix, testRedisUrl } from './redis';

/** The admin token of every API a test starts, in process or as a child process. */
export const ADMIN_TOKEN = 'test-admin-token-0123456789';
export const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };

export interface TestApi {
  app: FastifyInstance;
  db: TestDatabase;
  deps: ApiDeps;
  prefix: string;
  close(): Promise<void>;
}

export interface TestApiOptions {
  /** A logger to capture output (default: silent). */
  logger?: Logger;
  /** Point the API's Postgres clients (Prisma and the pool) elsewhere, e.g. at a closed port. */
  apiDatabaseUrl?: string;
}

/** The real API over a test file's own Postgres schema and Redis prefix. */
export async function startTestApi(label: string, env: Record<string, string> = {}, opts: TestApiOptions = {}): Promise<TestApi> {
  const db = await createTestDatabase(label);
  const prefix = testQueuePrefix(label);
  const config: ApiConfig = loadConfig(apiSchema, {
    DATABASE_URL: db.url,
    REDIS_URL: testRedisUrl(),
    QUEUE_PREFIX: prefix,
    ADMIN_TOKEN,
    LOG_LEVEL: 'silent',
    ...env,
  });
  // As main.ts builds it.
  const redis: Redis = createRedis(config.REDIS_URL, 'producer', { enableOfflineQueue: true });
  const producer = new QueueProducer(redis, prefix);
  const apiPrisma = opts.apiDatabaseUrl !== undefined ? createPrisma(opts.apiDatabaseUrl, { max: 2 }) : db.prisma;
  const pool = createPool(opts.apiDatabaseUrl ?? db.url, { max: 10, connectionTimeoutMillis: 2_000 });
  const deps: ApiDeps = {
    config,
    prisma: apiPrisma,
    pool,
    redis,
    producer,
    logger: opts.logger ?? createLogger({ level: process.env.TEST_LOG ?? 'silent' }),
    metrics: createMetrics('api', { defaultMetrics: false }),
  };
  const app = await buildApp(deps);
  await app.ready();
  return {
    app,
    db,
    deps,
    prefix,
    async close() {
      await app.close();
      await producer.close();
      redis.disconnect();
      await pool.end();
      if (apiPrisma !== db.prisma) await apiPrisma.$disconnect();
      await flushPrefix(prefix);
      await db.cleanup();
    },
  };
}
