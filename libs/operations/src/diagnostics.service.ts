import { AppError, ERROR_CATALOGUE, evaluateRules, isErrorCode, type RuleOutcome, type RuleSubject } from '@pbx-sms/core';
import { loadExtension, loadTenantConfig, type PrismaClient, type SqlRunner } from '@pbx-sms/db';

/**
 * "Why wasn't it sent?": a dry run of the rules against current configuration, and the trace
 * of one message with every attempt, both in plain words for operators.
 */

export interface DryRunInput {
  extension?: string | undefined;
  to?: string | undefined;
  /** 'api' evaluates as an API request (Enable SMS API counts); 'event' as a PBX event. Default: api for `to`, event for `extension`. */
  via?: 'api' | 'event' | undefined;
}

export interface RuleReport {
  rule: string;
  passed: boolean;
  explanation: string;
  code?: string;
}

export interface DryRunAnswer {
  tenantId: number;
  subject: { kind: 'api' | 'voicemail'; via: 'api' | 'event'; to?: string; extension?: string };
  wouldSend: boolean;
  blockedBy: RuleReport | null;
  /** What the caller would get: the documented or catalogue answer of the blocking rule. */
  answer: { status: number; code: string } | null;
  rules: RuleReport[];
  summary: string;
}

function report(o: RuleOutcome): RuleReport {
  return o.passed ? { rule: o.rule, passed: true, explanation: o.explanation } : { rule: o.rule, passed: false, explanation: o.explanation, code: o.code };
}

/** The round of attempt `n`: 1, plus one per operator retry begun before it (`round_bases`: the attempt counts retries began at). */
function roundOf(roundBases: number[], n: number): number {
  return 1 + roundBases.filter((base) => base < n).length;
}

export class DiagnosticsService {
  constructor(
    private readonly prisma: PrismaClient,
    /** Where the dry run reads configuration: the reader the API and the worker cache. */
    private readonly db: SqlRunner,
  ) {}

  async dryRun(tenantId: number, input: DryRunInput): Promise<DryRunAnswer> {
    if ((input.extension === undefined) === (input.to === undefined)) throw new AppError('invalid_request', 'give exactly one of extension or to');
    const tenant = await loadTenantConfig(this.db, tenantId);
    if (!tenant) throw new AppError('not_found', `Tenant ${tenantId} not found`);
    let subject: RuleSubject;
    let ext = null;
    if (input.to !== undefined) {
      subject = { kind: 'api', via: 'api', to: input.to, text: 'dry run' };
    } else {
      subject = { kind: 'voicemail', via: input.via ?? 'event', extension: input.extension! };
      ext = await loadExtension(this.db, tenantId, input.extension!);
    }
    const d = evaluateRules(tenant, subject, ext);
    const rules = d.outcomes.filter((o) => o.rule !== 'message_valid').map(report);
    const blockedBy = d.allowed ? null : report(d.blockedBy);
    const who = subject.kind === 'api' ? 'this number' : `extension ${input.extension}`;
    return {
      tenantId,
      subject: subject.kind === 'api' ? { kind: 'api', via: 'api', to: input.to! } : { kind: 'voicemail', via: subject.via, extension: input.extension! },
      wouldSend: d.allowed,
      blockedBy,
      answer: d.allowed ? null : { status: ERROR_CATALOGUE[d.code].status, code: d.code },
      rules,
      summary: d.allowed
        ? `An SMS to ${who} would be sent from ${tenant.sender?.e164 ?? 'the sender number'}: every rule passes.`
        : `No SMS to ${who}: ${d.blockedBy.explanation} (${d.code}).`,
    };
  }

  async trace(tenantId: number | undefined, messageId: string) {
    const m = /^[0-9a-f-]{36}$/i.test(messageId)
      ? await this.prisma.message.findFirst({
          where: { id: messageId, ...(tenantId !== undefined ? { tenantId } : {}) },
          include: { attemptLog: { orderBy: { id: 'asc' } } },
        })
      : null;
    if (!m)
      throw new AppError('not_found', tenantId !== undefined ? `Message ${messageId} not found for tenant ${tenantId}` : `Message ${messageId} not found`);
    const codeText = m.errorCode && isErrorCode(m.errorCode) ? ERROR_CATALOGUE[m.errorCode].text : null;
    const last = m.attemptLog[m.attemptLog.length - 1];
    let explanation: string;
    switch (m.status) {
      case 'sent':
        explanation = `Sent at ${m.sentAt?.toISOString() ?? m.updatedAt.toISOString()} after ${m.attempts} attempt(s); the provider's message id is ${m.providerMessageId ?? 'unknown'}.`;
        break;
      case 'skipped':
        explanation = `Not sent: ${m.errorDetail ?? codeText ?? 'a rule stopped it'} (${m.errorCode ?? 'unknown'}).`;
        break;
      case 'failed':
        // No attempt: a rule found broken configuration (e.g. no sender) before any send.
        explanation = `${m.attempts > 0 ? `Failed after ${m.attempts} attempt(s)` : 'Failed before any send attempt'}: ${m.errorDetail ?? codeText ?? 'unknown error'} (${m.errorCode ?? 'unknown'}).${last?.providerError ? ` Last provider answer: ${last.providerError}` : ''}`;
        break;
      case 'sending':
        // The claim set updated_at; the attempt's row is written when it ends.
        explanation = `Being sent: attempt ${m.attempts} started ${m.updatedAt.toISOString()}.`;
        break;
      default:
        explanation =
          m.attempts > 0
            ? `Queued for retry after ${m.attempts} attempt(s)${last?.errorCode ? ` (last: ${last.errorCode})` : ''}.`
            : `Queued since ${m.createdAt.toISOString()}, waiting for a worker.`;
    }
    return {
      id: m.id,
      tenantId: m.tenantId,
      kind: m.kind,
      source: m.source,
      status: m.status,
      from: m.from,
      to: m.to,
      extension: m.extension,
      eventId: m.eventId,
      segments: m.segments,
      encoding: m.encoding,
      errorCode: m.errorCode,
      errorDetail: m.errorDetail,
      providerMessageId: m.providerMessageId,
      createdAt: m.createdAt,
      updatedAt: m.updatedAt,
      sentAt: m.sentAt,
      explanation,
      // Each attempt with its round: an operator retry starts a new one (attempt numbers go on).
      attempts: [
        ...m.attemptLog.map((a) => ({
          attempt: a.attempt,
          round: roundOf(m.roundBases, a.attempt),
          startedAt: a.startedAt,
          finishedAt: a.finishedAt,
          durationMs: a.durationMs,
          outcome: a.outcome ?? 'interrupted',
          errorCode: a.errorCode,
          providerError: a.providerError,
        })),
        // The attempt under way has no row yet (it is written when the attempt ends).
        ...(m.status === 'sending' && !m.attemptLog.some((a) => a.attempt === m.attempts)
          ? [
              {
                attempt: m.attempts,
                round: roundOf(m.roundBases, m.attempts),
                startedAt: m.updatedAt,
                finishedAt: null,
                durationMs: null,
                outcome: 'sending',
                errorCode: null,
                providerError: null,
              },
            ]
          : []),
      ],
    };
  }
}
