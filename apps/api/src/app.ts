import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import formbody from '@fastify/formbody';
import swagger from '@fastify/swagger';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { AppError } from '@pbx-sms/core';
import type { ApiDeps } from './deps';
import { clientErrorHandler, errorHandler, notFoundHandler } from './http-errors';
import { adminRoutes } from './routes/admin.route';
import { healthRoutes } from './routes/health.route';
import { actionRoutes } from './action/action.route';
import { smsRoutes } from './routes/sms.route';
import { eventsRoutes } from './routes/events.route';
import { operationsRoutes } from './routes/operations.route';
import { metricsRoute } from './routes/metrics.route';
import { lazyChildLoggerFactory } from './logging/lazy-child-logger';
import { acceptSendPlugin } from './plugins/accept-send.plugin';
import { apiKeyAuthPlugin } from './plugins/api-key-auth.plugin';
import { configChangesPlugin } from './plugins/config-changes.plugin';
import { idempotencyPlugin } from './plugins/idempotency.plugin';
import { tenantConfigPlugin } from './plugins/tenant-config.plugin';

/** Whether a string, or any key or string value up to 8 levels down, holds a NUL (no allocation: runs on every request). */
function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 8 || value === null || typeof value !== 'object') return false;
  const obj = value as Record<string, unknown>;
  for (const k in obj) {
    if (!Object.hasOwn(obj, k)) continue;
    if (k.includes('\u0000') || containsNul(obj[k], depth + 1)) return true;
  }
  return false;
}

/**
 * Request logging: one line per request when it completes ("request completed", with the
 * request, status and response time): at info for refused and failed requests, at debug for
 * the others. Fastify's default (an "incoming request" and a "request completed" line for
 * every request at info) costs more CPU than the rest of an accepted send; the metrics count
 * every request anyway. Errors and stream failures are logged as Fastify does.
 */
class RequestLog extends LogController {
  constructor(private readonly logger: { isLevelEnabled(level: string): boolean }) {
    super();
  }

  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) return super.requestCompleted(error, request, reply);
    if (reply.statusCode >= 400) reply.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
    else if (this.logger.isLevelEnabled('debug')) reply.log.debug({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}

/** Builds the API without listening: main.ts listens, tests use inject() or listen on port 0. */
export async function buildApp(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- needed by tsc's view of pino's types (msgPrefix), not by typescript-eslint's
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: deps.config.BODY_LIMIT_BYTES,
    requestIdHeader: 'x-request-id',
    logController: new RequestLog(deps.logger),
    childLoggerFactory: lazyChildLoggerFactory,
    return503OnClosing: true,
    // Oversized or malformed HTTP answers in our error shape too (http-errors.ts).
    clientErrorHandler,
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler(notFoundHandler);

  // Postgres text cannot hold NUL; a request carrying one anywhere is malformed (rule 1).
  app.addHook('preValidation', (request, _reply, done) => {
    if (containsNul(request.body) || containsNul(request.query) || containsNul(request.params)) {
      done(new AppError('invalid_request', 'Request contains a NUL character'));
      return;
    }
    done();
  });

  await app.register(formbody);
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'pbx-sms',
        version: '0.1.0',
        description: "SMS notifications for a multi-tenant PBX: the PBXware SMS API, voicemail notifications and operators' configuration.",
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
          adminToken: { type: 'http', scheme: 'bearer' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });
  // The OpenAPI document, generated from the zod schemas that validate the requests.
  app.get('/docs/json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/docs', { schema: { hide: true } }, async (_req, reply) => reply.redirect('/docs/json'));

  const metrics = deps.metrics;
  // Labelled children are looked up once per (route, method, status), through maps keyed by the
  // strings and number Fastify already holds: no key is built per request.
  interface RouteMetrics {
    duration: { observe(v: number): void };
    counters: Map<number, { inc(): void }>;
  }
  const routeMetrics = new Map<string, Map<string, RouteMetrics>>();
  let labelled = 0;
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const method = request.method;
    const status = reply.statusCode;
    let byMethod = routeMetrics.get(route);
    if (byMethod === undefined) {
      byMethod = new Map();
      if (labelled < 10_000) routeMetrics.set(route, byMethod);
    }
    let m = byMethod.get(method);
    if (m === undefined) {
      m = { duration: metrics.httpDuration.labels({ route, method }), counters: new Map() };
      if (labelled++ < 10_000) byMethod.set(method, m);
    }
    let counter = m.counters.get(status);
    if (counter === undefined) {
      counter = metrics.httpRequests.labels({ route, method, status: String(status) });
      if (labelled++ < 10_000) m.counters.set(status, counter);
    }
    counter.inc();
    m.duration.observe(reply.elapsedTime / 1000);
    done();
  });

  // What the public routes share, each plugin declaring what it needs.
  const { config, pool, redis, producer, logger } = deps;
  const cacheTtlMs = config.TENANT_CONFIG_TTL_MS;
  await app.register(configChangesPlugin, { redis, queuePrefix: producer.prefix, cacheTtlMs });
  await app.register(tenantConfigPlugin, { db: pool, cacheTtlMs });
  await app.register(apiKeyAuthPlugin, { db: pool, redis, queuePrefix: producer.prefix, ratePerSec: config.API_KEY_RATE_PER_SEC, cacheTtlMs, logger });
  await app.register(idempotencyPlugin, { db: pool });
  await app.register(acceptSendPlugin, { db: pool, redis, producer, logger, metrics });

  await app.register(healthRoutes, { deps });
  await app.register(metricsRoute, { metrics, queues: [deps.producer.sendQueue, deps.producer.voicemailQueue], adminToken: deps.config.ADMIN_TOKEN });
  // Config written through this process's admin API is dropped from the caches at once.
  await app.register(adminRoutes, { deps, onConfigChange: (tenantId) => app.configChanges.changed(tenantId) });
  await app.register(operationsRoutes, { deps });
  await app.register(actionRoutes);
  await app.register(smsRoutes, { db: pool });
  await app.register(eventsRoutes, { deps });
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- the Zod type provider's instance is not assignable to the plain one (childLoggerFactory's logger type)
  return app as unknown as FastifyInstance;
}
