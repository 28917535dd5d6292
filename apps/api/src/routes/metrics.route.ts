import type { FastifyPluginAsync } from 'fastify';
import type { Queue } from 'bullmq';
import type { Metrics } from '@pbx-sms/observability';

/** Queue depth per queue and state, read from Redis when Prometheus scrapes. */
export async function collectQueueDepth(metrics: Metrics, queues: Queue[]): Promise<void> {
  await Promise.all(
    queues.map(async (q) => {
      const counts = await q.getJobCounts('waiting', 'delayed', 'active', 'failed', 'prioritized');
      for (const [state, n] of Object.entries(counts)) metrics.queueJobs.set({ queue: q.name, state }, n);
    }),
  );
}

/** GET /metrics in the Prometheus text format. Queue depth is refreshed on each scrape (best effort). */
export const metricsRoute: FastifyPluginAsync<{ metrics: Metrics; queues: Queue[] }> = async (app, { metrics, queues }) => {
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    await Promise.race([collectQueueDepth(metrics, queues), new Promise((r) => setTimeout(r, 1000).unref())]).catch(() => undefined);
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
};
