import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AppError } from '@pbx-sms/core';
import { voicemailEventRecorded } from '@pbx-sms/db';
import { voicemailEventSchema } from '@pbx-sms/queue';
import type { ApiDeps } from '../deps';
import { assertQueueReachable } from '../queue-reachable';
import { sendJsonText } from '../reply';
import { hasAdminToken } from './admin-auth';
import { errorResponses, eventQueuedResponse } from './public.schemas';

const QUEUED = '{"status":"queued"}';
const DUPLICATE = '{"status":"duplicate"}';

/**
 * `POST /api/events/voicemail`: the PBX's new-voicemail event over HTTP, the same JSON as the
 * `voicemail-events` queue contract. Answers 202 once the job is in Redis: `queued`, or
 * `duplicate` when a worker already recorded the event (a Message with that eventId) or its job
 * is still in Redis. Auth: an API key with `events:publish` for the event's tenant, or the
 * admin token.
 */
export const eventsRoutes: FastifyPluginAsyncZod<{ deps: ApiDeps }> = async (app, { deps }) => {
  app.post(
    '/api/events/voicemail',
    {
      schema: {
        tags: ['events'],
        security: [{ apiKey: [] }, { adminToken: [] }],
        summary: 'Publish a new-voicemail event',
        description:
          'Needs an API key with events:publish for the event\'s tenant, or the admin token. An eventId already seen for the tenant answers {"status":"duplicate"} and is ignored.',
        body: voicemailEventSchema,
        response: { 202: eventQueuedResponse, ...errorResponses(400, 401, 403, 413, 429, 503) },
      },
    },
    async (req, reply) => {
      const event = req.body;
      if (!hasAdminToken(req, deps.config.ADMIN_TOKEN)) {
        const key = await req.authenticateApiKey({ permission: 'events:publish' });
        if (key.tenantId !== event.tenantId) throw new AppError('forbidden', "tenantId: must be this API key's tenant");
      }
      assertQueueReachable(deps.redis);

      // The Message row is the real dedup (workers insert it under a unique (tenant, eventId));
      // without Postgres the event is still queued, and the worker ignores it if it was seen.
      const recorded = await voicemailEventRecorded(deps.pool, event.tenantId, event.eventId).catch((err: unknown) => {
        req.log.warn({ err }, 'could not check the event against the message log; queueing it');
        return false;
      });
      if (recorded || (await deps.producer.voicemailEventInQueue(event.tenantId, event.eventId))) {
        return sendJsonText(reply, 202, DUPLICATE);
      }
      await deps.producer.publishVoicemailEvent(event);
      return sendJsonText(reply, 202, QUEUED);
    },
  );
};
