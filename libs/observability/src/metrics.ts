import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The service's Prometheus metrics, one registry per process. Names are stable: dashboards
 * and alerts (docs/operations.md) rely on them.
 */
export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'route' | 'method' | 'status'>;
  httpDuration: Histogram<'route' | 'method'>;
  messagesAccepted: Counter<'kind' | 'source'>;
  messagesSent: Counter<'kind'>;
  messagesFailed: Counter<'code'>;
  messagesSkipped: Counter<'code'>;
  providerLatency: Histogram<'provider' | 'outcome'>;
  providerAttempts: Histogram<'provider'>;
  queueJobs: Gauge<'queue' | 'state'>;
  rateLimitDelays: Counter<'tenant'>;
  eventsRejected: Counter<'reason'>;
}

export function createMetrics(service: string, opts: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    httpRequests: new Counter({
      name: 'pbx_sms_http_requests_total',
      help: 'HTTP requests by route, method and status',
      labelNames: ['route', 'method', 'status'],
      registers,
    }),
    httpDuration: new Histogram({
      name: 'pbx_sms_http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['route', 'method'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    messagesAccepted: new Counter({
      name: 'pbx_sms_messages_accepted_total',
      help: 'Messages accepted (row written, job enqueued)',
      labelNames: ['kind', 'source'],
      registers,
    }),
    messagesSent: new Counter({ name: 'pbx_sms_messages_sent_total', help: 'Messages the provider accepted', labelNames: ['kind'], registers }),
    messagesFailed: new Counter({ name: 'pbx_sms_messages_failed_total', help: 'Messages that ended failed, by error code', labelNames: ['code'], registers }),
    messagesSkipped: new Counter({
      name: 'pbx_sms_messages_skipped_total',
      help: 'Voicemail notifications skipped by a rule, by code',
      labelNames: ['code'],
      registers,
    }),
    providerLatency: new Histogram({
      name: 'pbx_sms_provider_request_duration_seconds',
      help: 'SMS provider call duration by outcome (sent, transient, permanent)',
      labelNames: ['provider', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    providerAttempts: new Histogram({
      name: 'pbx_sms_provider_attempts',
      help: 'Attempts a message needed before it ended (sent or failed)',
      labelNames: ['provider'],
      buckets: [1, 2, 3, 4, 5, 6, 8, 10, 15, 20],
      registers,
    }),
    queueJobs: new Gauge({
      name: 'pbx_sms_queue_jobs',
      help: 'Jobs per queue and state (waiting, delayed, active, failed)',
      labelNames: ['queue', 'state'],
      registers,
    }),
    rateLimitDelays: new Counter({
      name: 'pbx_sms_tenant_rate_limit_delays_total',
      help: 'Send jobs delayed by the per-tenant rate limit',
      labelNames: ['tenant'],
      registers,
    }),
    eventsRejected: new Counter({
      name: 'pbx_sms_voicemail_events_rejected_total',
      help: 'Voicemail events rejected (malformed or unknown tenant)',
      labelNames: ['reason'],
      registers,
    }),
  };
}

/** What queue-depth collection needs of a BullMQ Queue (kept structural: no bullmq dependency here). */
export interface CountableQueue {
  name: string;
  getJobCounts(...states: string[]): Promise<Record<string, number>>;
}

/** Queue depth per queue and state, read from Redis when Prometheus scrapes (best effort, 1 s at most). */
export async function collectQueueDepth(metrics: Metrics, queues: CountableQueue[]): Promise<void> {
  const work = Promise.all(
    queues.map(async (q) => {
      const counts = await q.getJobCounts('waiting', 'delayed', 'active', 'failed', 'prioritized');
      for (const [state, n] of Object.entries(counts)) metrics.queueJobs.set({ queue: q.name, state }, n);
    }),
  );
  await Promise.race([work, new Promise((r) => setTimeout(r, 1000).unref())]).catch(() => undefined);
}
