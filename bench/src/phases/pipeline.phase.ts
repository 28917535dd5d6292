import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { QueueProducer, VoicemailEvent } from '@pbx-sms/queue';
import type { FakeSnsServer } from '@pbx-sms/testing';
import { backendsOf, perUnit, redisCommandCalls, sumCpu, type Fixture } from '../fixture';
import { backendCpuMeter, cpuMeter, round, sampleRss, spawnNode } from '../measure';
import { CONCURRENCY, log, REDIS_URL, workerMain, workerNodeArgs } from '../settings';

/** The worker process the pipeline, latency and memory phases measure, with its RSS sampled from the start. */
export interface BenchWorker {
  child: ChildProcess;
  rss: ReturnType<typeof sampleRss>;
  rssStart: number;
  cpuPids: Record<string, number>;
}

export async function startBenchWorker(f: Fixture, fake: FakeSnsServer, redisPids: Record<string, number>, children: ChildProcess[]): Promise<BenchWorker> {
  const workerEnv = {
    DATABASE_URL: f.dbUrl,
    REDIS_URL,
    QUEUE_PREFIX: f.prefix,
    SMS_PROVIDER: 'sns',
    SNS_ENDPOINT: fake.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    METRICS_PORT: '9497',
    // Names the worker's Postgres connections (their backends' CPU apart from other users').
    PGAPPNAME: 'pbx-sms-bench-worker',
    LOG_LEVEL: 'warn',
    WORKER_CONCURRENCY: String(CONCURRENCY),
    // WORKER_INLINE_SEND=false npm run bench … measures the two-job path.
    ...(process.env.WORKER_INLINE_SEND ? { WORKER_INLINE_SEND: process.env.WORKER_INLINE_SEND } : {}),
    // Per-tenant limiting still runs; the limit is raised so 50 tenants are not capped at 50×20/s.
    TENANT_RATE_PER_SEC: '100000',
  };
  const child = await spawnNode(workerMain, [], workerEnv, { url: 'http://127.0.0.1:9497/ready' }, 20_000, workerNodeArgs);
  children.push(child);
  const rss = sampleRss(child.pid!);
  await sleep(500);
  return { child, rss, rssStart: rss.samples[rss.samples.length - 1] ?? NaN, cpuPids: { worker: child.pid!, ...redisPids } };
}

/**
 * Pipeline: voicemail events → rules → message → send job → SNS, as fast as the worker drains
 * them. `floor` is the bare pipeline's run of the same SMS; `bareJobsPerSec` bare BullMQ's.
 */
export async function pipelinePhase(
  f: Fixture,
  fake: FakeSnsServer,
  worker: BenchWorker,
  queue: { producer: QueueProducer; connection: Redis },
  events: VoicemailEvent[],
  baselines: { floor: { mps: number; cpu: Record<string, number> }; bareJobsPerSec: number },
  result: Record<string, number>,
): Promise<void> {
  const { producer, connection } = queue;
  const { floor, bareJobsPerSec } = baselines;
  const expectedSent = events.filter((e) => e.extension === '1001').length;
  fake.reset();
  const pipelineCpu = cpuMeter(worker.cpuPids);
  const pipelineBackends = await backendCpuMeter(backendsOf(f, 'pbx-sms-bench-worker'));
  const commandsBefore = await redisCommandCalls(connection);
  const t0 = performance.now();
  const tFirst = Date.now();
  for (let i = 0; i < events.length; i += 500) await producer.publishVoicemailEvents(events.slice(i, i + 500));
  await fake.waitForPublishes(expectedSent, 600_000);
  const lastCall = Math.max(...fake.published.map((r) => r.receivedAt));
  const pipelineSeconds = (lastCall - tFirst) / 1000;
  const pipelineMps = expectedSent / pipelineSeconds;
  log(
    `pipeline: ${events.length} events (${events.length - expectedSent} skipped by rule) → ${expectedSent} SMS in ${round(pipelineSeconds)} s = ${round(pipelineMps, 0)} messages/s (publish took ${round((performance.now() - t0) / 1000)} s)`,
  );
  const pcpu: Record<string, number> = { ...pipelineCpu(), postgres_own_backends: await pipelineBackends() };
  const commandsAfter = await redisCommandCalls(connection);
  const perMsg = Object.entries(commandsAfter)
    .map(([k, v]) => [k, (v - (commandsBefore[k] ?? 0)) / expectedSent] as const)
    .filter(([, v]) => v >= 0.05)
    .sort((a, b) => b[1] - a[1]);
  log(`  Redis commands per message (every client of this Redis): ${perMsg.map(([k, v]) => `${k} ${round(v, 2)}`).join(', ')}`);
  log(
    `  CPU ms per message: ${perUnit(pcpu, expectedSent)} (postgres: every postgres process on the machine; postgres_own_backends: the worker's own connections)`,
  );
  result.pipeline_worker_cpu_ms_per_msg = round(pcpu.worker! / expectedSent, 3);
  result.pipeline_mps = round(pipelineMps, 0);
  result.pipeline_ratio = round(pipelineMps / bareJobsPerSec, 3);
  result.pipeline_cpu_ms_per_msg = round(sumCpu(pcpu) / expectedSent, 3);
  result.pipeline_postgres_worker_backends_cpu_ms_per_msg = round(pcpu.postgres_own_backends! / expectedSent, 3);
  result.bare_pipeline_postgres_backends_cpu_ms_per_msg = round(floor.cpu.postgres_own_backends! / expectedSent, 3);
  result.pipeline_to_bare_pipeline = round(pipelineMps / floor.mps, 3);
  const skipped = await f.prisma.message.count({ where: { status: 'skipped' } });
  const sent = await f.prisma.message.count({ where: { status: 'sent' } });
  log(
    `  message log: ${sent} sent, ${skipped} skipped, duplicates at the fake SNS: ${fake.published.length - new Set(fake.published.map((r) => r.message)).size}`,
  );
}
