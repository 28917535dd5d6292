import type { AttemptFinish, AttemptRef, MessageStatusName, NewVoicemailMessage } from './message.repository';

/** The SQL of MessageRepository.writeBatch: new voicemail Messages and attempt outcomes. */

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

export function finishRow(f: AttemptFinish): FinishRow {
  const ref = attemptRef(f);
  const none = { providerMessageId: null, from: null, to: null };
  switch (f.kind) {
    case 'sent':
      return { ...ref, status: 'sent', attemptOutcome: 'sent', errorCode: null, errorDetail: null, attemptErrorCode: null, providerError: null, durationMs: f.durationMs, providerMessageId: f.providerMessageId, from: f.from, to: f.to };
    case 'retry':
      return { ...ref, status: 'queued', attemptOutcome: 'retry', errorCode: null, errorDetail: f.providerError, attemptErrorCode: f.errorCode, providerError: f.providerError, durationMs: f.durationMs, ...none };
    case 'failed':
      return { ...ref, status: 'failed', attemptOutcome: 'failed', errorCode: f.errorCode, errorDetail: f.detail, attemptErrorCode: f.errorCode, providerError: f.providerError, durationMs: f.durationMs, ...none };
    case 'blocked':
      return { ...ref, status: f.status, attemptOutcome: null, errorCode: f.errorCode, errorDetail: f.detail, attemptErrorCode: null, providerError: null, durationMs: null, ...none };
  }
}

export interface InsertedRow {
  id: string;
  tenant_id: number;
  event_id: string;
  status: MessageStatusName;
  created_at: Date;
}

/** `$n` placeholders numbered from `offset + 1`. */
const params = (offset: number, n: number) => Array.from({ length: n }, (_, i) => `$${offset + i + 1}`);

/**
 * CTE `ins`: new voicemail Messages (the unique (tenant_id, event_id) is the dedup), those to
 * be sent at once inserted already claimed (`sending`, attempt 1 begun at `created_at`).
 */
export function insertSql(offset: number): string {
  const p = params(offset, 12);
  return `ins AS (
         INSERT INTO messages (id, tenant_id, kind, source, from_number, to_number, body, status, error_code, error_detail,
                               segments, encoding, extension, event_id, attempts, created_at, updated_at)
         SELECT gen_random_uuid(), v.tenant_id, 'voicemail', 'event', v.from_number, v.to_number, v.body,
                (CASE WHEN v.claim THEN 'sending' ELSE v.status END)::message_status,
                v.error_code, v.error_detail, v.segments, v.encoding, v.extension, v.event_id, CASE WHEN v.claim THEN 1 ELSE 0 END, now(), now()
         FROM unnest(${p[0]}::int[], ${p[1]}::text[], ${p[2]}::text[], ${p[3]}::text[], ${p[4]}::text[], ${p[5]}::text[], ${p[6]}::text[], ${p[7]}::int[], ${p[8]}::text[], ${p[9]}::text[], ${p[10]}::text[], ${p[11]}::bool[])
           AS v(tenant_id, from_number, to_number, body, status, error_code, error_detail, segments, encoding, extension, event_id, claim)
         ON CONFLICT (tenant_id, event_id) DO NOTHING
         RETURNING id, tenant_id, event_id, status, created_at)`;
}

export function insertValues(sorted: NewVoicemailMessage[]): unknown[] {
  const col = <K extends keyof NewVoicemailMessage>(k: K) => sorted.map((m) => m[k]);
  return [col('tenantId'), col('from'), col('to'), col('body'), col('status'), col('errorCode'), col('errorDetail'), col('segments'), col('encoding'), col('extension'), col('eventId'),
    sorted.map((m) => m.claim === true && m.status === 'queued')];
}

/** CTEs that end attempts: `v` (the outcomes), `att` (their attempt rows), `fin` (the Messages). */
export function finishSql(offset: number): string {
  const p = params(offset, 13);
  return `v AS (
         SELECT * FROM unnest(${p[0]}::uuid[], ${p[1]}::int[], ${p[2]}::timestamptz[], ${p[3]}::text[], ${p[4]}::text[], ${p[5]}::text[], ${p[6]}::text[], ${p[7]}::text[], ${p[8]}::text[], ${p[9]}::int[], ${p[10]}::text[], ${p[11]}::text[], ${p[12]}::text[])
           AS v(id, attempt, started_at, status, attempt_outcome, error_code, error_detail, attempt_error_code, provider_error, duration_ms,
                provider_message_id, from_number, to_number)),
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

export function finishValues(rows: FinishRow[]): unknown[] {
  const col = <K extends keyof FinishRow>(k: K) => rows.map((r) => r[k]);
  return [col('id'), col('attempt'), col('startedAt'), col('status'), col('attemptOutcome'), col('errorCode'), col('errorDetail'), col('attemptErrorCode'), col('providerError'), col('durationMs'), col('providerMessageId'), col('from'), col('to')];
}
