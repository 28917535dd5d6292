import pino from 'pino';
import { loadConfigOrExit, workerSchema, type WorkerConfig } from '@pbx-sms/config';
import { collectQueueDepth, createLogger, type Metrics } from '@pbx-sms/observability';
import { composeWorker, type WorkerDeps } from './compose';
import { startOpsServer, type OpsServer } from './ops-server';
import type { ReconcileResult } from './reconciler';
import type { HousekeepingResult } from './housekeeping';
import { exitOnSignals } from './shutdown';
import type { TenantConfigCache } from '@pbx-sms/db/pg';

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

/**
 * Builds one worker (`composeWorker`) and starts it: both consumers, the reconciler (unless
 * `deps.reconciler` is false) and the ops HTTP server. `close` stops them in order. Tests run
 * several in one process; `npm run start:worker` runs one and wires the signals.
 */
export async function startWorker(config: WorkerConfig, deps: WorkerDeps = {}): Promise<WorkerHandle> {
  const parts = await composeWorker(config, deps);
  const { logger, metrics, producer, consumers, active, reconciler, housekeeping } = parts;
  for (const c of consumers) c.run().catch((err: unknown) => c.emit('error', err as Error));
  if (deps.reconciler !== false) reconciler.start();
  if (deps.housekeeping !== false) housekeeping.start();

  let draining = false;
  const ops = await startOpsServer({ port: config.METRICS_PORT, draining: () => draining, checks: parts.checks });
  ops.route('/metrics', async (_req, res) => {
    await collectQueueDepth(metrics, [producer.sendQueue, producer.voicemailQueue]);
    const text = await metrics.registry.metrics();
    res.writeHead(200, { 'content-type': metrics.registry.contentType });
    res.end(text);
  });
  await Promise.all([...consumers.map((c) => c.waitUntilReady()), parts.warmUp()]);
  logger.info(
    {
      queues: consumers.map((c) => c.name),
      concurrency: config.WORKER_CONCURRENCY,
      provider: parts.provider.name,
      port: ops.port,
      inlineSend: parts.inlineSend,
    },
    'worker started',
  );

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      draining = true;
      await Promise.all([reconciler.stop(), housekeeping.stop()]);
      // Stop taking jobs, then give the active ones SHUTDOWN_TIMEOUT_MS to finish.
      await Promise.all(consumers.map((c) => c.pause(true)));
      const finished = await active.idle(config.SHUTDOWN_TIMEOUT_MS);
      if (finished) {
        await Promise.all(consumers.map((c) => c.close()));
      } else {
        // Their locks expire and another replica picks them up as stalled jobs.
        logger.warn({ timeoutMs: config.SHUTDOWN_TIMEOUT_MS, active: active.size }, 'shutdown timeout: abandoning active jobs to other replicas');
        await Promise.all(consumers.map((c) => c.close(true))).catch(() => undefined);
      }
      await parts.closeConnections();
      await ops.close();
      logger.info({ graceful: finished }, 'worker stopped');
    })());

  return {
    port: ops.port,
    ops,
    configCache: parts.configCache,
    metrics,
    reconcileOnce: () => reconciler.runOnce(true),
    housekeepOnce: () => housekeeping.runOnce(),
    close,
  };
}

/** `npm run start:worker`: reads only the environment. */
async function main(): Promise<void> {
  const config = loadConfigOrExit(workerSchema);
  // Asynchronous stdout: log lines written while a write is in flight share the next one,
  // instead of one blocking write per job outcome. Flushed before exit.
  const destination = pino.destination({ dest: 1, sync: false });
  const logger = createLogger({ level: config.LOG_LEVEL, name: 'worker', destination });
  const flush = () => {
    try {
      destination.flushSync();
    } catch {
      // Not open yet: nothing buffered.
    }
  };
  process.on('unhandledRejection', (err) => logger.error({ err }, 'unhandled rejection'));
  const worker = await startWorker(config, { logger });
  exitOnSignals(() => worker.close(), logger, config.SHUTDOWN_TIMEOUT_MS + 10_000, flush);
}

// Run as the process (`node apps/worker/dist/main.js`), not when tests import `startWorker`.
if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`worker failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
