import { performance } from 'node:perf_hooks';
import {
  decideOutcome,
  defaultTenantConfig,
  evaluateRules,
  roundSpent,
  type AttemptResult,
  type Decision,
  type ExtensionConfig,
  type Outcome,
  type SendBudget,
  type TenantConfig,
} from '@pbx-sms/core';
import { attemptRef, type AttemptFinish, type ClaimedMessage } from '@pbx-sms/db/pg';
import { redactText } from '@pbx-sms/observability';
import { ProviderError, isProviderError, type SmsRequest, type SmsProvider } from '@pbx-sms/sms';
import type { MessageStore } from '../message-store';
import type { SendSlots } from '@pbx-sms/concurrency';
import type { TenantConfigCache } from '@pbx-sms/db/pg';
import type { JobLog } from '../job-log';

export interface SendAttemptDeps {
  messages: MessageStore;
  config: TenantConfigCache;
  provider: SmsProvider;
  /** SEND_MAX_ATTEMPTS per round and SEND_BACKOFF_MS. */
  budget: SendBudget;
  /**
   * The process's provider-call slots (WORKER_CONCURRENCY), shared by send jobs and inline
   * sends: held from the provider call until its outcome is written.
   */
  slots: SendSlots;
  /**
   * How long a failed write of a `sent` outcome is retried before the attempt gives up (and is
   * run again, sending a second SMS). Default 120 s.
   */
  sentWriteRetryMs?: number;
}

/** The rules' decision and the configuration it was made against (whom to send from, the extension's number). */
export interface RulesCheck {
  decision: Decision;
  tenant: TenantConfig;
  ext: ExtensionConfig | null;
}

/**
 * One send attempt of a Message, after the rate limit let it through: claim (already terminal,
 * or claimed by another job: null, nothing to do), then `attemptClaimed`.
 */
export async function attemptSend(deps: SendAttemptDeps, messageId: string, log: JobLog): Promise<Outcome | null> {
  const m = await deps.messages.claimForSend(messageId);
  if (!m) {
    log.report({ outcome: 'noop' });
    return null;
  }
  return attemptClaimed(deps, m, log);
}

/**
 * The attempt of a Message already claimed (status `sending`, its attempt row open): re-check
 * the rules against current configuration (unless `checked` carries a check just made), call the
 * provider, decide the outcome (`decideOutcome`), write it once and report it. A write that
 * fails is thrown: the caller runs the attempt again (at-least-once).
 */
export async function attemptClaimed(deps: SendAttemptDeps, m: ClaimedMessage, log: JobLog, checked?: RulesCheck): Promise<Outcome> {
  if (roundSpent(m, deps.budget)) return settle(deps, m, log, { kind: 'round_spent' }, null);
  const { decision, tenant, ext } = checked ?? (await recheckRules(deps, m));
  if (!decision.allowed) return settle(deps, m, log, { kind: 'blocked', decision }, null);
  // Rules passed, so the sender exists; a voicemail goes to the extension's current number.
  const req: SmsRequest = {
    from: tenant.sender!.e164,
    to: m.kind === 'voicemail' ? (ext?.smsNumber ?? m.to ?? '') : (m.to ?? ''),
    body: m.body,
    messageId: m.id,
  };

  // One of the process's provider-call slots, from the call until its outcome is written: a
  // message the provider may have accepted but that is not yet recorded as such holds a slot,
  // so a crash can leave at most WORKER_CONCURRENCY of them per process (send-slots.ts).
  return deps.slots.run(async () => {
    const callStarted = performance.now();
    const result = await callProvider(deps.provider, req);
    return settle(deps, m, log, result, { req, durationMs: Math.round(performance.now() - callStarted) });
  });
}

async function recheckRules(deps: SendAttemptDeps, m: ClaimedMessage): Promise<RulesCheck> {
  const tenant = (await deps.config.tenant(m.tenantId)) ?? defaultTenantConfig(m.tenantId);
  if (m.kind === 'api') {
    return { tenant, ext: null, decision: evaluateRules(tenant, { kind: 'api', via: 'api', to: m.to ?? '', text: m.body }) };
  }
  const extension = m.extension ?? '';
  const ext = await deps.config.extension(m.tenantId, extension);
  return { tenant, ext, decision: evaluateRules(tenant, { kind: 'voicemail', via: m.source === 'event' ? 'event' : 'api', extension }, ext) };
}

/** The provider's answer as a result: whatever it throws becomes a classified failure (unknown errors: transient). */
async function callProvider(provider: SmsProvider, req: SmsRequest): Promise<AttemptResult> {
  try {
    const { providerMessageId } = await provider.send(req);
    return { kind: 'sent', providerMessageId };
  } catch (err) {
    const error = isProviderError(err)
      ? err
      : new ProviderError('transient', 'provider_unavailable', 'Unexpected', redactText(String((err as Error)?.message ?? err)).slice(0, 500));
    return { kind: 'provider_error', error };
  }
}

/** The provider call an attempt made: what was asked, and how long the answer took. */
interface ProviderCall {
  req: SmsRequest;
  durationMs: number;
}

/** Decides the attempt's outcome, writes it (one write) and reports it. `call`: null when none was made. */
async function settle(deps: SendAttemptDeps, m: ClaimedMessage, log: JobLog, result: AttemptResult, call: ProviderCall | null): Promise<Outcome> {
  const outcome = decideOutcome(result, m, deps.budget);
  const finish = attemptFinish(m, outcome, call);
  if (finish.kind === 'sent') await writeSentOutcome(deps, () => deps.messages.finishAttempt(finish));
  else await deps.messages.finishAttempt(finish);
  const latencyMs = Date.now() - m.createdAt.getTime();
  switch (outcome.kind) {
    case 'sent':
      log.report({ attempt: m.attempt, outcome: 'sent', errorCode: null, latencyMs });
      break;
    case 'retry':
      log.report({ attempt: m.attempt, outcome: 'retry', errorCode: outcome.code });
      break;
    case 'failed':
      log.report({ attempt: m.attempt, outcome: 'failed', errorCode: outcome.code, latencyMs });
      break;
    case 'blocked':
      // No provider attempt happened: the count is restored.
      log.report({ attempt: m.attempt - 1, outcome: outcome.status, errorCode: outcome.code, latencyMs });
      break;
  }
  return outcome;
}

function attemptFinish(m: ClaimedMessage, outcome: Outcome, call: ProviderCall | null): AttemptFinish {
  const ref = attemptRef(m);
  const durationMs = call?.durationMs ?? 0;
  switch (outcome.kind) {
    case 'sent':
      // Only a call's answer is `sent`: `call` is there.
      return { kind: 'sent', ...ref, providerMessageId: outcome.providerMessageId, from: call!.req.from, to: call!.req.to, durationMs };
    case 'retry':
      return { kind: 'retry', ...ref, errorCode: outcome.code, providerError: outcome.providerError, durationMs };
    case 'failed':
      return { kind: 'failed', ...ref, errorCode: outcome.code, detail: outcome.detail, providerError: outcome.providerError, durationMs };
    case 'blocked':
      return { kind: 'blocked', ...ref, status: outcome.status, errorCode: outcome.code, detail: outcome.detail };
  }
}

/**
 * Writes the outcome of a send the provider accepted. A failed write (Postgres restarting) is
 * retried here, with backoff, rather than thrown: thrown, the attempt would be run again and
 * the SMS would go out a second time although this worker knows it was sent. Only if it keeps
 * failing is it thrown (at-least-once: the Message then shows both attempts).
 */
async function writeSentOutcome(deps: SendAttemptDeps, write: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + (deps.sentWriteRetryMs ?? 120_000);
  for (let delayMs = 100; ; delayMs = Math.min(delayMs * 2, 5_000)) {
    try {
      return await write();
    } catch (err) {
      if (Date.now() + delayMs > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}
