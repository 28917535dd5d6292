import { apiSchema, ConfigError, loadConfig, workerSchema } from '@pbx-sms/config';

describe('configuration from the environment', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig(workerSchema, {});
    expect(c).toMatchObject({
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/postgres',
      REDIS_URL: 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: '{pbx-sms}',
      METRICS_PORT: 9464,
      SMS_PROVIDER: 'local',
      WORKER_CONCURRENCY: 16,
      WORKER_INLINE_SEND: true,
      PROVIDER_TIMEOUT_MS: 10000,
      SEND_MAX_ATTEMPTS: 8,
      SEND_BACKOFF_MS: 1000,
      TENANT_RATE_PER_SEC: 20,
      SHUTDOWN_TIMEOUT_MS: 25000,
      LOG_LEVEL: 'info',
    });
    expect(Object.isFrozen(c)).toBe(true);
  });

  it.each([
    [apiSchema, {}, /^Invalid configuration: ADMIN_TOKEN is required \(unset\)$/],
    [apiSchema, { ADMIN_TOKEN: 'x'.repeat(20), PORT: 'abc' }, /^Invalid configuration: PORT .*\("abc"\)$/],
    [workerSchema, { SMS_PROVIDER: 'twilio' }, /^Invalid configuration: SMS_PROVIDER .*"twilio"/],
    [workerSchema, { WORKER_CONCURRENCY: '0' }, /WORKER_CONCURRENCY/],
    [workerSchema, { WORKER_INLINE_SEND: 'maybe' }, /^Invalid configuration: WORKER_INLINE_SEND .*"maybe"/],
    [workerSchema, { QUEUE_PREFIX: 'a:b' }, /QUEUE_PREFIX must not contain ":"/],
    [workerSchema, { DATABASE_URL: 'mysql://secret@x/db' }, /DATABASE_URL must be a postgresql: or postgres: URL \(given\)$/],
  ])('stops with one line naming the variable (%#)', (schema, env, message) => {
    let error: unknown;
    try {
      loadConfig(schema, env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).not.toContain('\n');
    expect((error as Error).message).toMatch(message);
  });

  it.each([
    ['false', false],
    ['0', false],
    ['true', true],
    ['1', true],
  ])('reads WORKER_INLINE_SEND=%s as %s', (value, expected) => {
    expect(loadConfig(workerSchema, { WORKER_INLINE_SEND: value }).WORKER_INLINE_SEND).toBe(expected);
  });

  it('treats empty values as unset', () => {
    expect(loadConfig(workerSchema, { PORT: '', SMS_PROVIDER: '' }).SMS_PROVIDER).toBe('local');
  });
});
