import type { FastifyReply } from 'fastify';

/**
 * Sends a JSON text as it is (Fastify skips serialisation for a string with a JSON type): the
 * success answers are small fixed shapes, built without a serialiser on the hot path.
 */
export function sendJsonText(reply: { code(status: number): unknown }, status: number, json: string, headers?: Record<string, string>): FastifyReply {
  const r = reply as unknown as FastifyReply;
  if (headers !== undefined) for (const [k, v] of Object.entries(headers)) void r.header(k, v);
  return r.code(status).type('application/json; charset=utf-8').send(json);
}

/** The 202 body of an accepted send (also stored and replayed for an Idempotency-Key). */
export function acceptedBody(id: string): string {
  return `{"id":"${id}","status":"queued"}`;
}
