import { sendBackoffDelay } from './backoff';
import { ERROR_CATALOGUE, type ErrorCode } from './errors';
import { blockedStatus, type Decision } from './rules';

/**
 * How one send attempt ends: the one place that decides sent, retry, failed or blocked. Pure:
 * the worker's attempt gathers what happened (the rules' re-check, the provider's answer) and
 * writes what this decides.
 */

/** A classified provider failure, as the SMS provider port reports it (`ProviderError` fits). */
export interface ProviderFailure {
  kind: 'transient' | 'permanent';
  /** The code recorded on the Message if this failure ends it. */
  code: Extract<ErrorCode, 'provider_rejected' | 'provider_unavailable' | 'opted_out'>;
  /** The provider's own error code (e.g. `Throttled`), or `Timeout` / `Network`. */
  providerCode: string;
  /** Safe to store: already redacted. */
  detail: string;
}

/** What an attempt came to before its outcome is decided. */
export type AttemptResult =
  /** No call made: the round's attempts were already used up by attempts cut short (crashes). */
  | { kind: 'round_spent' }
  /** No call made: the rules, re-checked against current configuration, stopped it. */
  | { kind: 'blocked'; decision: Extract<Decision, { allowed: false }> }
  | { kind: 'sent'; providerMessageId: string }
  | { kind: 'provider_error'; error: ProviderFailure };

/** The Message being sent: its kind and this attempt's number within its round. */
export interface AttemptPosition {
  kind: 'api' | 'voicemail';
  attemptInRound: number;
}

/** SEND_MAX_ATTEMPTS per round, and SEND_BACKOFF_MS for the first retry. */
export interface SendBudget {
  maxAttempts: number;
  backoffMs: number;
  /** Jitter source for the retry delay; default Math.random. */
  random?: () => number;
}

export type Outcome =
  | { kind: 'sent'; providerMessageId: string }
  /** Transient failure with attempts left in the round: back to `queued`, tried again after `delayMs`. */
  | { kind: 'retry'; code: ErrorCode; providerError: string; delayMs: number }
  /** Permanent failure, or the round's budget spent: terminal `failed`. */
  | { kind: 'failed'; code: ErrorCode; detail: string; providerError: string | null }
  /** A rule stopped it before any call: terminal `skipped` or `failed` (`blockedStatus`). */
  | { kind: 'blocked'; status: 'skipped' | 'failed'; code: ErrorCode; detail: string };

const DETAIL_MAX = 1000;

/** Whether the round's budget was spent before this attempt: then it ends without a call. */
export function roundSpent(attempt: AttemptPosition, budget: SendBudget): boolean {
  return attempt.attemptInRound > budget.maxAttempts;
}

/** How the attempt ends. The budget is per round: an operator retry starts a new one. */
export function decideOutcome(result: AttemptResult, attempt: AttemptPosition, budget: SendBudget): Outcome {
  switch (result.kind) {
    case 'sent':
      return { kind: 'sent', providerMessageId: result.providerMessageId };
    case 'round_spent':
      return { kind: 'failed', code: 'provider_unavailable', detail: ERROR_CATALOGUE.provider_unavailable.text, providerError: null };
    case 'blocked': {
      const { decision } = result;
      return { kind: 'blocked', status: blockedStatus(attempt.kind, decision.blockedBy.rule), code: decision.code, detail: decision.blockedBy.explanation };
    }
    case 'provider_error': {
      const { error } = result;
      const providerError = `${error.providerCode}: ${error.detail}`;
      if (error.kind === 'permanent') {
        return { kind: 'failed', code: error.code, detail: `${ERROR_CATALOGUE[error.code].text} (${providerError})`.slice(0, DETAIL_MAX), providerError };
      }
      if (attempt.attemptInRound >= budget.maxAttempts) {
        const detail = `${ERROR_CATALOGUE.provider_unavailable.text}: ${attempt.attemptInRound} attempts (last: ${providerError})`.slice(0, DETAIL_MAX);
        return { kind: 'failed', code: 'provider_unavailable', detail, providerError };
      }
      return { kind: 'retry', code: error.code, providerError, delayMs: sendBackoffDelay(attempt.attemptInRound, budget.backoffMs, undefined, budget.random) };
    }
  }
}
