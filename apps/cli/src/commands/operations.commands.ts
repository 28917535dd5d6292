import { AppError } from '@pbx-sms/core';
import { DiagnosticsService, MessageOpsService, RejectedEventsService, rejectedEventsQuery, type FailedFilter } from '@pbx-sms/operations';
import { voicemailEventSchema } from '@pbx-sms/queue';
import type { Args, Command } from '../command';
import type { CliContext } from '../context';
import { parse, tenantId } from './config.commands';

const PG = ['postgres'] as const;
const PG_REDIS = ['postgres', 'redis'] as const;
const FILTERS = '[--tenant ID] [--since ISO] [--until ISO] [--code CODE] [--limit N]';

function date(flag: string, v: string | undefined): Date | undefined {
  if (v === undefined) return undefined;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new AppError('invalid_request', `--${flag}: not a date: ${JSON.stringify(v)}`);
  return d;
}

function limit(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new AppError('invalid_request', `--limit: expected a positive integer, got ${JSON.stringify(v)}`);
  return n;
}

const optionalTenant = (v: string | undefined) => (v === undefined ? undefined : tenantId(v));

function filter({ values }: Args): FailedFilter {
  return {
    tenantId: optionalTenant(values.tenant),
    since: date('since', values.since),
    until: date('until', values.until),
    code: values.code,
    limit: limit(values.limit),
  };
}

function ops(ctx: CliContext): MessageOpsService {
  return new MessageOpsService(ctx.prisma, (job) => ctx.producer.requeueSend(job));
}

export const dryRunCommand: Command = {
  options: ['extension', 'to', 'via'],
  actions: {
    '': {
      args: '<tenantId> --extension EXT | --to +E164 [--via api|event]',
      help: 'which rule would block, in plain words',
      needs: PG,
      run: async (ctx, { positionals: [id], values }) => {
        if (values.extension === undefined && values.to === undefined) throw new AppError('invalid_request', 'missing --extension or --to');
        if (values.via !== undefined && values.via !== 'api' && values.via !== 'event') throw new AppError('invalid_request', '--via: api or event');
        const answer = await new DiagnosticsService(ctx.prisma, ctx.pool).dryRun(tenantId(id!), {
          extension: values.extension,
          to: values.to,
          via: values.via,
        });
        ctx.print(answer.summary);
        for (const r of answer.rules) ctx.print(`  ${r.passed ? 'pass' : 'FAIL'}  ${r.rule}: ${r.explanation}`);
      },
    },
  },
};

export const messagesCommand: Command = {
  options: ['tenant', 'since', 'until', 'code', 'limit'],
  actions: {
    failed: { args: FILTERS, help: 'failed messages, newest first', needs: PG, run: async (ctx, a) => ctx.print(await ops(ctx).listFailed(filter(a))) },
    show: {
      args: '<messageId> [--tenant ID]',
      help: 'one message with every attempt and an explanation',
      needs: PG,
      run: async (ctx, a) => ctx.print(await new DiagnosticsService(ctx.prisma, ctx.pool).trace(optionalTenant(a.values.tenant), a.positionals[0]!)),
    },
    retry: {
      args: '<messageId> [--tenant ID]',
      help: 'send a failed message again',
      needs: PG_REDIS,
      run: async (ctx, a) => ctx.print(await ops(ctx).retry(a.positionals[0]!, optionalTenant(a.values.tenant))),
    },
    'retry-all': {
      args: FILTERS,
      help: 'send every failed message matching the filters again',
      needs: PG_REDIS,
      run: async (ctx, a) => ctx.print(await ops(ctx).retryAll(filter(a))),
    },
  },
};

export const eventCommand: Command = {
  options: ['caller-id', 'caller-name', 'duration', 'event-id'],
  actions: {
    publish: {
      args: '<tenantId> <extension> [--caller-id N] [--caller-name NAME] [--duration S] [--event-id ID]',
      help: 'publish a test voicemail event',
      needs: ['redis'],
      run: async (ctx, { positionals: [id, extension], values }) => {
        const parsed = voicemailEventSchema.safeParse({
          eventId: values['event-id'] ?? `cli-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`,
          tenantId: tenantId(id!),
          extension,
          callerId: values['caller-id'],
          callerName: values['caller-name'],
          durationSeconds: values.duration !== undefined ? Number(values.duration) : undefined,
          receivedAt: new Date().toISOString(),
        });
        if (!parsed.success) throw new AppError('invalid_request', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
        await ctx.producer.publishVoicemailEvent(parsed.data);
        ctx.print({ status: 'queued', eventId: parsed.data.eventId });
      },
    },
  },
};

/** The admin API's /api/admin/queues. */
export const queuesCommand: Command = {
  options: [],
  actions: {
    '': {
      args: '',
      help: 'jobs per state and the latest failed jobs of each queue',
      needs: ['redis'],
      run: async (ctx) => {
        for (const q of [ctx.producer.sendQueue, ctx.producer.voicemailQueue]) {
          const counts = await q.getJobCounts('waiting', 'delayed', 'active', 'completed', 'failed', 'prioritized');
          ctx.print(
            `${q.name}: ${Object.entries(counts)
              .map(([state, n]) => `${state} ${n}`)
              .join(', ')}`,
          );
          for (const j of await q.getFailed(0, 4)) ctx.print(`  failed ${j.id}: ${j.failedReason} (attempts ${j.attemptsMade})`);
        }
      },
    },
  },
};

/** The admin API's GET /api/admin/rejected-events, same service and query schema. */
export const rejectedEventsCommand: Command = {
  options: ['tenant', 'since', 'limit', 'cursor'],
  actions: {
    list: {
      args: '[--tenant ID] [--since ISO] [--limit N] [--cursor C]',
      help: 'voicemail events that failed the schema or named an unknown tenant, newest first',
      needs: PG,
      run: async (ctx, { values }) => {
        const query = parse(rejectedEventsQuery, { tenantId: values.tenant, since: values.since, limit: values.limit, cursor: values.cursor }, '');
        ctx.print(await new RejectedEventsService(ctx.prisma).list(query));
      },
    },
  },
};
