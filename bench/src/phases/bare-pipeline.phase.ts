import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { JOBS, jobOptions, type VoicemailEvent } from '@pbx-sms/queue';
import type { FakeSnsServer } from '@pbx-sms/testing';
import { backendsOf, type Fixture } from '../fixture';
import { backendCpuMeter, cpuMeter, spawnNode, stop } from '../measure';
import { CONCURRENCY, REDIS_URL, ROOT } from '../settings';

/**
 * The floor (bench/src/bare-pipeline.ts): events drained by a bare worker that only makes the
 * provider call and writes one row per SMS, published exactly as the pipeline phase publishes.
 */
export async function barePipeline(
  f: Fixture,
  fakeUrl: string,
  events: VoicemailEvent[],
  fake: FakeSnsServer,
  cpuPids: Record<string, number>,
): Promise<{ mps: number; cpu: Record<string, number> }> {
  await f.prisma.$executeRawUnsafe(
    `CREATE TABLE bare_sent (id bigserial PRIMARY KEY, tenant_id int NOT NULL, to_number text NOT NULL, body text NOT NULL, provider_message_id text NOT NULL, sent_at timestamptz NOT NULL DEFAULT now())`,
  );
  const queueName = 'bare-pipeline';
  const child = await spawnNode(
    path.join(ROOT, 'bench/dist/bare-pipeline.js'),
    [],
    {
      REDIS_URL,
      QUEUE_PREFIX: f.prefix,
      DATABASE_URL: f.dbUrl,
      SNS_ENDPOINT: fakeUrl,
      WORKER_CONCURRENCY: String(CONCURRENCY),
      BARE_PIPELINE_QUEUE: queueName,
      PGAPPNAME: 'pbx-sms-bench-bare-pipeline',
    },
    { line: /ready/ },
  );
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue(queueName, { connection, prefix: f.prefix });
  try {
    fake.reset();
    const meter = cpuMeter({ bare_pipeline: child.pid!, ...cpuPids });
    const backends = await backendCpuMeter(backendsOf(f, 'pbx-sms-bench-bare-pipeline'));
    const tFirst = Date.now();
    for (let i = 0; i < events.length; i += 500) {
      await queue.addBulk(
        events.slice(i, i + 500).map((data) => ({ name: JOBS.voicemailReceived.name, data, opts: jobOptions(JOBS.voicemailReceived, data) })),
      );
    }
    await fake.waitForPublishes(events.length, 600_000);
    const lastCall = Math.max(...fake.published.map((r) => r.receivedAt));
    const cpu: Record<string, number> = { ...meter(), postgres_own_backends: await backends() };
    return { mps: events.length / ((lastCall - tFirst) / 1000), cpu };
  } finally {
    await stop(child);
    await queue.obliterate({ force: true });
    await queue.close();
    connection.disconnect();
  }
}
