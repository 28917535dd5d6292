import { z } from 'zod';

/**
 * Configuration from the environment: one zod schema per process, parsed once at start-up,
 * frozen and passed in. Nothing else reads process.env. Names and defaults are a contract
 * (DESIGN.md "Interfaces"); docs/operations.md lists them.
 */

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    `must be a ${protocols.join(' or ')} URL`,
  );

export const commonSchema = z.object({
  DATABASE_URL: url(['postgresql:', 'postgres:']).default('postgresql://postgres@127.0.0.1:5432/postgres'),
  REDIS_URL: url(['redis:', 'rediss:']).default('redis://127.0.0.1:6379'),
  QUEUE_PREFIX: z
    .string()
    .min(1)
    .regex(/^[^:\s]+$/, 'must not contain ":" or spaces')
    .default('{pbx-sms}'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TENANT_CONFIG_TTL_MS: int(0, 600_000).default(5_000),
});

export const apiSchema = commonSchema.extend({
  PORT: int(0, 65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters'),
  API_KEY_RATE_PER_SEC: int(1, 1_000_000).default(50),
  BODY_LIMIT_BYTES: int(1024, 10 * 1024 * 1024).default(16 * 1024),
});

export const workerSchema = commonSchema.extend({
  METRICS_PORT: int(0, 65535).default(9464),
  SMS_PROVIDER: z.enum(['local', 'sns']).default('local'),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  SNS_ENDPOINT: url(['http:', 'https:']).optional(),
  WORKER_CONCURRENCY: int(1, 1000).default(16),
  /**
   * A voicemail job sends the Message it creates itself instead of enqueuing a send job
   * (docs/decisions.md, "Inline send"). `false` restores the two-job path.
   */
  WORKER_INLINE_SEND: z.stringbool().default(true),
  PROVIDER_TIMEOUT_MS: int(100, 300_000).default(10_000),
  SEND_MAX_ATTEMPTS: int(1, 100).default(8),
  SEND_BACKOFF_MS: int(1, 300_000).default(1_000),
  TENANT_RATE_PER_SEC: int(1, 100_000).default(20),
  SHUTDOWN_TIMEOUT_MS: int(0, 600_000).default(25_000),
  RECONCILE_INTERVAL_MS: int(100, 3_600_000).default(10_000),
  RECONCILE_AFTER_MS: int(0, 3_600_000).default(30_000),
  /** BullMQ job lock and stalled-job check; a crashed replica's jobs return after about this long. */
  BULLMQ_LOCK_DURATION_MS: int(1_000, 600_000).default(30_000),
  BULLMQ_STALLED_INTERVAL_MS: int(500, 600_000).default(30_000),
  /** Housekeeping (retention below): how often each worker runs a pass. */
  HOUSEKEEPING_INTERVAL_MS: int(1_000, 86_400_000).default(3_600_000),
  /** Rejected voicemail events older than this are deleted. */
  REJECTED_EVENT_RETENTION_DAYS: int(1, 36_500).default(30),
  /** Unset: keep forever. Set: terminal messages older than this lose their body and numbers. */
  MESSAGE_RETENTION_DAYS: int(1, 36_500).optional(),
});

export const cliSchema = commonSchema;

export type CommonConfig = Readonly<z.infer<typeof commonSchema>>;
export type ApiConfig = Readonly<z.infer<typeof apiSchema>>;
export type WorkerConfig = Readonly<z.infer<typeof workerSchema>>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Parses the environment with a schema. Empty strings count as unset. On failure throws a
 * ConfigError whose message is one line naming each bad variable.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: Record<string, string | undefined> = process.env): Readonly<z.infer<S>> {
  const cleaned: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') cleaned[k] = v;
  const result = schema.safeParse(cleaned);
  if (!result.success) {
    const problems = result.error.issues.map((i) => {
      const name = i.path.join('.');
      const got = cleaned[name];
      const shown = got === undefined ? 'unset' : /TOKEN|SECRET|PASSWORD|KEY|URL/i.test(name) ? 'given' : JSON.stringify(got);
      return `${name} ${i.code === 'invalid_type' && got === undefined ? 'is required' : i.message} (${shown})`;
    });
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  return Object.freeze(result.data);
}

/** For process entry points: parse or print the one-line reason and exit 1. */
export function loadConfigOrExit<S extends z.ZodType>(schema: S, env: Record<string, string | undefined> = process.env): Readonly<z.infer<S>> {
  try {
    return loadConfig(schema, env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
