import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import {
  DiagnosticsService,
  extensionName,
  MessageOpsService,
  RejectedEventsService,
  rejectedEventsPage,
  rejectedEventsQuery,
  tenantIdParam,
} from '@pbx-sms/operations';
import type { ApiDeps } from '../deps';
import { requireAdmin } from './admin-auth';

const tenantParams = z.object({ tenantId: tenantIdParam });
const failedQuery = z.strictObject({
  tenantId: tenantIdParam.optional(),
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  code: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
});
const security = [{ adminToken: [] }];
const tags = ['operations'];

/** Operators' tools: "why wasn't it sent?" (trace, dry run) and failed-message handling. */
export const operationsRoutes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  const diagnostics = new DiagnosticsService(deps.prisma, deps.pool);
  const ops = new MessageOpsService(deps.prisma, (job) => deps.producer.requeueSend(job));
  const rejected = new RejectedEventsService(deps.prisma);
  app.addHook('onRequest', requireAdmin(deps.config.ADMIN_TOKEN));

  app.get(
    '/api/admin/tenants/:tenantId/messages/:id/trace',
    { schema: { tags, security, summary: 'One message with every attempt and a plain-words explanation', params: tenantParams.extend({ id: z.string() }) } },
    async (req) => diagnostics.trace(req.params.tenantId, req.params.id),
  );

  app.post(
    '/api/admin/tenants/:tenantId/dry-run',
    {
      schema: {
        tags,
        security,
        summary: 'Evaluate every rule against current configuration for an extension (voicemail) or a number (API send)',
        params: tenantParams,
        body: z
          .strictObject({ extension: extensionName.optional(), to: z.string().max(32).optional(), via: z.enum(['api', 'event']).optional() })
          .refine((b) => (b.extension === undefined) !== (b.to === undefined), 'give exactly one of extension or to'),
      },
    },
    async (req) => diagnostics.dryRun(req.params.tenantId, req.body),
  );

  app.get('/api/admin/queues', { schema: { tags, security, summary: 'Queue overview: jobs per state and the latest failed jobs of each queue' } }, async () => {
    const queues = [deps.producer.sendQueue, deps.producer.voicemailQueue];
    return Promise.all(
      queues.map(async (q) => ({
        queue: q.name,
        paused: await q.isPaused(),
        counts: await q.getJobCounts('waiting', 'delayed', 'active', 'completed', 'failed', 'prioritized'),
        latestFailed: (await q.getFailed(0, 9)).map((j) => ({
          jobId: j.id,
          attemptsMade: j.attemptsMade,
          failedReason: j.failedReason,
          finishedOn: j.finishedOn ?? null,
        })),
      })),
    );
  });

  app.get('/api/admin/messages/failed', { schema: { tags, security, summary: 'Failed messages, newest first', querystring: failedQuery } }, async (req) =>
    ops.listFailed({
      ...req.query,
      since: req.query.since ? new Date(req.query.since) : undefined,
      until: req.query.until ? new Date(req.query.until) : undefined,
    }),
  );

  app.get(
    '/api/admin/rejected-events',
    {
      schema: {
        tags,
        security,
        summary: 'Voicemail events that failed the schema or named an unknown tenant, newest first',
        description:
          'Filter by the tenant the payload named (when it had a parseable tenantId) and by time received (since inclusive); follow `nextCursor` for the next page.',
        querystring: rejectedEventsQuery,
        response: { 200: rejectedEventsPage },
      },
    },
    async (req) => rejected.list(req.query),
  );

  app.post(
    '/api/admin/tenants/:tenantId/messages/:id/retry',
    { schema: { tags, security, summary: 'Send a failed message again through the normal path', params: tenantParams.extend({ id: z.string() }) } },
    async (req, reply) => reply.code(202).send(await ops.retry(req.params.id, req.params.tenantId)),
  );

  app.post(
    '/api/admin/messages/retry-failed',
    { schema: { tags, security, summary: 'Send every failed message matching the filter again', body: failedQuery.default({}) } },
    async (req, reply) =>
      reply.code(202).send(
        await ops.retryAll({
          ...req.body,
          since: req.body.since ? new Date(req.body.since) : undefined,
          until: req.body.until ? new Date(req.body.until) : undefined,
        }),
      ),
  );
};
