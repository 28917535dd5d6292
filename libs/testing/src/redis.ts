import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export function testRedisUrl(): string {
  return process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
}

/** A queue prefix of its own for one test file (a hash tag, as in production). */
export function testQueuePrefix(label = 'q'): string {
  return `{pbx-sms-test-${label
    .replace(/[^a-z0-9]/gi, '')
    .toLowerCase()
    .slice(0, 20)}-${randomBytes(4).toString('hex')}}`;
}

/** Deletes every key under a test prefix. */
export async function flushPrefix(prefix: string, redisUrl = testRedisUrl()): Promise<void> {
  if (!prefix.startsWith('{pbx-sms-test-')) throw new Error(`refusing to flush non-test prefix ${prefix}`);
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
