import { apiSchema, loadConfigOrExit } from '@pbx-sms/config';
import { warmUpRules } from '@pbx-sms/core';
import { createPool, createPrisma } from '@pbx-sms/db';
import { createLogger, createMetrics } from '@pbx-sms/observability';
import { createRedis, QueueProducer } from '@pbx-sms/queue';
import { buildApp } from './app';

async function main(): Promise<void> {
  const config = loadConfigOrExit(apiSchema);
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'api' });
  const prisma = createPrisma(config.DATABASE_URL);
  const pool = createPool(config.DATABASE_URL, { max: 20 });
  // No ioredis auto-pipelining: the hot path batches itself (one rate-limit script call per
  // event-loop turn at most, one corked write of send jobs per batch of accepted messages), and
  // each automatic pipeline costs ~90 µs of CPU to build on a connection carrying BullMQ's ~66
  // scripts.
  const redis = createRedis(config.REDIS_URL, 'producer', { enableOfflineQueue: true });
  const producer = new QueueProducer(redis, config.QUEUE_PREFIX);
  const app = await buildApp({ config, prisma, pool, redis, producer, logger, metrics: createMetrics('api') });

  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => process.exit(1), 10_000).unref();
    await app.close().catch(() => undefined);
    await producer.close().catch(() => undefined);
    await Promise.allSettled([prisma.$disconnect(), pool.end(), redis.quit()]);
    clearTimeout(timer);
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  // Before the first requests: the rules' lazy costs, and a few pool connections opened (a
  // Postgres connection takes milliseconds to open; a burst on a cold pool opened 20 at once).
  warmUpRules();
  await Promise.all(Array.from({ length: 4 }, () => pool.query('SELECT 1')));
  await app.listen({ port: config.PORT, host: config.HOST });
}

main().catch((err) => {
  process.stderr.write(`api failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
