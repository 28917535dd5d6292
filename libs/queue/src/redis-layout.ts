import type { JobDefinition } from './jobs';

/**
 * Where the queues and the keys beside them live in Redis, built here and nowhere else: BullMQ
 * keys are `<prefix>:<queue>:…`, and QUEUE_PREFIX may carry a Redis Cluster hash tag
 * (`{pbx-sms}`) that keeps every key in one slot. A queue of its own slot, or a key per tenant,
 * changes these functions only.
 */

/** The BullMQ queue name and prefix a job's queue is opened with (producer and consumer alike). */
export function queueAt(prefix: string, job: Pick<JobDefinition<unknown>, 'queue'>): { name: string; prefix: string } {
  return { name: job.queue, prefix };
}

/** Channel on which config changes are announced (a tenant id, or '*'), so cached tenant config is dropped. */
export function configChannel(prefix: string): string {
  return `${prefix}:config-changed`;
}

/** The lock that lets one worker replica reconcile per interval. */
export function reconcilerLockKey(prefix: string): string {
  return `${prefix}:reconciler-lock`;
}
