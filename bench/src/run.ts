/**
 * `npm run bench [-- --quick]`: the service measured against bare BullMQ and a bare Fastify
 * route in the same run, on local Postgres and Redis with the fake SNS server. Every figure is
 * also given as a ratio to its baseline, because the machine is shared and noisy. The last
 * line printed is one JSON object (see docs/performance.md).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { createPrisma, migrate, type PrismaClient } from '@pbx-sms/db';
import { AdminService } from '@pbx-sms/operations';
import { JOBS, QueueProducer, jobOptions, type VoicemailEvent } from '@pbx-sms/queue';
import { FakeSnsServer } from '@pbx-sms/testing';
import { backendCpuMeter, cpuMeter, load, percentile, round, sampleRss, spawnNode, stop } from './measure';

const QUICK = process.argv.includes('--quick');
// `--only=ingest` runs the two HTTP phases alone (bare Fastify route, then the API), for
// iterating on the API; `--only=worker` the worker's phases alone (bare BullMQ, pipeline, latency,
// memory). The default runs every phase.
const ONLY = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
if (ONLY !== undefined && ONLY !== 'ingest' && ONLY !== 'worker') throw new Error(`--only: unknown phase ${ONLY} (known: ingest, worker)`);
const ROOT = path.resolve(__dirname, '..', '..');
const TENANTS = 50;
const CONCURRENCY = Number(process.env.WORKER_CONCURRENCY ?? 16);
const P = {
  bareJobs: QUICK ? 10_000 : 30_000,
  loadSeconds: QUICK ? 5 : 15,
  pipelineEvents: QUICK ? 4_000 : 20_000,
  latencySeconds: QUICK ? 10 : 30,
  latencyRate: 200,
  steadyMinutes: QUICK ? 0 : 5,
};
const ADMIN_TOKEN = 'bench-admin-token-0123456789';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const BASE_DB = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
// Node flags for the worker alone, e.g. BENCH_WORKER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'.
// The worker runs with the Node flags it ships with (package.json's `start:worker`), then these.
const shippedWorkerFlags = (JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['start:worker']!
  .split(' ')
  .filter((a) => a.startsWith('--'));
const workerNodeArgs = [...shippedWorkerFlags, ...(process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean)];
// The same for the API process, e.g. BENCH_API_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof-api'.
const apiNodeArgs = (process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean);
// Another build of the API to measure (A/B runs on a noisy machine), relative to the repository.
const apiMain = path.resolve(ROOT, process.env.BENCH_API_MAIN ?? 'apps/api/dist/main.js');
// The same for the worker (BENCH_WORKER_MAIN=/other/checkout/apps/worker/dist/main.js).
const workerMain = path.resolve(ROOT, process.env.BENCH_WORKER_MAIN ?? 'apps/worker/dist/main.js');
// Seconds of the same load, not measured, before each HTTP phase (bare and API alike): 0 (the
// default) measures from a cold process, JIT compilation included; a few seconds measure the
// steady state.
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 0);
const log = (s: string) => process.stdout.write(`${s}\n`);

interface Fixture {
  dbUrl: string;
  schema: string;
  prefix: string;
  prisma: PrismaClient;
  keys: string[];
}

async function setup(): Promise<Fixture> {
  const schema = `bench_${randomBytes(4).toString('hex')}`;
  const u = new URL(BASE_DB);
  u.searchParams.set('schema', schema);
  const dbUrl = u.toString();
  await migrate(dbUrl);
  const prisma = createPrisma(dbUrl, { max: 4 });
  const admin = new AdminService(prisma);
  const keys: string[] = [];
  for (let t = 1; t <= TENANTS; t++) {
    const sender = `+1416555${String(100 + t).padStart(4, '0')}`;
    await admin.putTenant(t, { name: `Bench ${t}`, timeZone: 'UTC' });
    await admin.putNumber(t, sender, { smsEnabled: true });
    // The template is the caller name alone, so the fake SNS sees which event a message came from.
    await admin.putSettings(t, { active: true, senderNumber: sender, voicemailEnabled: true, apiEnabled: true, voicemailTemplate: '{{callerName}}' });
    await admin.putExtension(t, '1001', { smsNotifications: true, smsNumber: '+14165551234' });
    await admin.putExtension(t, '1002', { smsNotifications: false, smsNumber: '+14165551234' });
    keys.push((await admin.createApiKey(t, { permissions: ['sms:send', 'events:publish'] })).key);
  }
  return { dbUrl, schema, prefix: `{pbx-sms-bench-${randomBytes(3).toString('hex')}}`, prisma, keys };
}

async function cleanup(f: Fixture): Promise<void> {
  await f.prisma.$executeRawUnsafe(`DROP SCHEMA IF EXISTS "${f.schema}" CASCADE`);
  await f.prisma.$disconnect();
  const redis = new Redis(REDIS_URL);
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${f.prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.unlink(...keys);
  } while (cursor !== '0');
  redis.disconnect();
}

/** Bare BullMQ: no-op jobs/s at the service's worker concurrency. */
async function bareBullmq(prefix: string, redisPids: Record<string, number>): Promise<{ jobsPerSec: number; cpuMsPerJob: number }> {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const queue = new Queue('bare-noop', { connection, prefix });
  for (let i = 0; i < P.bareJobs; i += 1000) {
    await queue.addBulk(Array.from({ length: Math.min(1000, P.bareJobs - i) }, (_, k) => ({ name: 'noop', data: { i: i + k }, opts: { removeOnComplete: true } })));
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

/**
 * The floor (bench/src/bare-pipeline.ts): events drained by a bare worker that only makes the
 * provider call and writes one row per SMS, published exactly as the pipeline phase publishes.
 */
async function barePipeline(f: Fixture, fakeUrl: string, events: VoicemailEvent[], fake: FakeSnsServer, cpuPids: Record<string, number>): Promise<{ mps: number; cpu: Record<string, number> }> {
  await f.prisma.$executeRawUnsafe(
    `CREATE TABLE bare_sent (id bigserial PRIMARY KEY, tenant_id int NOT NULL, to_number text NOT NULL, body text NOT NULL, provider_message_id text NOT NULL, sent_at timestamptz NOT NULL DEFAULT now())`,
  );
  const queueName = 'bare-pipeline';
  const child = await spawnNode(
    path.join(ROOT, 'bench/dist/bare-pipeline.js'),
    [],
    { REDIS_URL, QUEUE_PREFIX: f.prefix, DATABASE_URL: f.dbUrl, SNS_ENDPOINT: fakeUrl, WORKER_CONCURRENCY: String(CONCURRENCY), BARE_PIPELINE_QUEUE: queueName, PGAPPNAME: 'pbx-sms-bench-bare-pipeline' },
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
      await queue.addBulk(events.slice(i, i + 500).map((data) => ({ name: JOBS.voicemailReceived.name, data, opts: jobOptions(JOBS.voicemailReceived, data) })));
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

/**
 * CPU over every process of a phase: its own Postgres backends are already inside `postgres`
 * (every postgres process on the machine, other users included: an upper bound).
 */
function sumCpu(cpu: Record<string, number>): number {
  return Object.entries(cpu).reduce((a, [k, v]) => (k === 'postgres_own_backends' ? a : a + v), 0);
}

/** The pids of the Postgres backends whose connections name themselves `appName` (PGAPPNAME). */
function backendsOf(f: Fixture, appName: string): () => Promise<number[]> {
  return () =>
    f.prisma.$queryRawUnsafe<{ pid: number }[]>(`SELECT pid FROM pg_stat_activity WHERE application_name = $1`, appName).then((r) => r.map((x) => Number(x.pid)));
}

/** Calls per command from INFO commandstats (`evalsha` counts each BullMQ script). */
async function redisCommandCalls(redis: Redis): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const m of (await redis.info('commandstats')).matchAll(/cmdstat_([^:]+):calls=(\d+)/g)) out[m[1]!] = Number(m[2]);
  return out;
}

function sendBody(i: number): string {
  return JSON.stringify({ to: '+14165551234', message: `Bench message ${i}` });
}

async function main(): Promise<void> {
  log(`pbx-sms bench (${QUICK ? 'quick' : 'full'} mode${ONLY ? `, ${ONLY} only` : ''}): ${TENANTS} tenants, worker concurrency ${CONCURRENCY}${WARMUP_SECONDS > 0 ? `, ${WARMUP_SECONDS} s warm-up before each HTTP phase` : ''}`);
  const f = await setup();
  const fake = await FakeSnsServer.start({ maxRecorded: 200_000 });
  const children: ChildProcess[] = [];
  const result: Record<string, number> = {};
  const perRequest = (d: Record<string, number>, n: number) =>
    Object.entries(d).map(([k, v]) => `${k} ${round(v / n, 3)}`).join(', ');
  try {
    const info = new Redis(REDIS_URL);
    const redisPid = Number(/process_id:(\d+)/.exec(await info.info('server'))?.[1]);
    info.disconnect();
    const redisPids: Record<string, number> = redisPid ? { redis: redisPid } : {};

    // Baselines.
    const bareBull = ONLY === 'ingest' ? { jobsPerSec: NaN, cpuMsPerJob: NaN } : await bareBullmq(f.prefix, redisPids);
    const bareJobsPerSec = bareBull.jobsPerSec;
    if (ONLY !== 'ingest') {
      log(`bare BullMQ: ${round(bareJobsPerSec, 0)} no-op jobs/s (concurrency ${CONCURRENCY}, ${P.bareJobs} jobs), CPU ms per job ${round(bareBull.cpuMsPerJob, 3)} (worker + Redis)`);
      result.bare_bullmq_jobs_per_sec = round(bareJobsPerSec, 0);
      result.bare_bullmq_cpu_ms_per_job = round(bareBull.cpuMsPerJob, 3);
    }

    // `--only=worker` skips the two HTTP phases (bare route, API): bare BullMQ, then the worker's phases.
    if (ONLY !== 'worker') {
      const bare = await spawnNode(path.join(ROOT, 'bench/dist/bare-fastify.js'), ['3999'], { REDIS_URL, QUEUE_PREFIX: f.prefix }, { line: /ready/ });
      children.push(bare);
      const bareOpts = { url: 'http://127.0.0.1:3999/send', method: 'POST' as const, headers: { 'content-type': 'application/json' }, body: sendBody(0) };
      if (WARMUP_SECONDS > 0) await load({ ...bareOpts, duration: WARMUP_SECONDS });
      const bareCpu = cpuMeter({ bare: bare.pid!, ...redisPids });
      const bareLoad = await load({ ...bareOpts, duration: P.loadSeconds });
      const bareCpuUsed = bareCpu();
      await stop(bare);
      log(`bare Fastify + queue.add: ${round(bareLoad.rps, 0)} req/s, p50 ${bareLoad.p50} ms, p99 ${bareLoad.p99} ms (50 connections, ${P.loadSeconds} s)`);
      log(`  CPU ms per request: ${perRequest(bareCpuUsed, bareLoad.total)} (bench: autocannon; postgres: every postgres process on the machine)`);

      // Ingest: the real API.
      const apiEnv = {
        DATABASE_URL: f.dbUrl,
        REDIS_URL,
        QUEUE_PREFIX: f.prefix,
        ADMIN_TOKEN,
        PORT: '3998',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        // The limiter still runs on every request; the limit is raised so it does not cap the run.
        API_KEY_RATE_PER_SEC: '1000000',
        // Names the API's Postgres connections, so their backends' CPU can be told from other users'.
        PGAPPNAME: 'pbx-sms-bench-api',
      };
      const api = await spawnNode(apiMain, [], apiEnv, { url: 'http://127.0.0.1:3998/health' }, 20_000, apiNodeArgs);
      children.push(api);
      const apiBackends = backendsOf(f, 'pbx-sms-bench-api');
      const ingestOpts = {
        url: 'http://127.0.0.1:3998/api/sms/send',
        method: 'POST' as const,
        requests: f.keys.map((key, i) => ({ method: 'POST' as const, path: '/api/sms/send', headers: { 'content-type': 'application/json', 'x-api-key': key }, body: sendBody(i) })),
      };
      if (WARMUP_SECONDS > 0) await load({ ...ingestOpts, duration: WARMUP_SECONDS });
      const ingestPgCpu = await backendCpuMeter(apiBackends);
      const ingestCpu = cpuMeter({ api: api.pid!, ...redisPids });
      const ingest = await load({ ...ingestOpts, duration: P.loadSeconds });
      const ingestCpuUsed: Record<string, number> = { ...ingestCpu(), postgres_api_backends: await ingestPgCpu() };
      await stop(api);
      log(`ingest POST /api/sms/send: ${round(ingest.rps, 0)} req/s, p50 ${ingest.p50} ms, p99 ${ingest.p99} ms, non-2xx ${ingest.non2xx}, errors ${ingest.errors}`);
      log(`  CPU ms per request: ${perRequest(ingestCpuUsed, ingest.total)}`);
      result.ingest_rps = round(ingest.rps, 0);
      result.ingest_ratio = round(ingest.rps / bareLoad.rps, 3);
      result.ingest_p99_ms = ingest.p99;
      result.bare_enqueue_p99_ms = bareLoad.p99;
      result.ingest_non2xx = ingest.non2xx;
      result.ingest_api_cpu_ms_per_req = round(ingestCpuUsed.api! / ingest.total, 3);
      result.bare_cpu_ms_per_req = round(bareCpuUsed.bare! / bareLoad.total, 3);
      if (redisPid) {
        result.ingest_redis_cpu_ms_per_req = round(ingestCpuUsed.redis! / ingest.total, 3);
        result.bare_redis_cpu_ms_per_req = round(bareCpuUsed.redis! / bareLoad.total, 3);
      }
      result.ingest_postgres_cpu_ms_per_req = round(ingestCpuUsed.postgres! / ingest.total, 3);
      result.ingest_postgres_backends_cpu_ms_per_req = round(ingestCpuUsed.postgres_api_backends! / ingest.total, 3);
    }
    if (ONLY === 'ingest') {
      log(JSON.stringify(result));
      return;
    }

    // The ingest run left send jobs and rows behind: clear them so the pipeline measures events alone.
    const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const producer = new QueueProducer(connection, f.prefix);
    await producer.sendQueue.obliterate({ force: true });
    await f.prisma.message.deleteMany({});

    let seq = 0;
    const event = (tenant: number, ext: string): VoicemailEvent => {
      seq++;
      return { eventId: `b-${seq}`, tenantId: tenant, extension: ext, callerName: `e${seq}`, callerId: '+12015550150', durationSeconds: 30, receivedAt: new Date().toISOString() };
    };
    const events: VoicemailEvent[] = [];
    for (let i = 0; i < P.pipelineEvents; i++) events.push(event((i % TENANTS) + 1, i % 10 === 9 ? '1002' : '1001'));
    const expectedSent = events.filter((e) => e.extension === '1001').length;

    // Floor: the same SMS through a bare worker (provider call + one row each), same run.
    const floor = await barePipeline(f, fake.url, events.filter((e) => e.extension === '1001'), fake, redisPids);
    log(`bare pipeline (BullMQ job + SNS call + one batched row per SMS, concurrency ${CONCURRENCY}): ${round(floor.mps, 0)} messages/s (ratio ${round(floor.mps / bareJobsPerSec, 3)} to bare BullMQ)`);
    log(`  CPU ms per message: ${perRequest(floor.cpu, expectedSent)}`);
    result.bare_pipeline_mps = round(floor.mps, 0);
    result.bare_pipeline_ratio = round(floor.mps / bareJobsPerSec, 3);
    const floorCpuMs = sumCpu(floor.cpu) / expectedSent;
    result.bare_pipeline_cpu_ms_per_msg = round(floorCpuMs, 3);

    // Pipeline: voicemail events → rules → message → send job → SNS.
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
    const worker = await spawnNode(workerMain, [], workerEnv, { url: 'http://127.0.0.1:9497/ready' }, 20_000, workerNodeArgs);
    children.push(worker);
    const rss = sampleRss(worker.pid!);
    const cpuPids = { worker: worker.pid!, ...redisPids };
    const perMessage = perRequest;
    await new Promise((r) => setTimeout(r, 500));
    const rssStart = rss.samples[rss.samples.length - 1] ?? NaN;

    fake.reset();
    const pipelineCpu = cpuMeter(cpuPids);
    const pipelineBackends = await backendCpuMeter(backendsOf(f, 'pbx-sms-bench-worker'));
    const commandsBefore = await redisCommandCalls(connection);
    const t0 = performance.now();
    const tFirst = Date.now();
    for (let i = 0; i < events.length; i += 500) await producer.publishVoicemailEvents(events.slice(i, i + 500));
    await fake.waitForPublishes(expectedSent, 600_000);
    const lastCall = Math.max(...fake.published.map((r) => r.receivedAt));
    const pipelineSeconds = (lastCall - tFirst) / 1000;
    const pipelineMps = expectedSent / pipelineSeconds;
    log(`pipeline: ${events.length} events (${events.length - expectedSent} skipped by rule) → ${expectedSent} SMS in ${round(pipelineSeconds)} s = ${round(pipelineMps, 0)} messages/s (publish took ${round((performance.now() - t0) / 1000)} s)`);
    const pcpu: Record<string, number> = { ...pipelineCpu(), postgres_own_backends: await pipelineBackends() };
    const commandsAfter = await redisCommandCalls(connection);
    const perMsg = Object.entries(commandsAfter)
      .map(([k, v]) => [k, (v - (commandsBefore[k] ?? 0)) / expectedSent] as const)
      .filter(([, v]) => v >= 0.05)
      .sort((a, b) => b[1] - a[1]);
    log(`  Redis commands per message (every client of this Redis): ${perMsg.map(([k, v]) => `${k} ${round(v, 2)}`).join(', ')}`);
    log(`  CPU ms per message: ${perMessage(pcpu, expectedSent)} (postgres: every postgres process on the machine; postgres_own_backends: the worker's own connections)`);
    result.pipeline_worker_cpu_ms_per_msg = round(pcpu.worker! / expectedSent, 3);
    result.pipeline_mps = round(pipelineMps, 0);
    result.pipeline_ratio = round(pipelineMps / bareJobsPerSec, 3);
    result.pipeline_cpu_ms_per_msg = round(sumCpu(pcpu) / expectedSent, 3);
    result.pipeline_postgres_worker_backends_cpu_ms_per_msg = round(pcpu.postgres_own_backends! / expectedSent, 3);
    result.bare_pipeline_postgres_backends_cpu_ms_per_msg = round(floor.cpu.postgres_own_backends! / expectedSent, 3);
    result.pipeline_to_bare_pipeline = round(pipelineMps / floor.mps, 3);
    const skipped = await f.prisma.message.count({ where: { status: 'skipped' } });
    const sent = await f.prisma.message.count({ where: { status: 'sent' } });
    log(`  message log: ${sent} sent, ${skipped} skipped, duplicates at the fake SNS: ${fake.published.length - new Set(fake.published.map((r) => r.message)).size}`);

    // Latency at a steady 200 events/s.
    fake.reset();
    const publishedAt = new Map<string, number>();
    const total = P.latencyRate * P.latencySeconds;
    const tick = 50;
    const perTick = (P.latencyRate * tick) / 1000;
    const latencyCpu = cpuMeter(cpuPids);
    const latencyStart = Date.now();
    for (let sentEvents = 0; sentEvents < total; ) {
      const due = Math.min(total, Math.floor(((Date.now() - latencyStart) / 1000) * P.latencyRate) + perTick);
      const batch: VoicemailEvent[] = [];
      while (sentEvents < due) {
        batch.push(event((sentEvents % TENANTS) + 1, '1001'));
        sentEvents++;
      }
      const now = Date.now();
      for (const e of batch) publishedAt.set(e.callerName!, now);
      await Promise.all(batch.map((e) => producer.publishVoicemailEvent(e)));
      await new Promise((r) => setTimeout(r, tick));
    }
    await fake.waitForPublishes(total, 120_000);
    const lat = fake.published.map((r) => r.receivedAt - (publishedAt.get(r.message ?? '') ?? NaN)).filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
    log(`latency at ${P.latencyRate} events/s for ${P.latencySeconds} s: event published → provider call p50 ${percentile(lat, 50)} ms, p95 ${percentile(lat, 95)} ms, p99 ${percentile(lat, 99)} ms (${lat.length} samples)`);
    log(`  CPU ms per message: ${perMessage(latencyCpu(), total)}`);
    result.e2e_p50_ms = percentile(lat, 50);
    result.e2e_p95_ms = percentile(lat, 95);
    result.e2e_p99_ms = percentile(lat, 99);

    // Memory: a steady load for several minutes (full mode).
    if (P.steadyMinutes > 0) {
      const steadyStartRss = rss.samples[rss.samples.length - 1] ?? NaN;
      const until = Date.now() + P.steadyMinutes * 60_000;
      let n = 0;
      while (Date.now() < until) {
        const batch = Array.from({ length: 10 }, () => event((n++ % TENANTS) + 1, n % 10 === 0 ? '1002' : '1001'));
        await producer.publishVoicemailEvents(batch);
        await new Promise((r) => setTimeout(r, 50));
      }
      await new Promise((r) => setTimeout(r, 3000));
      const after = rss.samples[rss.samples.length - 1] ?? NaN;
      log(`memory: worker RSS ${round(steadyStartRss, 1)} MB before and ${round(after, 1)} MB after ${P.steadyMinutes} min at 200 events/s (${round(((after - steadyStartRss) / steadyStartRss) * 100, 1)} %)`);
      result.worker_rss_steady_change_pct = round(((after - steadyStartRss) / steadyStartRss) * 100, 1);
      result.worker_rss_after_steady_mb = round(after, 1);
    }
    const samples = rss.stop();
    result.worker_rss_start_mb = round(rssStart, 1);
    result.worker_rss_peak_mb = round(Math.max(...samples), 1);
    log(`memory: worker RSS at start ${result.worker_rss_start_mb} MB, peak ${result.worker_rss_peak_mb} MB`);
    await stop(worker);
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

