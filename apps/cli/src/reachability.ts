import { Client } from 'pg';
import { Redis } from 'ioredis';
import { poolConfig } from '@pbx-sms/db';

/** What a command talks to; checked before it runs, so an outage is one line, not a hang. */
export type Need = 'postgres' | 'redis';

/** How long each check may take: both run at once, well inside the 5 s an operator waits. */
const PROBE_TIMEOUT_MS = 3_000;

export class UnreachableError extends Error {
  override readonly name = 'UnreachableError';
}

/** The URL without credentials or query: `redis://127.0.0.1:6390`, `postgresql://db:5432/app`. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}

/** `connect ECONNREFUSED`, `getaddrinfo ENOTFOUND`, or the error's first line with any URL cut out. */
function reason(err: unknown): string {
  const e = err as { code?: unknown; syscall?: unknown; message?: unknown; errors?: unknown[] };
  if (typeof e?.code === 'string' && typeof e.syscall === 'string') return `${e.syscall} ${e.code}`;
  if (Array.isArray(e?.errors) && e.errors.length > 0) return reason(e.errors[0]);
  if (typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code)) return e.code;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  return (message.split('\n')[0] ?? '').replace(/\b\w+:\/\/\S+/g, '(url)') || 'no answer';
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

async function probePostgres(url: string): Promise<void> {
  const client = new Client(poolConfig(url, { connectionTimeoutMillis: PROBE_TIMEOUT_MS }).config);
  client.on('error', () => undefined);
  try {
    await withTimeout(
      client.connect().then(() => client.query('SELECT 1')),
      PROBE_TIMEOUT_MS,
    );
  } finally {
    void client.end().catch(() => undefined);
  }
}

async function probeRedis(url: string): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: PROBE_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  // connect() rejects with "Connection is closed"; the socket's own error says why.
  let socketError: unknown;
  redis.on('error', (err) => {
    socketError ??= err;
  });
  try {
    await withTimeout(
      redis.connect().then(() => redis.ping()),
      PROBE_TIMEOUT_MS,
    );
  } catch (err) {
    throw socketError ?? err;
  } finally {
    redis.disconnect();
  }
}

/** Checks each needed service at once; throws one UnreachableError naming every one that failed. */
export async function requireReachable(needs: readonly Need[], urls: { DATABASE_URL: string; REDIS_URL: string }): Promise<void> {
  const checks = needs.map(async (need) => {
    const [label, url, probe] =
      need === 'postgres' ? (['Postgres', urls.DATABASE_URL, probePostgres] as const) : (['Redis', urls.REDIS_URL, probeRedis] as const);
    try {
      await probe(url);
      return null;
    } catch (err) {
      return `${label} at ${displayUrl(url)} is unreachable (${reason(err)})`;
    }
  });
  const failures = (await Promise.all(checks)).filter((f): f is string => f !== null);
  if (failures.length > 0) throw new UnreachableError(failures.join('; '));
}
