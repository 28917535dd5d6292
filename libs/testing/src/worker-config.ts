import { loadConfig, workerSchema, type WorkerConfig } from '@pbx-sms/config';
import { testRedisUrl } from './redis';

/** What the worker signs its fake SNS requests with, in process and as a child process alike. */
export const SNS_CREDENTIALS = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' };

/** An in-process worker's configuration: short timeouts and backoff, debug logs, no rate limit in the way. */
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
