/**
 * Jest global setup: decides once, up front, where the tests' Postgres and Redis come from.
 * Where a container runtime answers, testcontainers starts both; where none does (this kind of
 * machine has a Docker client but no engine), the check fails within milliseconds and the
 * tests use DATABASE_URL / REDIS_URL, defaulting to the local services.
 */
import type { StartedTestContainer } from 'testcontainers';

declare global {
  var __PBX_SMS_CONTAINERS__: StartedTestContainer[] | undefined;
}

export default async function globalSetup(): Promise<void> {
  if (process.env.TESTCONTAINERS === '0' || process.env.PBX_SMS_TEST_SERVICES === 'local') return useLocal('disabled by environment');
  const { getContainerRuntimeClient } = await import('testcontainers');
  try {
    await getContainerRuntimeClient();
  } catch {
    return useLocal('no container runtime');
  }
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const { RedisContainer } = await import('@testcontainers/redis');
  const [pg, redis] = await Promise.all([
    new PostgreSqlContainer('postgres:15-alpine').withDatabase('test').withUsername('postgres').withPassword('postgres').start(),
    new RedisContainer('redis:7-alpine').start(),
  ]);
  globalThis.__PBX_SMS_CONTAINERS__ = [pg, redis];
  process.env.DATABASE_URL = pg.getConnectionUri();
  process.env.REDIS_URL = redis.getConnectionUrl();
  process.stderr.write('[test services] testcontainers: postgres and redis started\n');
}

function useLocal(reason: string): void {
  process.env.DATABASE_URL ??= 'postgresql://postgres@127.0.0.1:5432/test';
  process.env.REDIS_URL ??= 'redis://127.0.0.1:6379';
  process.stderr.write(`[test services] ${reason}: using DATABASE_URL and REDIS_URL (local services)\n`);
}
