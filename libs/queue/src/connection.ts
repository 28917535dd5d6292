import { Redis, type RedisOptions } from 'ioredis';

/**
 * A Redis connection for BullMQ. Workers need `maxRetriesPerRequest: null` (blocking commands
 * must wait out a Redis restart); producers on a request path want to fail fast instead, so
 * the API can answer 503 rather than hang.
 */
export function createRedis(redisUrl: string, role: 'worker' | 'producer', extra: RedisOptions = {}): Redis {
  const base: RedisOptions =
    role === 'worker'
      ? { maxRetriesPerRequest: null, enableReadyCheck: true }
      : { maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000, commandTimeout: 5_000 };
  const redis = new Redis(redisUrl, { ...base, ...extra, lazyConnect: false });
  // Connection errors are retried by ioredis and surface on commands; an unhandled 'error'
  // event would crash the process.
  redis.on('error', () => undefined);
  return redis;
}
