import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError, errorBody, isAppError, type ErrorCode } from '@pbx-sms/core';

/**
 * Maps every error to the `{ "error": … }` shape: AppErrors answer their catalogue body;
 * Fastify's own errors (bad JSON, body too large, wrong media type, schema validation) become
 * our codes; a database or Redis outage is 503 with Retry-After, never a 500 or a hang.
 */

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  // Postgres: admin shutdown, crash shutdown, cannot connect now, connection failures
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '53300',
  // Prisma: can't reach server, timed out, server closed connection, pool timeout
  'P1001',
  'P1002',
  'P1008',
  'P1017',
  'P2024',
]);
const UNAVAILABLE_MESSAGE =
  /Connection is closed|Stream isn't writeable|enableOfflineQueue|connect ECONNREFUSED|Connection terminated|timeout exceeded when trying to connect|Can't reach database|Command timed out|ECONNRESET|Server has closed the connection|terminating connection|the database system is (starting up|shutting down)|MaxRetriesPerRequest|Reached the max retries/i;

export function isUnavailableError(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 4) return false;
  const e = err as { code?: unknown; message?: unknown; cause?: unknown; kind?: unknown; originalCode?: unknown; meta?: unknown };
  if (typeof e.code === 'string' && UNAVAILABLE_CODES.has(e.code)) return true;
  if (typeof e.originalCode === 'string' && UNAVAILABLE_CODES.has(e.originalCode)) return true;
  if (typeof e.message === 'string' && UNAVAILABLE_MESSAGE.test(e.message)) return true;
  if (e.kind === 'DatabaseNotReachable' || e.kind === 'ConnectionClosed' || e.kind === 'SocketTimeout') return true;
  return isUnavailableError(e.cause, depth + 1) || isUnavailableError(e.meta, depth + 1);
}

export const UNAVAILABLE_RETRY_AFTER_S = 5;

/** Sends the answer for a code; 429 and 503 carry Retry-After. */
export function sendError(reply: FastifyReply, code: ErrorCode, detail?: string, retryAfter?: number): FastifyReply {
  const err = new AppError(code, detail, retryAfter === undefined ? {} : { retryAfter });
  return sendAppError(reply, err);
}

export function sendAppError(reply: FastifyReply, err: AppError): FastifyReply {
  const retryAfter = err.retryAfter ?? (err.code === 'unavailable' ? UNAVAILABLE_RETRY_AFTER_S : err.code === 'rate_limited' ? 1 : undefined);
  if (retryAfter !== undefined) void reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfter))));
  return reply
    .code(err.status)
    .type('application/json; charset=utf-8')
    .send(JSON.stringify(errorBody(err.code, err.message)));
}

function validationMessage(err: FastifyError): string {
  if (hasZodFastifySchemaValidationErrors(err)) {
    const where = err.validationContext === 'params' ? 'path ' : err.validationContext === 'querystring' ? 'query ' : '';
    return err.validation
      .map((v) => {
        const field = v.instancePath.replace(/^\//, '').replace(/\//g, '.');
        return `${where}${field || '(body)'}: ${v.message}`;
      })
      .join('; ');
  }
  return err.message;
}

export function toAppError(err: unknown): AppError {
  if (isAppError(err)) return err;
  const fe = err as FastifyError;
  switch (fe?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('invalid_request', 'Unsupported Content-Type; send application/json or application/x-www-form-urlencoded');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('invalid_request', 'Request body is not valid JSON');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('invalid_request', 'Content-Length does not match the body');
    case 'FST_ERR_VALIDATION':
      return new AppError('invalid_request', validationMessage(fe));
    default:
      break;
  }
  if (fe?.validation) return new AppError('invalid_request', validationMessage(fe));
  if (isUnavailableError(err)) return new AppError('unavailable', undefined, { cause: err });
  if (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    if (fe.statusCode === 413) return new AppError('payload_too_large');
    if (fe.statusCode === 404) return new AppError('not_found');
    return new AppError('invalid_request', fe instanceof SyntaxError ? 'Request body is not valid JSON' : 'Invalid request');
  }
  return new AppError('internal_error', undefined, { cause: err });
}

export function errorHandler(this: unknown, err: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const app = toAppError(err);
  // A 415 is an invalid request in our catalogue, with its own status.
  const media = (err as FastifyError)?.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE';
  if (app.status >= 500) request.log.error({ err, code: app.code }, 'request failed');
  else request.log.info({ code: app.code }, 'request refused');
  if (media) {
    return reply
      .code(415)
      .type('application/json; charset=utf-8')
      .send(JSON.stringify(errorBody('invalid_request', app.message)));
  }
  return sendAppError(reply, app);
}

export function notFoundHandler(_request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendError(reply, 'not_found', 'Route not found');
}

/**
 * Errors Node's HTTP parser raises before there is a request (Fastify's default answers them in
 * its own `{error, message, statusCode}` shape): a request line plus headers over Node's 16 KiB
 * (an action-API URL carrying a long `body`) → 413 `payload_too_large`; a request the client was
 * too slow to send → 408; any other unparseable request → 400 `invalid_request`. Written to the
 * raw socket, which is then closed, as Fastify's default does.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, body] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [
          413,
          'Payload Too Large',
          errorBody('payload_too_large', 'Request line and headers are too large (16 KiB at most): send long parameters in a POST body'),
        ]
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', errorBody('invalid_request', 'The request was not received in time')]
        : [400, 'Bad Request', errorBody('invalid_request', 'Malformed HTTP request')];
  const text = JSON.stringify(body);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Length: ${Buffer.byteLength(text)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${text}`,
    );
  }
  socket.destroy(err);
}
