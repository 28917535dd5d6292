import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AppError } from '@pbx-sms/core';
import { findTenantMessage, listTenantMessages, decodeCursor, type MessageStatusView, type SqlRunner } from '@pbx-sms/db';
import { randomUUID } from 'node:crypto';
import { acceptedBody, sendJsonText } from '../reply';
import { IdempotencyService } from '../send/idempotency.service';
import {
  acceptedResponse,
  errorResponses,
  historyQuery,
  historyResponse,
  messageParams,
  messageStatusResponse,
  sendBody,
  voicemailNotificationBody,
} from './public.schemas';

function statusView(m: MessageStatusView) {
  return {
    id: m.id,
    status: m.status,
    to: m.to,
    from: m.from,
    ...(m.errorCode !== null ? { errorCode: m.errorCode } : {}),
    attempts: m.attempts,
    ...(m.providerMessageId !== null ? { providerMessageId: m.providerMessageId } : {}),
    createdAt: m.createdAt.toISOString(),
    updatedAt: m.updatedAt.toISOString(),
  };
}

const tags = ['sms'];
const security = [{ apiKey: [] }];

/**
 * The REST side of the public API (DESIGN.md "Interfaces"): send, voicemail notification and
 * message status, authenticated by `X-API-Key`. Rules in the documented order: shape (schema
 * validation, before the handler), key and scope (`request.authenticateApiKey`), then steps 4–8
 * (`app.acceptSend`). `db` reads the tenant's messages.
 */
export const smsRoutes: FastifyPluginAsyncZod<{ db: SqlRunner }> = async (app, { db }) => {
  app.post(
    '/api/sms/send',
    {
      schema: {
        tags,
        security,
        summary: "Send an SMS from the tenant's sender number",
        description:
          'Needs an API key with sms:send. Optional `Idempotency-Key` header (1 to 255 printable ASCII characters): the same key with the same request within 24 h answers the first 202 again and sends nothing; with a different request, 422 idempotency_conflict.',
        body: sendBody,
        response: { 202: acceptedResponse, ...errorResponses(400, 401, 403, 413, 422, 429, 503) },
      },
    },
    async (req, reply) => {
      const idemKey = IdempotencyService.parseKey(req.headers['idempotency-key']);
      const key = await req.authenticateApiKey({ permission: 'sms:send' });
      const { to, message } = req.body;
      const id = randomUUID();

      if (idemKey !== undefined) {
        const outcome = await app.idempotency.begin(key.tenantId, idemKey, IdempotencyService.requestHash(['sms.send', to, message]), id);
        if (outcome.kind === 'replay') return sendJsonText(reply, outcome.status, outcome.body, { 'idempotent-replayed': 'true' });
      }
      try {
        await app.acceptSend(key.tenantId, { kind: 'api', source: 'rest', to, text: message, fields: { to: 'to', body: 'message' }, id });
      } catch (err) {
        if (idemKey !== undefined) await app.idempotency.release(key.tenantId, idemKey);
        throw err;
      }
      const body = acceptedBody(id);
      if (idemKey !== undefined) {
        // The message is accepted whatever happens here; a record left in progress is recovered later.
        await app.idempotency
          .complete(key.tenantId, idemKey, 202, body)
          .catch((err: unknown) => req.log.warn({ err }, 'could not record the idempotent answer'));
      }
      return sendJsonText(reply, 202, body);
    },
  );

  app.post(
    '/api/sms/notifications/voicemail',
    {
      schema: {
        tags,
        security,
        summary: "Send a voicemail notification to an extension's SMS number",
        description:
          "Needs an API key with sms:send. The text is `message` when given (literal, no placeholders), else the tenant's voicemail template rendered with the extension alone.",
        body: voicemailNotificationBody,
        response: { 202: acceptedResponse, ...errorResponses(400, 401, 403, 404, 413, 422, 429, 503) },
      },
    },
    async (req, reply) => {
      const key = await req.authenticateApiKey({ permission: 'sms:send' });
      const { extension, message } = req.body;
      const id = await app.acceptSend(key.tenantId, {
        kind: 'voicemail',
        source: 'rest',
        extension,
        text: message,
        fields: { to: 'extension', body: 'message' },
      });
      return sendJsonText(reply, 202, acceptedBody(id));
    },
  );

  app.get(
    '/api/sms/messages/:id',
    {
      schema: {
        tags,
        security,
        summary: "Status of one of the tenant's messages",
        description: "Any API key of the tenant. Another tenant's id, an unknown id or a malformed one answers 404.",
        params: messageParams,
        response: { 200: messageStatusResponse, ...errorResponses(401, 404, 429, 503) },
      },
    },
    async (req) => {
      const key = await req.authenticateApiKey({ readOnly: true });
      const m = await findTenantMessage(db, key.tenantId, req.params.id);
      if (m === null) throw new AppError('not_found', 'Message not found');
      return statusView(m);
    },
  );

  app.get(
    '/api/sms/messages',
    {
      schema: {
        tags,
        security,
        summary: "The tenant's message history, newest first",
        description:
          'Any API key of the tenant; only its own messages. Filter by status and creation time (since inclusive, until exclusive); follow `nextCursor` for the next page.',
        querystring: historyQuery,
        response: { 200: historyResponse, ...errorResponses(400, 401, 429, 503) },
      },
    },
    async (req) => {
      const key = await req.authenticateApiKey({ readOnly: true });
      const { status, since, until, cursor, limit } = req.query;
      if (cursor !== undefined && decodeCursor(cursor) === null) throw new AppError('invalid_request', 'cursor: not a cursor this API returned');
      const page = await listTenantMessages(db, key.tenantId, {
        status,
        since: since ? new Date(since) : undefined,
        until: until ? new Date(until) : undefined,
        cursor,
        limit,
      });
      return { items: page.items.map(statusView), nextCursor: page.nextCursor };
    },
  );
};
