import type { Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { WorkerConfig } from '@pbx-sms/config';
import { ActiveJobs, Batcher, SendSlots } from '@pbx-sms/concurrency';
import { warmUpRules } from '@pbx-sms/core';
import {
  MessageRepository,
  TenantConfigCache,
  createPool,
  loadExtension,
  loadTenantConfig,
  subscribeConfigChanges,
  tenantConfigReader,
  type SqlRunner,
} from '@pbx-sms/db/pg';
import { createLogger, createMetrics, type Logger, type Metrics } from '@pbx-sms/observability';
import { JOBS, QueueProducer, configChannel, createConsumer, createRedis, type SmsSendJob } from '@pbx-sms/queue';
import { TenantRateLimiter } from '@pbx-sms/ratelimit';
import { createSmsProvider, type SmsProvider, type SnsProviderOptions } from '@pbx-sms/sms';
import { BatchedMessageStore } from './message-store';
import { jobLogs, type OutcomeObserver } from './job-log';
import { sendBackoffStrategy, sendSmsHandler } from './send/send-sms.job';
import { inlineSender } from './send/inline-send';
import { voicemailReceivedHandler } from './jobs/voicemail-received.job';
import { Reconciler } from './reconciler';
import { Housekeeping } from './housekeeping';
import { instrumentProvider, metricsObserver } from './metrics';

export interface WorkerDeps {
  logger?: Logger;
  /** Default: the provider SMS_PROVIDER selects. */
  provider?: SmsProvider;
  /** For the SNS provider; default: the AWS SDK's usual credential chain. */
  snsCredentials?: SnsProviderOptions['credentials'];
  /** Called with every job outcome (metrics plug in here). */
  observers?: OutcomeObserver[];
  /** BullMQ lock and stall settings; tests shorten them to exercise crash recovery. */
  bullmq?: { lockDuration?: number; stalledInterval?: number; maxStalledCount?: number };
  /** Default true. */
  reconciler?: boolean;
  /** Default true: the periodic retention pass (housekeeping.ts). */
  housekeeping?: boolean;
  /** Default: a registry of its own, served at /metrics. */
  metrics?: Metrics;
  /**
   * Voicemail jobs send their new Message themselves instead of enqueuing a send job
   * (docs/decisions.md, "Inline send"). Default: WORKER_INLINE_SEND (true). Forced off when
   * PROVIDER_TIMEOUT_MS is not well under RECONCILE_AFTER_MS (a margin for the cases where the
   * reconciler cannot see the voicemail job: see decisions.md).
   */
  inlineSend?: boolean;
}

/** The worker's parts, built and connected but not started: `main.ts` starts and stops them. */
export interface WorkerParts {
  logger: Logger;
  metrics: Metrics;
  provider: SmsProvider;
  producer: QueueProducer;
  configCache: TenantConfigCache;
  /** The voicemail-events and sms-send consumers, not running yet. */
  consumers: Worker[];
  /** The jobs the consumers are running (shutdown waits for them). */
  active: ActiveJobs;
  reconciler: Reconciler;
  housekeeping: Housekeeping;
  inlineSend: boolean;
  /** What /ready checks. */
  checks: Record<string, () => Promise<unknown>>;
  /** Before the first events: the rules' lazy costs and the config readers' first queries. */
  warmUp(): Promise<void>;
  /** After the consumers are closed: the producer, Redis, Postgres and the provider. */
  closeConnections(): Promise<void>;
}

/**
 * Builds one worker from `config`: connections, the message store, the send path, both
 * consumers, the reconciler. Nothing is created at import time; tests build several in one
 * process.
 */
export async function composeWorker(config: WorkerConfig, deps: WorkerDeps = {}): Promise<WorkerParts> {
  const logger = deps.logger ?? createLogger({ level: config.LOG_LEVEL, name: 'worker' });
  const concurrency = config.WORKER_CONCURRENCY;

  // Postgres: one plain pg pool for the hot-path writes and the (cached) config reads. No
  // Prisma client in the worker: its WebAssembly query compiler alone costs tens of MB.
  // Hot-path writes are batched (each batcher has at most 2 statements in flight), so jobs do
  // not hold connections: concurrency + 4 covers config reads, the reconciler and outcome-write
  // retries.
  const pool = createPool(config.DATABASE_URL, { max: Math.min(100, concurrency + 4) });
  // Open connections now (and fail fast if Postgres is unreachable), not during the first burst.
  await Promise.all(Array.from({ length: Math.min(8, concurrency) }, () => pool.query('SELECT 1')));
  const repository = new MessageRepository(pool);
  const messages = new BatchedMessageStore(repository);

  // Redis: one connection for BullMQ consumers (each also opens its own blocking one), one for
  // commands (enqueue, rate limit, reconciler), one subscriber for config changes.
  const consumerRedis = createRedis(config.REDIS_URL, 'worker');
  // No ioredis auto-pipelining: the hot path batches itself (rate-limit checks of one event-loop
  // turn are one script call, send enqueues one corked write), and every automatic pipeline
  // copies the ~66 scripts BullMQ defines on the connection (docs/performance.md "Ingest").
  const commandRedis = createRedis(config.REDIS_URL, 'worker');
  const subscriberRedis = createRedis(config.REDIS_URL, 'worker');
  const redisConnections: Redis[] = [consumerRedis, commandRedis, subscriberRedis];

  const prefix = config.QUEUE_PREFIX;
  const producer = new QueueProducer(commandRedis, prefix);
  const limiter = new TenantRateLimiter(commandRedis, prefix, { ratePerSec: config.TENANT_RATE_PER_SEC });
  const metrics = deps.metrics ?? createMetrics('worker');
  const provider = instrumentProvider(deps.provider ?? createSmsProvider(config, deps.snsCredentials ? { credentials: deps.snsCredentials } : {}), metrics);
  const configCache = new TenantConfigCache(tenantConfigReader(pool), config.TENANT_CONFIG_TTL_MS);
  await subscribeConfigChanges(subscriberRedis, configChannel(prefix), (change) => configCache.forget(change));
  const logs = jobLogs(logger, [metricsObserver(metrics), ...(deps.observers ?? [])]);
  const sendEnqueues = new Batcher<SmsSendJob, void>(
    async (jobs) => {
      await producer.enqueueSends(jobs);
      return jobs.map(() => undefined);
    },
    { name: 'send-enqueues' },
  );
  const enqueueSend = (job: SmsSendJob) => sendEnqueues.submit(job);

  // Each queue's consumer runs up to `concurrency` jobs, but the process makes at most
  // `concurrency` provider calls at once, whatever the mix: the crash bound on duplicates.
  const send = {
    messages,
    config: configCache,
    provider,
    budget: { maxAttempts: config.SEND_MAX_ATTEMPTS, backoffMs: config.SEND_BACKOFF_MS },
    slots: new SendSlots(concurrency),
    logs,
  };
  const inlineWanted = deps.inlineSend ?? config.WORKER_INLINE_SEND;
  const inlineSend = inlineWanted && config.PROVIDER_TIMEOUT_MS * 2 < config.RECONCILE_AFTER_MS;
  if (inlineWanted && !inlineSend) {
    logger.warn(
      { providerTimeoutMs: config.PROVIDER_TIMEOUT_MS, reconcileAfterMs: config.RECONCILE_AFTER_MS },
      'inline send off: PROVIDER_TIMEOUT_MS must be under half of RECONCILE_AFTER_MS',
    );
  }
  const inline = inlineSend
    ? {
        take: (tenantId: number) => limiter.take(tenantId),
        send: inlineSender({ ...send, enqueueSend: (job, opts) => (opts?.delayMs ? producer.enqueueSend(job, { delay: opts.delayMs }) : enqueueSend(job)) }),
      }
    : undefined;

  const active = new ActiveJobs();
  const consumerOptions = {
    connection: consumerRedis,
    concurrency,
    lockDuration: deps.bullmq?.lockDuration ?? config.BULLMQ_LOCK_DURATION_MS,
    stalledInterval: deps.bullmq?.stalledInterval ?? config.BULLMQ_STALLED_INTERVAL_MS,
    // A crash must not fail a job: it is picked up again by another replica. Sends still end
    // at SEND_MAX_ATTEMPTS because every claim counts an attempt on the Message.
    maxStalledCount: deps.bullmq?.maxStalledCount ?? 100,
  };
  const consumers = [
    createConsumer(
      JOBS.voicemailReceived,
      prefix,
      active.wrap(voicemailReceivedHandler({ messages, config: configCache, enqueueSend, logs, ...(inline ? { inline } : {}) }) as (job: Job) => Promise<void>),
      consumerOptions,
    ),
    createConsumer(JOBS.smsSend, prefix, active.wrap(sendSmsHandler({ ...send, limiter })), {
      ...consumerOptions,
      settings: { backoffStrategy: sendBackoffStrategy(config.SEND_BACKOFF_MS) },
    }),
  ];
  for (const c of consumers) c.on('error', (err) => logger.error({ err, queue: c.name }, 'queue worker error'));

  const reconciler = new Reconciler({
    messages: repository,
    queues: producer,
    redis: commandRedis,
    logger,
    intervalMs: config.RECONCILE_INTERVAL_MS,
    afterMs: config.RECONCILE_AFTER_MS,
  });
  const housekeeping = new Housekeeping({
    db: pool,
    logger,
    intervalMs: config.HOUSEKEEPING_INTERVAL_MS,
    rejectedEventRetentionDays: config.REJECTED_EVENT_RETENTION_DAYS,
    messageRetentionDays: config.MESSAGE_RETENTION_DAYS,
  });

  return {
    logger,
    metrics,
    provider,
    producer,
    configCache,
    consumers,
    active,
    reconciler,
    housekeeping,
    inlineSend,
    checks: { postgres: () => pool.query('SELECT 1'), redis: () => commandRedis.ping() },
    warmUp: () => warmUp(pool),
    async closeConnections() {
      await producer.close().catch(() => undefined);
      await Promise.all(redisConnections.map((r) => r.quit().catch(() => r.disconnect())));
      await Promise.all([pool.end().catch(() => undefined), provider.close().catch(() => undefined)]);
    },
  };
}

async function warmUp(db: SqlRunner): Promise<void> {
  warmUpRules();
  await Promise.all([loadTenantConfig(db, 0), loadExtension(db, 0, '0')]);
}
