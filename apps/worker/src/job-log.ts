import { performance } from 'node:perf_hooks';
import type { Logger } from '@pbx-sms/observability';

export type JobOutcomeName =
  // voicemail-events (also 'failed': a rule found broken configuration)
  | 'queued'
  | 'skipped'
  | 'duplicate'
  | 'rejected'
  // sms-send
  | 'sent'
  | 'retry'
  | 'failed'
  | 'noop'
  | 'rate_limited';

/** Who a job's log lines are about: bound once to its logger, carried by every line. */
export interface JobIds {
  queue: 'voicemail-events' | 'sms-send';
  jobId: string | undefined;
  tenantId?: number;
  messageId?: string;
  /** An `sms-send` attempt made inside the voicemail job that created the Message (no send job). */
  inline?: true;
}

/** What a job came to, beside its ids. */
export interface JobOutcomeFields {
  outcome: JobOutcomeName;
  /** For a voicemail job: the Message it created or found. */
  messageId?: string | undefined;
  attempt?: number | undefined;
  errorCode?: string | null | undefined;
  /** For sends that reached a terminal status: milliseconds since the Message was created. */
  latencyMs?: number | undefined;
}

/**
 * One per processed job: logged as one JSON line and handed to observers (metrics). Carries
 * ids, counts and codes only: never numbers, bodies or keys.
 */
export type JobOutcome = Omit<JobIds, 'inline'> & JobOutcomeFields & { durationMs: number; inline?: boolean | undefined };

export type OutcomeObserver = (o: JobOutcome) => void;

/**
 * One job's log: a pino child carrying the job's ids, and the report of its outcome (one line,
 * timed from the job's start, and the observers). The child is made on first use: making one
 * costs about as much as writing a line (its bindings go through redaction), and jobs whose
 * outcome is logged at debug mostly write nothing.
 */
export class JobLog {
  private child: Logger | undefined;

  constructor(
    private readonly root: Logger,
    private readonly observers: readonly OutcomeObserver[],
    readonly ids: JobIds,
    private readonly started: number,
  ) {}

  get logger(): Logger {
    this.child ??= this.root.child(this.ids);
    return this.child;
  }

  report(o: JobOutcomeFields): void {
    const durationMs = performance.now() - this.started;
    const level = o.outcome === 'failed' || o.outcome === 'rejected' ? 'warn' : o.outcome === 'rate_limited' || o.outcome === 'noop' ? 'debug' : 'info';
    if (this.root.isLevelEnabled(level)) this.logger[level]({ ...o, durationMs: Math.round(durationMs * 10) / 10 }, `${this.ids.queue} ${o.outcome}`);
    if (this.observers.length === 0) return;
    const full: JobOutcome = { ...this.ids, ...o, durationMs };
    for (const observe of this.observers) {
      try {
        observe(full);
      } catch {
        // An observer must never fail a job.
      }
    }
  }
}

/** Opens a job's log: its ids, and when it started (default now). */
export type JobLogs = (ids: JobIds, started?: number) => JobLog;

export function jobLogs(root: Logger, observers: readonly OutcomeObserver[] = []): JobLogs {
  return (ids, started = performance.now()) => new JobLog(root, observers, ids, started);
}
