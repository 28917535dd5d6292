import type { FastifyPluginAsync } from 'fastify';
import type { ApiDeps } from '../deps';

/** /health: the process is up. /ready: Postgres and Redis answer (each within a second). */
export const healthRoutes: FastifyPluginAsync<{ deps: ApiDeps }> = async (app, { deps }) => {
  app.get('/health', { schema: { tags: ['operations'], summary: 'Process is up' } }, async () => ({ status: 'ok' }));
  app.get('/ready', { schema: { tags: ['operations'], summary: 'Postgres and Redis are reachable' } }, async (_req, reply) => {
    const within = <T>(p: Promise<T>) => Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error('timeout')), 1000).unref())]);
    const [db, redis] = await Promise.allSettled([within(deps.prisma.$queryRawUnsafe('SELECT 1')), within(deps.redis.ping())]);
    const checks = { postgres: db.status === 'fulfilled' ? 'ok' : 'down', redis: redis.status === 'fulfilled' ? 'ok' : 'down' };
    const ready = checks.postgres === 'ok' && checks.redis === 'ok';
    if (!ready) void reply.header('retry-after', '5');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'unavailable', checks });
  });
};
