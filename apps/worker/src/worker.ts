import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { WorkerConfig } from '@pbx-sms/config';
import { Batcher, warmUpRules } from '@pbx-sms/core';
import { MessageRepository, TenantConfigCache, createPool, loadExtension, loadTenantConfig, subscribeConfigChanges, tenantConfigReader, type SqlRunner } from '@pbx-sms/db/pg';
import { collectQueueDepth, createLogger, createMetrics, type Logger, type Metrics } from '@pbx-sms/observability';
import { QUEUES, QueueProducer, TenantRateLimiter, configChannel, createRedis, type SmsSendJob } from '@pbx-sms/queue';
import { createSmsProvider, type SmsProvider, type SnsProviderOptions } from '@pbx-sms/sms';
import { ActiveJobs } from './active-jobs';
import { SendSlots } from './send-slots';
import { BatchedMessageStore } from './message-store';
import { outcomeReporter, type OutcomeObserver } from './job-outcome';
import { inlineSender, sendBackoffStrategy, sendSmsHandler } from './jobs/send-sms.job';
import { voicemailReceivedHandler } from './jobs/voicemail-received.job';
import { startOpsServer, type OpsServer } from './ops-server';
import { Reconciler, type ReconcileResult } from './reconciler';
import { Housekeeping, type HousekeepingResult } from './housekeeping';
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

export interface WorkerHandle {
  /** The port /health and /ready listen on. */
  port: number;
  ops: OpsServer;
  configCache: TenantConfigCache;
  metrics: Metrics;
  reconcileOnce(): Promise<ReconcileResult>;
  housekeepOnce(): Promise<HousekeepingResult>;
  /** Stop taking jobs, let active ones finish (up to SHUTDOWN_TIMEOUT_MS), close every connection. Idempotent. */
  close(): Promise<void>;
}

/** Before the first events: the rules' lazy costs (`warmUpRules`) and the config readers' first queries. */
async function warmUp(db: SqlRunner): Promise<void> {
  warmUpRules();
  await Promise.all([loadTenantConfig(db, 0), loadExtension(db, 0, '0')]);
}

/** Jobs added straight by a PBX may carry no retention options; keep Redis bounded anyway. */
const KEEP = { removeOnComplete: { age: 3600, count: 50_000 }, removeOnFail: { age: 7 * 24 * 3600 } };

/**
 * Builds and starts one worker: both BullMQ consumers, the reconciler, the config-change
 * subscription and the ops HTTP server. Everything is created here, from `config`, nothing at
 * import time. Tests run several in one process; `main.ts` runs one and wires the signals.
 */
export async function startWorker(config: WorkerConfig, deps: WorkerDeps = {}): Promise<WorkerHandle> {
  const logger = deps.logger ?? createLogger({ level: config.LOG_LEVEL, name: 'worker' });
  const concurrency = config.WORKER_CONCURRENCY;

  // Postgres: one plain pg pool for the hot-path writes and the (cached) config reads. No
  // Prisma client in the worker: its WebAssembly query compiler alone costs tens of MB.
  // Hot-path writes are batched (each batcher has at most 2 statements in flight), so jobs do
  // not hold connections: concurrency + 4 covers config reads, the reconciler and outcome-write
  // retries. (It was concurrency * 2 + 4; several replicas per Postgres ran into max_connections.)
  const pool = createPool(config.DATABASE_URL, { max: Math.min(100, concurrency + 4) });
  // Open connections now (and fail fast if Postgres is unreachable), not during the first burst.
  await Promise.all(Array.from({ length: Math.min(8, concurrency) }, () => pool.query('SELECT 1')));
  const repository = new MessageRepository(pool);
  const messages = new BatchedMessageStore(repository);

  // Redis: one connection for BullMQ consumers (each also opens its own blocking one), one for
  // commands (enqueue, rate limit, reconciler), one subscriber for config changes.
  const consumerRedis = createRedis(config.REDIS_URL, 'worker');
  // No ioredis auto-pipelining: the hot path batches itself (rate-limit checks of one event-loop
  // turn are one script call, send enqueues one addBulk), and every automatic pipeline copies
  // the ~66 scripts BullMQ defines on the connection (~90 µs each, docs/performance.md "Ingest").
  const commandRedis = createRedis(config.REDIS_URL, 'worker');
  const subscriberRedis = createRedis(config.REDIS_URL, 'worker');
  const redisConnections: Redis[] = [consumerRedis, commandRedis, subscriberRedis];

  const prefix = config.QUEUE_PREFIX;
  const producer = new QueueProducer(commandRedis, prefix);
  const limiter = new TenantRateLimiter(commandRedis, prefix, { ratePerSec: config.TENANT_RATE_PER_SEC });
  const metrics = deps.metrics ?? createMetrics('worker');
  const provider = instrumentProvider(deps.provider ?? createSmsProvider(config, deps.snsCredentials ? { credentials: deps.snsCredentials } : {}), metrics);
  const configCache = new TenantConfigCache(tenantConfigReader(pool), config.TENANT_CONFIG_TTL_MS);
  const report = outcomeReporter(logger, [metricsObserver(metrics), ...(deps.observers ?? [])]);
  const sendEnqueues = new Batcher<SmsSendJob, void>(async (jobs) => {
    await producer.enqueueSends(jobs);
    return jobs.map(() => undefined);
  });
  const enqueueSend = (job: SmsSendJob) => sendEnqueues.submit(job);

  await subscribeConfigChanges(subscriberRedis, configChannel(prefix), (change) => configCache.forget(change));

  const bull = {
    connection: consumerRedis,
    prefix,
    concurrency,
    lockDuration: deps.bullmq?.lockDuration ?? config.BULLMQ_LOCK_DURATION_MS,
    stalledInterval: deps.bullmq?.stalledInterval ?? config.BULLMQ_STALLED_INTERVAL_MS,
    // A crash must not fail a job: it is picked up again by another replica. Sends still end
    // at SEND_MAX_ATTEMPTS because every claim counts an attempt on the Message.
    maxStalledCount: deps.bullmq?.maxStalledCount ?? 100,
    ...KEEP,
  };
  const active = new ActiveJobs();
  // Each queue's consumer runs up to `concurrency` jobs, but the process makes at most
  // `concurrency` provider calls at once, whatever the mix: the crash bound on duplicates.
  const slots = new SendSlots(concurrency);
  const sendDeps = { messages, config: configCache, provider, limiter, maxAttempts: config.SEND_MAX_ATTEMPTS, report, slots };
  const inlineWanted = deps.inlineSend ?? config.WORKER_INLINE_SEND;
  const inlineOk = inlineWanted && config.PROVIDER_TIMEOUT_MS * 2 < config.RECONCILE_AFTER_MS;
  if (inlineWanted && !inlineOk) {
    logger.warn({ providerTimeoutMs: config.PROVIDER_TIMEOUT_MS, reconcileAfterMs: config.RECONCILE_AFTER_MS }, 'inline send off: PROVIDER_TIMEOUT_MS must be under half of RECONCILE_AFTER_MS');
  }
  const inline = inlineOk
    ? {
        take: (tenantId: number) => limiter.take(tenantId),
        send: inlineSender({
          ...sendDeps,
          backoffMs: config.SEND_BACKOFF_MS,
          enqueueSend: (job, opts) => (opts?.delayMs ? producer.enqueueSend(job, { delay: opts.delayMs }) : enqueueSend(job)),
        }),
      }
    : undefined;
  const voicemailWorker = new Worker(
    QUEUES.voicemailEvents,
    active.wrap(voicemailReceivedHandler({ messages, config: configCache, enqueueSend, report, ...(inline ? { inline } : {}) }) as (job: Job) => Promise<void>),
    bull,
  );
  const sendWorker = new Worker(
    QUEUES.smsSend,
    active.wrap(sendSmsHandler(sendDeps)),
    { ...bull, settings: { backoffStrategy: sendBackoffStrategy(config.SEND_BACKOFF_MS) } },
  );
  for (const w of [voicemailWorker, sendWorker]) {
    w.on('error', (err) => logger.error({ err, queue: w.name }, 'queue worker error'));
  }

  const reconciler = new Reconciler({
    messages: repository,
    sendQueue: producer.sendQueue,
    voicemailQueue: producer.voicemailQueue,
    redis: commandRedis,
    prefix,
    enqueueSend,
    logger,
    intervalMs: config.RECONCILE_INTERVAL_MS,
    afterMs: config.RECONCILE_AFTER_MS,
  });
  if (deps.reconciler !== false) reconciler.start();
  const housekeeping = new Housekeeping({
    db: pool,
    logger,
    intervalMs: config.HOUSEKEEPING_INTERVAL_MS,
    rejectedEventRetentionDays: config.REJECTED_EVENT_RETENTION_DAYS,
    messageRetentionDays: config.MESSAGE_RETENTION_DAYS,
  });
  if (deps.housekeeping !== false) housekeeping.start();

  let draining = false;
  const ops = await startOpsServer({
    port: config.METRICS_PORT,
    draining: () => draining,
    checks: {
      postgres: () => pool.query('SELECT 1'),
      redis: () => commandRedis.ping(),
    },
  });
  ops.route('/metrics', async (_req, res) => {
    await collectQueueDepth(metrics, [producer.sendQueue, producer.voicemailQueue]);
    const text = await metrics.registry.metrics();
    res.writeHead(200, { 'content-type': metrics.registry.contentType });
    res.end(text);
  });
  await Promise.all([voicemailWorker.waitUntilReady(), sendWorker.waitUntilReady(), warmUp(pool)]);
  logger.info({ queues: [QUEUES.voicemailEvents, QUEUES.smsSend], concurrency, provider: provider.name, port: ops.port, inlineSend: inlineOk }, 'worker started');

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      draining = true;
      await Promise.all([reconciler.stop(), housekeeping.stop()]);
      // Stop taking jobs, then give the active ones SHUTDOWN_TIMEOUT_MS to finish.
      await Promise.all([voicemailWorker.pause(true), sendWorker.pause(true)]);
      const finished = await active.idle(config.SHUTDOWN_TIMEOUT_MS);
      if (finished) {
        await Promise.all([voicemailWorker.close(), sendWorker.close()]);
      } else {
        // Their locks expire and another replica picks them up as stalled jobs.
        logger.warn({ timeoutMs: config.SHUTDOWN_TIMEOUT_MS, active: active.size }, 'shutdown timeout: abandoning active jobs to other replicas');
        await Promise.all([voicemailWorker.close(true), sendWorker.close(true)]).catch(() => undefined);
      }
      await producer.close().catch(() => undefined);
      await Promise.all(redisConnections.map((r) => r.quit().catch(() => r.disconnect())));
      await Promise.all([pool.end().catch(() => undefined), provider.close().catch(() => undefined)]);
      await ops.close();
      logger.info({ graceful: finished }, 'worker stopped');
    })());

  return { port: ops.port, ops, configCache, metrics, reconcileOnce: () => reconciler.runOnce(true), housekeepOnce: () => housekeeping.runOnce(), close };
}
