import { isProviderError, type SmsProvider } from '@pbx-sms/sms';
import type { Metrics } from '@pbx-sms/observability';
import type { OutcomeObserver } from './job-log';

/** Job outcomes → message counters. */
export function metricsObserver(metrics: Metrics): OutcomeObserver {
  return (o) => {
    switch (o.outcome) {
      case 'queued':
        metrics.messagesAccepted.inc({ kind: 'voicemail', source: 'event' });
        break;
      case 'skipped':
        metrics.messagesSkipped.inc({ code: o.errorCode ?? 'unknown' });
        break;
      case 'rejected':
        metrics.eventsRejected.inc({ reason: o.errorCode ?? 'invalid_event' });
        break;
      case 'sent':
        metrics.messagesSent.inc({ kind: 'all' });
        if (o.attempt !== undefined) metrics.providerAttempts.observe({ provider: 'all' }, o.attempt);
        break;
      case 'failed':
        metrics.messagesFailed.inc({ code: o.errorCode ?? 'unknown' });
        if (o.attempt !== undefined) metrics.providerAttempts.observe({ provider: 'all' }, o.attempt);
        break;
      case 'rate_limited':
        if (o.tenantId !== undefined) metrics.rateLimitDelays.inc({ tenant: String(o.tenantId) });
        break;
      default:
        break;
    }
  };
}

/** Times every provider call by outcome: sent, transient, permanent. */
export function instrumentProvider(provider: SmsProvider, metrics: Metrics): SmsProvider {
  return {
    name: provider.name,
    close: () => provider.close(),
    async send(req) {
      const end = metrics.providerLatency.startTimer({ provider: provider.name });
      try {
        const r = await provider.send(req);
        end({ outcome: 'sent' });
        return r;
      } catch (err) {
        end({ outcome: isProviderError(err) ? err.kind : 'transient' });
        throw err;
      }
    },
  };
}
