import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { cpuMeter } from '../measure';
import { CONCURRENCY, P, REDIS_URL } from '../settings';

/** Bare BullMQ: no-op jobs/s at the service's worker concurrency. */
export async function bareBullmq(prefix: string, redisPids: Record<string, number>): Promise<{ jobsPerSec: number; cpuMsPerJob: number }> {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('bare-noop', { connection, prefix });
  for (let i = 0; i < P.bareJobs; i += 1000) {
    await queue.addBulk(
      Array.from({ length: Math.min(1000, P.bareJobs - i) }, (_, k) => ({ name: 'noop', data: { i: i + k }, opts: { removeOnComplete: true } })),
    );
  }
  let done = 0;
  let finished!: () => void;
  const all = new Promise<void>((r) => (finished = r));
  const started = performance.now();
  // The worker runs in this process: `bench` is its CPU; postgres is not involved.
  const meter = cpuMeter(redisPids);
  const worker = new Worker(
    'bare-noop',
    async () => {
      if (++done === P.bareJobs) finished();
    },
    { connection: new Redis(REDIS_URL, { maxRetriesPerRequest: null }), prefix, concurrency: CONCURRENCY },
  );
  await all;
  const seconds = (performance.now() - started) / 1000;
  const cpu = meter();
  await worker.close();
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  return { jobsPerSec: P.bareJobs / seconds, cpuMsPerJob: ((cpu.bench ?? 0) + (cpu.redis ?? 0)) / P.bareJobs };
}
