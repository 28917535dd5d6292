import type { Logger } from '@pbx-sms/observability';

export type JobOutcomeName =
  // voicemail-events (also 'failed': a rule found broken configuration)
  | 'queued' | 'skipped' | 'duplicate' | 'rejected'
  // sms-send
  | 'sent' | 'retry' | 'failed' | 'noop' | 'rate_limited';

/**
 * One per processed job: logged as one JSON line and handed to observers (metrics). Carries
 * ids, counts and codes only: never numbers, bodies or keys.
 */
export interface JobOutcome {
  queue: 'voicemail-events' | 'sms-send';
  jobId: string | undefined;
  outcome: JobOutcomeName;
  tenantId?: number | undefined;
  messageId?: string | undefined;
  attempt?: number | undefined;
  durationMs: number;
  errorCode?: string | null | undefined;
  /** An `sms-send` attempt made inside the voicemail job that created the Message (no send job). */
  inline?: boolean | undefined;
  /** For sends that reached a terminal status: milliseconds since the Message was created. */
  latencyMs?: number | undefined;
}

export type OutcomeObserver = (o: JobOutcome) => void;

export function outcomeReporter(logger: Logger, observers: OutcomeObserver[] = []): (o: JobOutcome) => void {
  return (o) => {
    const level = o.outcome === 'failed' || o.outcome === 'rejected' ? 'warn' : o.outcome === 'rate_limited' || o.outcome === 'noop' ? 'debug' : 'info';
    logger[level]({ ...o, durationMs: Math.round(o.durationMs * 10) / 10 }, `${o.queue} ${o.outcome}`);
    for (const observe of observers) {
      try {
        observe(o);
      } catch {
        // An observer must never fail a job.
      }
    }
  };
}
