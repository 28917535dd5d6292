import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import type { ApiConfig } from '@pbx-sms/config';
import type { PrismaClient } from '@pbx-sms/db';
import type { Logger, Metrics } from '@pbx-sms/observability';
import type { QueueProducer } from '@pbx-sms/queue';

/** Everything the API needs, built once by main.ts (or a test) and passed in. */
export interface ApiDeps {
  config: ApiConfig;
  prisma: PrismaClient;
  /** Plain node-postgres pool for the hot path (accepting messages, key lookups, idempotency). */
  pool: Pool;
  /** Producer connection (fails fast when Redis is down); also carries the API key rate limit. */
  redis: Redis;
  producer: QueueProducer;
  logger: Logger;
  metrics: Metrics;
}
