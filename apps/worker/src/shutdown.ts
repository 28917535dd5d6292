import type { Logger } from '@pbx-sms/observability';

/**
 * SIGTERM / SIGINT: close gracefully (stop taking jobs, finish active ones, close
 * connections), then exit 0. A second signal exits at once with 1; so does a close that
 * overruns `hardLimitMs` (the worker's own shutdown timeout plus a margin).
 */
export function exitOnSignals(close: () => Promise<void>, logger: Logger, hardLimitMs: number): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error({ hardLimitMs }, 'shutdown overran its limit: exiting');
      process.exit(1);
    }, hardLimitMs).unref();
    close().then(
      () => {
        logger.flush();
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
