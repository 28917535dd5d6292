import fp from 'fastify-plugin';
import { deleteExpiredIdempotencyKeys, type SqlRunner } from '@pbx-sms/db';
import { IdempotencyService } from '../send/idempotency.service';

/** How often expired Idempotency-Key records are deleted. */
const IDEMPOTENCY_SWEEP_MS = 60 * 60 * 1000;

declare module 'fastify' {
  interface FastifyInstance {
    idempotency: IdempotencyService;
  }
}

/** `Idempotency-Key` records for REST send, and the hourly sweep of expired ones. */
export const idempotencyPlugin = fp<{ db: SqlRunner }>(
  async (app, { db }) => {
    app.decorate('idempotency', new IdempotencyService(db));
    const sweep = setInterval(() => {
      deleteExpiredIdempotencyKeys(db).catch(() => undefined);
    }, IDEMPOTENCY_SWEEP_MS);
    sweep.unref();
    app.addHook('onClose', async () => clearInterval(sweep));
  },
  { name: 'idempotency', fastify: '5.x' },
);
