/**
 * `npm run bench [-- --quick]`: the service measured against bare BullMQ and a bare Fastify
 * route in the same run, on local Postgres and Redis with the fake SNS server. Every figure is
 * also given as a ratio to its baseline, because the machine is shared and noisy. The last
 * line printed is one JSON object (see docs/performance.md).
 */
import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { QueueProducer, type VoicemailEvent } from '@pbx-sms/queue';
import { FakeSnsServer } from '@pbx-sms/testing';
import { cleanup, eventMaker, perUnit, setup, sumCpu } from './fixture';
import { round, stop } from './measure';
import { bareBullmq } from './phases/bare-bullmq.phase';
import { barePipeline } from './phases/bare-pipeline.phase';
import { ingestPhases } from './phases/ingest.phase';
import { latencyPhase, memoryPhase } from './phases/latency-memory.phase';
import { pipelinePhase, startBenchWorker } from './phases/pipeline.phase';
import { CONCURRENCY, log, ONLY, P, QUICK, REDIS_URL, TENANTS, WARMUP_SECONDS } from './settings';

async function main(): Promise<void> {
  log(
    `pbx-sms bench (${QUICK ? 'quick' : 'full'} mode${ONLY ? `, ${ONLY} only` : ''}): ${TENANTS} tenants, worker concurrency ${CONCURRENCY}${WARMUP_SECONDS > 0 ? `, ${WARMUP_SECONDS} s warm-up before each HTTP phase` : ''}`,
  );
  const f = await setup();
  const fake = await FakeSnsServer.start({ maxRecorded: 200_000 });
  const children: ChildProcess[] = [];
  const result: Record<string, number> = {};
  try {
    const info = new Redis(REDIS_URL);
    const redisPid = Number(/process_id:(\d+)/.exec(await info.info('server'))?.[1]);
    info.disconnect();
    const redisPids: Record<string, number> = redisPid ? { redis: redisPid } : {};

    // Baselines.
    const bareBull = ONLY === 'ingest' ? { jobsPerSec: NaN, cpuMsPerJob: NaN } : await bareBullmq(f.prefix, redisPids);
    const bareJobsPerSec = bareBull.jobsPerSec;
    if (ONLY !== 'ingest') {
      log(
        `bare BullMQ: ${round(bareJobsPerSec, 0)} no-op jobs/s (concurrency ${CONCURRENCY}, ${P.bareJobs} jobs), CPU ms per job ${round(bareBull.cpuMsPerJob, 3)} (worker + Redis)`,
      );
      result.bare_bullmq_jobs_per_sec = round(bareJobsPerSec, 0);
      result.bare_bullmq_cpu_ms_per_job = round(bareBull.cpuMsPerJob, 3);
    }

    // `--only=worker` skips the two HTTP phases (bare route, API): bare BullMQ, then the worker's phases.
    if (ONLY !== 'worker') await ingestPhases(f, redisPids, children, result);
    if (ONLY === 'ingest') {
      log(JSON.stringify(result));
      return;
    }

    // The ingest run left send jobs and rows behind: clear them so the pipeline measures events alone.
    const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const producer = new QueueProducer(connection, f.prefix);
    await producer.sendQueue.obliterate({ force: true });
    await f.prisma.message.deleteMany({});

    const event = eventMaker();
    const events: VoicemailEvent[] = [];
    for (let i = 0; i < P.pipelineEvents; i++) events.push(event((i % TENANTS) + 1, i % 10 === 9 ? '1002' : '1001'));
    const expectedSent = events.filter((e) => e.extension === '1001').length;

    // Floor: the same SMS through a bare worker (provider call + one row each), same run.
    const floor = await barePipeline(
      f,
      fake.url,
      events.filter((e) => e.extension === '1001'),
      fake,
      redisPids,
    );
    log(
      `bare pipeline (BullMQ job + SNS call + one batched row per SMS, concurrency ${CONCURRENCY}): ${round(floor.mps, 0)} messages/s (ratio ${round(floor.mps / bareJobsPerSec, 3)} to bare BullMQ)`,
    );
    log(`  CPU ms per message: ${perUnit(floor.cpu, expectedSent)}`);
    result.bare_pipeline_mps = round(floor.mps, 0);
    result.bare_pipeline_ratio = round(floor.mps / bareJobsPerSec, 3);
    result.bare_pipeline_cpu_ms_per_msg = round(sumCpu(floor.cpu) / expectedSent, 3);

    const worker = await startBenchWorker(f, fake, redisPids, children);
    await pipelinePhase(f, fake, worker, { producer, connection }, events, { floor, bareJobsPerSec }, result);
    await latencyPhase(fake, worker, producer, event, result);
    await memoryPhase(worker, producer, event, result);
    await stop(worker.child);
    await producer.close();
    connection.disconnect();
  } finally {
    for (const c of children) await stop(c, 5_000);
    await fake.close();
    await cleanup(f);
  }
  const summary = {
    ingest_rps: result.ingest_rps,
    ingest_ratio: result.ingest_ratio,
    ingest_p99_ms: result.ingest_p99_ms,
    bare_enqueue_p99_ms: result.bare_enqueue_p99_ms,
    pipeline_mps: result.pipeline_mps,
    pipeline_ratio: result.pipeline_ratio,
    e2e_p99_ms: result.e2e_p99_ms,
    worker_rss_peak_mb: result.worker_rss_peak_mb,
    ...result,
  };
  log(JSON.stringify(summary));
}

main().then(
  // Every client is closed, but a stray keep-alive socket must not keep the command from ending.
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
