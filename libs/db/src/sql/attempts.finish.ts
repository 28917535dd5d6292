import { Params, unnestRows, type Column } from './columns';
import type { MessageStatusName } from './messages.read';

/**
 * How attempts end: the CTEs that write each attempt's row and its Message's new state, many
 * Messages in one statement (MessageRepository.writeBatch).
 */

/**
 * Which attempt ended: the Message, the attempt's number and when it began. Its attempt row is
 * written now, keyed by (message, attempt), so writing the same outcome twice (a retried write)
 * leaves one row.
 */
export interface AttemptRef {
  id: string;
  attempt: number;
  startedAt: Date;
}

/** How an attempt ended: the Message's new state and the attempt's record, in one write. */
export type AttemptFinish = AttemptRef &
  (
    | { kind: 'sent'; providerMessageId: string; from: string; to: string; durationMs: number }
    /** Transient failure with retries left: back to `queued` while the job waits out its backoff. */
    | { kind: 'retry'; errorCode: string; providerError: string; durationMs: number }
    /** Permanent failure or retry budget spent: terminal `failed`. */
    | { kind: 'failed'; errorCode: string; detail: string; providerError: string | null; durationMs: number }
    /**
     * A rule stopped the send before the provider was called: terminal `failed` or `skipped`
     * (`blockedStatus`). No provider attempt happened: no attempt row, and the count is restored.
     */
    | { kind: 'blocked'; status: 'failed' | 'skipped'; errorCode: string; detail: string }
  );

/** The attempt a claimed Message is on, as an outcome names it. */
export function attemptRef(c: AttemptRef): AttemptRef {
  return { id: c.id, attempt: c.attempt, startedAt: c.startedAt };
}

interface FinishRow {
  id: string;
  attempt: number;
  startedAt: Date;
  status: MessageStatusName;
  /** null: no attempt row (blocked before the provider was called). */
  attemptOutcome: 'sent' | 'retry' | 'failed' | null;
  errorCode: string | null;
  errorDetail: string | null;
  attemptErrorCode: string | null;
  providerError: string | null;
  durationMs: number | null;
  providerMessageId: string | null;
  from: string | null;
  to: string | null;
}

function finishRow(f: AttemptFinish): FinishRow {
  const ref = attemptRef(f);
  const none = { providerMessageId: null, from: null, to: null };
  switch (f.kind) {
    case 'sent':
      return {
        ...ref,
        status: 'sent',
        attemptOutcome: 'sent',
        errorCode: null,
        errorDetail: null,
        attemptErrorCode: null,
        providerError: null,
        durationMs: f.durationMs,
        providerMessageId: f.providerMessageId,
        from: f.from,
        to: f.to,
      };
    case 'retry':
      return {
        ...ref,
        status: 'queued',
        attemptOutcome: 'retry',
        errorCode: null,
        errorDetail: f.providerError,
        attemptErrorCode: f.errorCode,
        providerError: f.providerError,
        durationMs: f.durationMs,
        ...none,
      };
    case 'failed':
      return {
        ...ref,
        status: 'failed',
        attemptOutcome: 'failed',
        errorCode: f.errorCode,
        errorDetail: f.detail,
        attemptErrorCode: f.errorCode,
        providerError: f.providerError,
        durationMs: f.durationMs,
        ...none,
      };
    case 'blocked':
      return {
        ...ref,
        status: f.status,
        attemptOutcome: null,
        errorCode: f.errorCode,
        errorDetail: f.detail,
        attemptErrorCode: null,
        providerError: null,
        durationMs: null,
        ...none,
      };
  }
}

const COLUMNS: readonly Column<FinishRow>[] = [
  { name: 'id', type: 'uuid', value: (r) => r.id },
  { name: 'attempt', type: 'int', value: (r) => r.attempt },
  { name: 'started_at', type: 'timestamptz', value: (r) => r.startedAt },
  { name: 'status', type: 'text', value: (r) => r.status },
  { name: 'attempt_outcome', type: 'text', value: (r) => r.attemptOutcome },
  { name: 'error_code', type: 'text', value: (r) => r.errorCode },
  { name: 'error_detail', type: 'text', value: (r) => r.errorDetail },
  { name: 'attempt_error_code', type: 'text', value: (r) => r.attemptErrorCode },
  { name: 'provider_error', type: 'text', value: (r) => r.providerError },
  { name: 'duration_ms', type: 'int', value: (r) => r.durationMs },
  { name: 'provider_message_id', type: 'text', value: (r) => r.providerMessageId },
  { name: 'from_number', type: 'text', value: (r) => r.from },
  { name: 'to_number', type: 'text', value: (r) => r.to },
];

/**
 * CTEs that end attempts: `v` (the outcomes), `att` (their attempt rows), `fin` (the Messages).
 * Ordered by Message id, so concurrent batches lock rows in one order.
 */
export function finishAttemptsCte(params: Params, finishes: readonly AttemptFinish[]): string {
  const rows = [...finishes].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map(finishRow);
  return `v AS (
         SELECT * FROM ${unnestRows(params, 'v', COLUMNS, rows)}),
       att AS (
         INSERT INTO message_attempts (message_id, attempt, started_at, finished_at, outcome, error_code, provider_error, duration_ms)
         SELECT v.id, v.attempt, v.started_at, now(), v.attempt_outcome, v.attempt_error_code, v.provider_error, v.duration_ms
         FROM v WHERE v.attempt_outcome IS NOT NULL
         ON CONFLICT (message_id, attempt) DO UPDATE SET finished_at = EXCLUDED.finished_at, outcome = EXCLUDED.outcome,
           error_code = EXCLUDED.error_code, provider_error = EXCLUDED.provider_error, duration_ms = EXCLUDED.duration_ms),
       fin AS (
         UPDATE messages m SET
           status = v.status::message_status,
           error_code = v.error_code,
           error_detail = v.error_detail,
           attempts = CASE WHEN v.attempt_outcome IS NULL THEN GREATEST(m.attempts - 1, 0) ELSE m.attempts END,
           provider_message_id = COALESCE(v.provider_message_id, m.provider_message_id),
           from_number = COALESCE(v.from_number, m.from_number),
           to_number = COALESCE(v.to_number, m.to_number),
           sent_at = CASE WHEN v.status = 'sent' THEN now() ELSE m.sent_at END,
           updated_at = now()
         FROM v WHERE m.id = v.id
         RETURNING m.id)`;
}
