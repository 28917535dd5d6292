import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AppError, normalizeToNumber } from '@pbx-sms/core';
import { acceptedBody, sendJsonText } from '../reply';
import { acceptedResponse, actionParams, errorResponses } from '../routes/public.schemas';
import { parseActionParams, parseServerParam } from './action-params';
import { decodeBase64Text } from './base64';

/**
 * The schemas below document the parameters; the handler checks them itself, in the documented
 * order. No `value`: the parts stay as parsed (Fastify would turn an absent body into null).
 */
const documentOnly = () => () => ({});

const description = [
  'The PBXware action API. Parameters come from the query string or, for POST, a form or JSON body (the body wins where both carry one).',
  "The X-API-Key header is accepted too and wins over apikey. Checks, in order: action (400 unknown_action), key (401), scope: sms:send and server = the key's tenant (403),",
  'Enable SMS API (403 "SMS API is disabled"), Active (403 "Action sms_message returned with error: ERR: SMS not enabled for this tenant: "),',
  'sender (422 "Invalid or missing sender SMS number"), to_number (400 invalid_number), body (400 invalid_body / message_too_long).',
].join(' ');

/**
 * `GET|POST /?action=pbxware.sms.send_message&apikey=&server=&to_number=&body=` (SPEC.md
 * "Example 1", DESIGN.md "Action API parameters").
 */
export const actionRoutes: FastifyPluginAsyncZod = async (app) => {
  // SPEC.md's callers send `Content-Type: application/json` with the parameters in the query
  // string and no body: here an empty JSON body is no body. (A form body parses to no
  // parameters already.) The parser is this plugin's own: /api/sms/send still refuses it.
  const json = app.getDefaultJsonParser(app.initialConfig.onProtoPoisoning ?? 'error', app.initialConfig.onConstructorPoisoning ?? 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (body.length === 0) done(null, undefined);
    else void json(req, body as string, done);
  });

  const handler = async (req: FastifyRequest, reply: FastifyReply) => {
    // 1. Shape: the body (when there is one) must be an object; the action must be ours.
    // No body (GET, no content type, an empty body) is undefined; JSON `null` is a body.
    const parsed = parseActionParams(req.query, req.body, req.headers['x-api-key']);
    if (!parsed.ok) throw new AppError(parsed.code, parsed.detail);
    const p = parsed.params;

    // 2. Key (and its rate limit). 3. Scope: sms:send, and server must be the key's tenant.
    const key = await req.authenticateApiKey({ permission: 'sms:send' }, p.apiKey ?? null);
    if (parseServerParam(p.server) !== key.tenantId) {
      throw new AppError(
        'forbidden',
        p.server === undefined ? "server: is missing; it must be this API key's tenant id" : "server: must be this API key's tenant id",
      );
    }

    // 4–8. The tenant's configuration and the fields.
    const id = await app.acceptSend(key.tenantId, {
      kind: 'api',
      source: 'action',
      to: normalizeToNumber(p.toNumber ?? ''),
      text: p.body === undefined ? null : decodeBase64Text(p.body),
      fields: { to: 'to_number', body: 'body' },
      present: { to: p.toNumber !== undefined, body: p.body !== undefined },
    });
    return sendJsonText(reply, 202, acceptedBody(id));
  };

  const common = {
    tags: ['action API'],
    security: [{ apiKey: [] }],
    description,
    response: { 202: acceptedResponse, ...errorResponses(400, 401, 403, 413, 422, 429, 503) },
  };
  app.get(
    '/',
    {
      exposeHeadRoute: false,
      validatorCompiler: documentOnly,
      schema: { ...common, summary: 'Send an SMS (action API, query string)', querystring: actionParams },
    },
    handler,
  );
  app.post(
    '/',
    {
      validatorCompiler: documentOnly,
      schema: {
        ...common,
        summary: 'Send an SMS (action API, query string or form/JSON body)',
        querystring: actionParams.partial(),
        body: actionParams.partial(),
      },
    },
    handler,
  );
};
