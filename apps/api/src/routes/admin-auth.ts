import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from '../http-errors';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** True when the request carries `Authorization: Bearer <ADMIN_TOKEN>` (compared in constant time). */
export function hasAdminToken(request: FastifyRequest, adminToken: string): boolean {
  const header = request.headers.authorization;
  if (typeof header !== 'string' || !header.startsWith('Bearer ')) return false;
  return timingSafeEqual(digest(header.slice(7).trim()), digest(adminToken));
}

/** onRequest hook for admin routes: anything but the admin token (tenant API keys included) is 401. */
export function requireAdmin(adminToken: string) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!hasAdminToken(request, adminToken)) {
      await sendError(reply, 'unauthorized', 'Admin routes need Authorization: Bearer <ADMIN_TOKEN>');
    }
  };
}
