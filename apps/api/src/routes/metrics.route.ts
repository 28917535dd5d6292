import type { FastifyPluginAsync } from 'fastify';
import { collectQueueDepth, type CountableQueue, type Metrics } from '@pbx-sms/observability';

/** GET /metrics in the Prometheus text format. Queue depth is refreshed on each scrape. */
export const metricsRoute: FastifyPluginAsync<{ metrics: Metrics; queues: CountableQueue[] }> = async (app, { metrics, queues }) => {
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    await collectQueueDepth(metrics, queues);
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
};
