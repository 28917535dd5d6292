import { Writable } from 'node:stream';
import { loadConfig, workerSchema, type WorkerConfig } from '@pbx-sms/config';
import type { PrismaClient } from '@pbx-sms/db';
import { createLogger, type Logger } from '@pbx-sms/observability';
import { testRedisUrl } from '@pbx-sms/testing';

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
