import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Redis } from 'ioredis';
import { AppError, type Permission } from '@pbx-sms/core';
import type { SqlRunner } from '@pbx-sms/db';
import type { Logger } from '@pbx-sms/observability';
import { ApiKeyAuthenticator, hasPermission, type AuthenticatedKey } from '../auth/api-key.authenticator';
import { queueReachable, queueUnavailable } from '../queue-reachable';
import { ApiKeyRateLimiter } from '@pbx-sms/ratelimit';

/** What a route needs of the key: a permission, or (`readOnly`) only a key of the tenant. */
export interface KeyNeed {
  permission?: Permission;
  /** A read: the rate limit is skipped when Redis is down rather than the read refused. */
  readOnly?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The key that passed `authenticateApiKey`, null before. */
    apiKey: AuthenticatedKey | null;
    /**
     * Rules 2 and 3 for the public routes: the key (missing, unknown or revoked → 401), its rate
     * limit (429 with Retry-After), then the permission (403). The key is the X-API-Key header
     * unless the route passes the one it parsed (null: none). Sets and answers `request.apiKey`.
     */
    authenticateApiKey(need: KeyNeed, presented?: unknown): Promise<AuthenticatedKey>;
  }
}

export interface ApiKeyAuthOptions {
  db: SqlRunner;
  /** The producer's connection, which also carries the rate limit's buckets. */
  redis: Redis;
  queuePrefix: string;
  ratePerSec: number;
  cacheTtlMs: number;
  logger: Logger;
}

/** API-key authentication and the per-key rate limit, as a request method. */
export const apiKeyAuthPlugin = fp<ApiKeyAuthOptions>(
  async (app, opts) => {
    const keys = new ApiKeyAuthenticator(opts.db, opts.logger, opts.cacheTtlMs);
    const limiter = new ApiKeyRateLimiter(opts.redis, opts.queuePrefix, opts.ratePerSec);
    app.configChanges.onChange((change) => (change === 'all' ? keys.clear() : keys.invalidateTenant(change)));

    app.decorateRequest('apiKey', null);
    app.decorateRequest('authenticateApiKey', async function (this: FastifyRequest, need: KeyNeed, presented: unknown = this.headers['x-api-key']) {
      const key = await keys.authenticate(typeof presented === 'string' && presented !== '' ? presented : undefined);
      if (key === null) throw new AppError('unauthorized');
      if (!queueReachable(opts.redis)) {
        // Reads need no queue: skip the limit rather than refuse a status check. Writes cannot be
        // queued anyway: answer 503 now rather than after a wait.
        if (!need.readOnly) throw queueUnavailable();
      } else {
        const rate = await limiter.take(key.id);
        if (!rate.allowed) {
          throw new AppError('rate_limited', `Too many requests for this API key (limit ${limiter.ratePerSec}/s, burst ${limiter.burst})`, {
            retryAfter: Math.max(1, Math.ceil(rate.retryAfterMs / 1000)),
          });
        }
      }
      if (need.permission !== undefined && !hasPermission(key, need.permission)) {
        throw new AppError('forbidden', `This API key lacks the ${need.permission} permission`);
      }
      this.apiKey = key;
      return key;
    });
  },
  { name: 'api-key-auth', fastify: '5.x', dependencies: ['config-changes'] },
);
