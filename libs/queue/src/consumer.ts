import { Worker, type Job, type WorkerOptions } from 'bullmq';
import type { JobDefinition } from './jobs';
import { queueAt } from './redis-layout';

/**
 * A consumer of one job's queue, not yet running (`run()` starts it): opened where the
 * producer adds (`queueAt`), with the job's retention applied to jobs added without one.
 */
export function createConsumer<T>(
  job: JobDefinition<T>,
  prefix: string,
  processor: (job: Job, token?: string) => Promise<unknown>,
  opts: Omit<WorkerOptions, 'prefix' | 'autorun'>,
): Worker {
  const at = queueAt(prefix, job);
  return new Worker(at.name, processor, { ...opts, ...job.retention, prefix: at.prefix, autorun: false });
}
