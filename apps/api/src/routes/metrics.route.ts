import type { FastifyPluginAsync } from 'fastify';
import { collectQueueDepth, type CountableQueue, type Metrics } from '@pbx-sms/observability';
import { requireAdmin } from './admin-auth';

/**
 * GET /metrics in the Prometheus text format, behind the admin token like the admin routes
 * (it lists tenants, routes and traffic). Queue depth is refreshed on each scrape.
 */
export const metricsRoute: FastifyPluginAsync<{ metrics: Metrics; queues: CountableQueue[]; adminToken: string }> = async (
  app,
  { metrics, queues, adminToken },
) => {
  app.get('/metrics', { schema: { hide: true }, onRequest: requireAdmin(adminToken) }, async (_req, reply) => {
    await collectQueueDepth(metrics, queues);
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
};
