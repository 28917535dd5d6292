import pino from 'pino';
import { loadConfigOrExit, workerSchema } from '@pbx-sms/config';
import { createLogger } from '@pbx-sms/observability';
import { exitOnSignals } from './shutdown';
import { startWorker } from './worker';

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

main().catch((err: unknown) => {
  process.stderr.write(`worker failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
