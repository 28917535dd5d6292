import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createPrisma, migrate, type PrismaClient } from '@pbx-sms/db';
import { AdminService } from '@pbx-sms/operations';
import type { VoicemailEvent } from '@pbx-sms/queue';
import { round } from './measure';
import { BASE_DB, REDIS_URL, TENANTS } from './settings';

/** What every phase shares: the bench's own schema with its tenants and keys, its queue prefix, and the figures' helpers. */

export interface Fixture {
  dbUrl: string;
  schema: string;
  prefix: string;
  prisma: PrismaClient;
  keys: string[];
}

export async function setup(): Promise<Fixture> {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const u = new URL(BASE_DB);
  u.searchParams.set('schema', schema);
  const dbUrl = u.toString();
  await migrate(dbUrl);
  const prisma = createPrisma(dbUrl, { max: 4 });
  const admin = new AdminService(prisma);
  const keys: string[] = [];
  for (let t = 1; t <= TENANTS; t++) {
    const sender = `+1416555${String(100 + t).padStart(4, '0')}`;
    await admin.putTenant(t, { name: `Bench ${t}`, timeZone: 'UTC' });
    await admin.putNumber(t, sender, { smsEnabled: true });
    // The template is the caller name alone, so the fake SNS sees which event a message came from.
    await admin.putSettings(t, { active: true, senderNumber: sender, voicemailEnabled: true, apiEnabled: true, voicemailTemplate: '{{callerName}}' });
    await admin.putExtension(t, '1001', { smsNotifications: true, smsNumber: '+14165551234' });
    await admin.putExtension(t, '1002', { smsNotifications: false, smsNumber: '+14165551234' });
    keys.push((await admin.createApiKey(t, { permissions: ['sms:send', 'events:publish'] })).key);
  }
  return { dbUrl, schema, prefix: `{pbx-sms-bench-${randomBytes(3).toString('hex')}}`, prisma, keys };
}

export async function cleanup(f: Fixture): Promise<void> {
  await f.prisma.$executeRawUnsafe(`DROP SCHEMA IF EXISTS "${f.schema}" CASCADE`);
  await f.prisma.$disconnect();
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${f.prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.unlink(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}

/**
 * CPU over every process of a phase: its own Postgres backends are already inside `postgres`
 * (every postgres process on the machine, other users included: an upper bound).
 */
export function sumCpu(cpu: Record<string, number>): number {
  return Object.entries(cpu).reduce((a, [k, v]) => (k === 'postgres_own_backends' ? a : a + v), 0);
}

/** The pids of the Postgres backends whose connections name themselves `appName` (PGAPPNAME). */
export function backendsOf(f: Fixture, appName: string): () => Promise<number[]> {
  return () =>
    f.prisma
      .$queryRawUnsafe<{ pid: number }[]>(`SELECT pid FROM pg_stat_activity WHERE application_name = $1`, appName)
      .then((r) => r.map((x) => Number(x.pid)));
}

/** Calls per command from INFO commandstats (`evalsha` counts each BullMQ script). */
export async function redisCommandCalls(redis: Redis): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of (await redis.info('commandstats')).matchAll(/cmdstat_([^:]+):calls=(\d+)/g)) out[m[1]!] = Number(m[2]);
  return out;
}

export function sendBody(i: number): string {
  return JSON.stringify({ to: '+14165551234', message: `Bench message ${i}` });
}

/** Each key's figure divided by `n`, as `key value, key value`. */
export function perUnit(d: Record<string, number>, n: number): string {
  return Object.entries(d)
    .map(([k, v]) => `${k} ${round(v / n, 3)}`)
    .join(', ');
}

/** Voicemail events with unique ids and caller names (the template is the caller name, so the fake SNS sees which event a message came from). */
export function eventMaker(): (tenant: number, ext: string) => VoicemailEvent {
  let seq = 0;
  return (tenant, ext) => {
    seq++;
    return {
      eventId: `b-${seq}`,
      tenantId: tenant,
      extension: ext,
      callerName: `e${seq}`,
      callerId: '+12015550150',
      durationSeconds: 30,
      receivedAt: new Date().toISOString(),
    };
  };
}
