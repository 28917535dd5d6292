import type { Redis } from 'ioredis';
import { configChannel } from '@pbx-sms/queue';
import { deleteExpiredIdempotencyKeys, subscribeConfigChanges, TenantConfigCache, tenantConfigReader, type ConfigChange, type SqlRunner } from '@pbx-sms/db';
import type { ApiDeps } from './deps';
import { ApiKeyAuthenticator } from './auth/api-key.authenticator';
import { ApiKeyRateLimiter } from './rate-limit/api-key.rate-limiter';
import { IdempotencyService } from './services/idempotency.service';
import { MessageAcceptance } from './services/message-acceptance.service';

/** How often expired Idempotency-Key records are deleted. */
const IDEMPOTENCY_SWEEP_MS = 60 * 60 * 1000;

/** What the public routes share: authentication, rate limit, cached configuration, acceptance. */
export interface PublicServices {
  db: SqlRunner;
  keys: ApiKeyAuthenticator;
  limiter: ApiKeyRateLimiter;
  configs: TenantConfigCache;
  acceptance: MessageAcceptance;
  idempotency: IdempotencyService;
  /** Drops everything cached about a tenant (its config, extensions and API keys). */
  invalidateTenant(tenantId: number): void;
  close(): Promise<void>;
}

export function createPublicServices(deps: ApiDeps): PublicServices {
  const ttl = deps.config.TENANT_CONFIG_TTL_MS;
  const keys = new ApiKeyAuthenticator(deps.pool, deps.logger, ttl);
  const configs = new TenantConfigCache(tenantConfigReader(deps.pool), ttl);
  const invalidateTenant = (tenantId: number) => {
    configs.invalidate(tenantId);
    keys.invalidateTenant(tenantId);
  };
  const forget = (change: ConfigChange) => {
    if (change === 'all') {
      configs.clear();
      keys.clear();
    } else invalidateTenant(change);
  };

  // Other processes (API replicas, the CLI) announce config changes on the channel the workers
  // listen to; drop our copy too. Without Redis the caches simply expire.
  // The subscription waits out outages (no per-command timeout: 0 would time out at once).
  let subscriber: Redis | undefined;
  if (ttl > 0) {
    subscriber = deps.redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null, commandTimeout: undefined, enableAutoPipelining: false, disconnectTimeout: 200, lazyConnect: false });
    subscriber.on('error', () => undefined);
    subscribeConfigChanges(subscriber, configChannel(deps.producer.prefix), forget).catch(() => undefined);
  }

  // BullMQ relays connection errors as 'error' events; without a listener it prints each one.
  let lastQueueError = 0;
  const onQueueError = (err: unknown) => {
    const now = Date.now();
    if (now - lastQueueError < 10_000) return;
    lastQueueError = now;
    deps.logger.warn({ err }, 'queue connection error (requests answer 503 until Redis is back)');
  };
  deps.producer.sendQueue.on('error', onQueueError);
  deps.producer.voicemailQueue.on('error', onQueueError);

  const sweep = setInterval(() => {
    deleteExpiredIdempotencyKeys(deps.pool).catch(() => undefined);
  }, IDEMPOTENCY_SWEEP_MS);
  sweep.unref();

  return {
    db: deps.pool,
    keys,
    limiter: new ApiKeyRateLimiter(deps.redis, deps.producer.prefix, deps.config.API_KEY_RATE_PER_SEC),
    configs,
    acceptance: new MessageAcceptance(deps.pool, deps.redis, deps.producer, deps.logger, (m) => deps.metrics.messagesAccepted.inc({ kind: m.kind, source: m.source })),
    idempotency: new IdempotencyService(deps.pool),
    invalidateTenant,
    async close() {
      clearInterval(sweep);
      deps.producer.sendQueue.off('error', onQueueError);
      deps.producer.voicemailQueue.off('error', onQueueError);
      subscriber?.disconnect();
    },
  };
}
