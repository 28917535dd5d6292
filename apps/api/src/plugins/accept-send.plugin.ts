import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import type { SqlRunner } from '@pbx-sms/db';
import type { Logger, Metrics } from '@pbx-sms/observability';
import type { QueueProducer } from '@pbx-sms/queue';
import { createAcceptSend, type AcceptSend } from '../send/accept-send';
import { MessageAcceptance } from '../send/message-acceptance.service';

declare module 'fastify' {
  interface FastifyInstance {
    /** The one way a send gets in (action API, REST send, REST voicemail): rules, then the row and its job. */
    acceptSend: AcceptSend;
  }
}

export interface AcceptSendOptions {
  db: SqlRunner;
  redis: Redis;
  producer: QueueProducer;
  logger: Logger;
  metrics: Metrics;
}

export const acceptSendPlugin = fp<AcceptSendOptions>(
  async (app, { db, redis, producer, logger, metrics }) => {
    const acceptance = new MessageAcceptance(db, redis, producer, logger, (m) => metrics.messagesAccepted.inc({ kind: m.kind, source: m.source }));
    app.decorate('acceptSend', createAcceptSend(app.tenantConfig, acceptance));

    // BullMQ relays connection errors as 'error' events; without a listener it prints each one.
    let lastQueueError = 0;
    const onQueueError = (err: unknown) => {
      const now = Date.now();
      if (now - lastQueueError < 10_000) return;
      lastQueueError = now;
      logger.warn({ err }, 'queue connection error (requests answer 503 until Redis is back)');
    };
    producer.sendQueue.on('error', onQueueError);
    producer.voicemailQueue.on('error', onQueueError);
    app.addHook('onClose', async () => {
      producer.sendQueue.off('error', onQueueError);
      producer.voicemailQueue.off('error', onQueueError);
    });
  },
  { name: 'accept-send', fastify: '5.x', dependencies: ['tenant-config'] },
);
