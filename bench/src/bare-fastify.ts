/**
 * Baseline: a bare Fastify route that only does `queue.add`, run as its own process like the
 * API. argv: port. env: REDIS_URL, QUEUE_PREFIX.
 */
import Fastify from 'fastify';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

async function main(): Promise<void> {
  const port = Number(process.argv[2] ?? 3999);
  const connection = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: 1 });
  const queue = new Queue('bare-send', { connection, prefix: process.env.QUEUE_PREFIX ?? '{bench}' });
  const app = Fastify({ logger: false });
  app.post('/send', async (req, reply) => {
    const job = await queue.add('send', req.body, { removeOnComplete: true });
    return reply.code(202).send({ id: job.id, status: 'queued' });
  });
  await app.listen({ port, host: '127.0.0.1' });
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => {
    void app
      .close()
      .then(() => queue.close())
      .then(() => process.exit(0));
  });
}

void main();
