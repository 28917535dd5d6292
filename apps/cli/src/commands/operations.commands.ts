import { parseArgs } from 'node:util';
import { AppError } from '@pbx-sms/core';
import { DiagnosticsService, MessageOpsService, tenantIdParam } from '@pbx-sms/db';
import { voicemailEventSchema } from '@pbx-sms/queue';
import { requirePositional } from '../args';
import type { CliContext } from '../context';

function tenantId(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const r = tenantIdParam.safeParse(v);
  if (!r.success) throw new AppError('invalid_request', `tenantId: must be a positive integer, got ${JSON.stringify(v)}`);
  return r.data;
}

function date(flag: string, v: string | undefined): Date | undefined {
  if (v === undefined) return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new AppError('invalid_request', `--${flag}: not a date: ${JSON.stringify(v)}`);
  return d;
}

function ops(ctx: CliContext): MessageOpsService {
  return new MessageOpsService(ctx.prisma, (job) => ctx.producer.requeueSend(job));
}

/** dry-run <tenant> --extension EXT | --to +E164 [--via api|event] */
export async function dryRunCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { extension: { type: 'string' }, to: { type: 'string' }, via: { type: 'string' } } });
  const id = tenantId(requirePositional(positionals, 0, 'tenantId'))!;
  if (values.via !== undefined && values.via !== 'api' && values.via !== 'event') throw new AppError('invalid_request', '--via: api or event');
  const answer = await new DiagnosticsService(ctx.prisma).dryRun(id, { extension: values.extension, to: values.to, via: values.via as 'api' | 'event' | undefined });
  ctx.print(answer.summary);
  for (const r of answer.rules) ctx.print(`  ${r.passed ? 'pass' : 'FAIL'}  ${r.rule}: ${r.explanation}`);
}

/** messages failed|show|retry|retry-all */
export async function messagesCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { tenant: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' }, code: { type: 'string' }, limit: { type: 'string' } },
  });
  const [sub] = positionals;
  const filter = {
    tenantId: tenantId(values.tenant),
    since: date('since', values.since),
    until: date('until', values.until),
    code: values.code,
    limit: values.limit !== undefined ? Number(values.limit) : undefined,
  };
  if (sub === 'failed') return ctx.print(await ops(ctx).listFailed(filter));
  if (sub === 'show') {
    const trace = await new DiagnosticsService(ctx.prisma).trace(filter.tenantId, requirePositional(positionals, 1, 'messageId'));
    return ctx.print(trace);
  }
  if (sub === 'retry') return ctx.print(await ops(ctx).retry(requirePositional(positionals, 1, 'messageId'), filter.tenantId));
  if (sub === 'retry-all') return ctx.print(await ops(ctx).retryAll(filter));
  throw new AppError(
    'invalid_request',
    'usage: messages failed [--tenant ID] [--since ISO] [--until ISO] [--code CODE] | messages show <id> | messages retry <id> | messages retry-all [filters]',
  );
}

/** event publish <tenant> <extension> [--caller-id +E164] [--caller-name NAME] [--duration S] [--event-id ID] */
export async function eventCommand(ctx: CliContext, argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'caller-id': { type: 'string' }, 'caller-name': { type: 'string' }, duration: { type: 'string' }, 'event-id': { type: 'string' } },
  });
  if (positionals[0] !== 'publish') throw new AppError('invalid_request', 'usage: event publish <tenant> <extension> [--caller-id N] [--caller-name NAME] [--duration S] [--event-id ID]');
  const parsed = voicemailEventSchema.safeParse({
    eventId: values['event-id'] ?? `cli-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`,
    tenantId: tenantId(requirePositional(positionals, 1, 'tenantId')),
    extension: requirePositional(positionals, 2, 'extension'),
    callerId: values['caller-id'],
    callerName: values['caller-name'],
    durationSeconds: values.duration !== undefined ? Number(values.duration) : undefined,
    receivedAt: new Date().toISOString(),
  });
  if (!parsed.success) throw new AppError('invalid_request', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  await ctx.producer.publishVoicemailEvent(parsed.data);
  ctx.print({ status: 'queued', eventId: parsed.data.eventId });
}

/** queues: jobs per state and the latest failed jobs of each queue (the admin API's /api/admin/queues). */
export async function queuesCommand(ctx: CliContext): Promise<void> {
  const queues = [ctx.producer.sendQueue, ctx.producer.voicemailQueue];
  for (const q of queues) {
    const counts = await q.getJobCounts('waiting', 'delayed', 'active', 'completed', 'failed', 'prioritized');
    ctx.print(`${q.name}: ${Object.entries(counts).map(([state, n]) => `${state} ${n}`).join(', ')}`);
    for (const j of await q.getFailed(0, 4)) ctx.print(`  failed ${j.id}: ${j.failedReason} (attempts ${j.attemptsMade})`);
  }
}
