import type { Logger } from '@pbx-sms/observability';

/**
 * SIGTERM / SIGINT: close gracefully (stop taking jobs, finish active ones, close
 * connections), then exit 0. A second signal exits at once with 1; so does a close that
 * overruns `hardLimitMs` (the worker's own shutdown timeout plus a margin).
 */
export function exitOnSignals(close: () => Promise<void>, logger: Logger, hardLimitMs: number, flush: () => void = () => logger.flush()): void {
  let stopping = false;
  const exit = (code: number) => {
    flush();
    process.exit(code);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error({ hardLimitMs }, 'shutdown overran its limit: exiting');
      exit(1);
    }, hardLimitMs).unref();
    close().then(
      () => exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
