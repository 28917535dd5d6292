import { AppError, type Permission } from '@pbx-sms/core';
import type { PublicServices } from '../public-services';
import { hasPermission, type AuthenticatedKey } from './api-key.authenticator';

/**
 * Steps 2 and 3 of the rules for the public routes: the key (missing, unknown or revoked →
 * 401), the per-key rate limit (429 with Retry-After), then the permission (403).
 */
export async function authenticateApiKey(services: PublicServices, presented: unknown, opts: { readOnly?: boolean } = {}): Promise<AuthenticatedKey> {
  const key = await services.keys.authenticate(typeof presented === 'string' && presented !== '' ? presented : undefined);
  if (key === null) throw new AppError('unauthorized');
  if (!services.acceptance.queueReachable()) {
    // Reads need no queue: skip the limit rather than refuse a status check. Writes cannot be
    // queued anyway: answer 503 now rather than after a wait.
    if (opts.readOnly) return key;
    throw new AppError('unavailable', 'The message queue is unavailable, retry later');
  }
  const rate = await services.limiter.take(key.id);
  if (!rate.allowed) {
    throw new AppError('rate_limited', `Too many requests for this API key (limit ${services.limiter.ratePerSec}/s, burst ${services.limiter.burst})`, {
      retryAfter: Math.max(1, Math.ceil(rate.retryAfterMs / 1000)),
    });
  }
  return key;
}

export function requirePermission(key: AuthenticatedKey, permission: Permission): void {
  if (!hasPermission(key, permission)) throw new AppError('forbidden', `This API key lacks the ${permission} permission`);
}
