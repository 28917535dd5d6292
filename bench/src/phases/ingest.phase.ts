import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { backendsOf, perUnit, sendBody, type Fixture } from '../fixture';
import { backendCpuMeter, cpuMeter, load, round, spawnNode, stop } from '../measure';
import { ADMIN_TOKEN, apiMain, apiNodeArgs, log, P, REDIS_URL, ROOT, WARMUP_SECONDS } from '../settings';

/**
 * The two HTTP phases: a bare Fastify route that only enqueues (the baseline), then the real
 * API under the same load (ingest). Each figure goes into `result`.
 */
export async function ingestPhases(f: Fixture, redisPids: Record<string, number>, children: ChildProcess[], result: Record<string, number>): Promise<void> {
  const bare = await spawnNode(path.join(ROOT, 'bench/dist/bare-fastify.js'), ['3999'], { REDIS_URL, QUEUE_PREFIX: f.prefix }, { line: /ready/ });
  children.push(bare);
  const bareOpts = { url: 'http://127.0.0.1:3999/send', method: 'POST' as const, headers: { 'content-type': 'application/json' }, body: sendBody(0) };
  if (WARMUP_SECONDS > 0) await load({ ...bareOpts, duration: WARMUP_SECONDS });
  const bareCpu = cpuMeter({ bare: bare.pid!, ...redisPids });
  const bareLoad = await load({ ...bareOpts, duration: P.loadSeconds });
  const bareCpuUsed = bareCpu();
  await stop(bare);
  log(`bare Fastify + queue.add: ${round(bareLoad.rps, 0)} req/s, p50 ${bareLoad.p50} ms, p99 ${bareLoad.p99} ms (50 connections, ${P.loadSeconds} s)`);
  log(`  CPU ms per request: ${perUnit(bareCpuUsed, bareLoad.total)} (bench: autocannon; postgres: every postgres process on the machine)`);

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
    requests: f.keys.map((key, i) => ({
      method: 'POST' as const,
      path: '/api/sms/send',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: sendBody(i),
    })),
  };
  if (WARMUP_SECONDS > 0) await load({ ...ingestOpts, duration: WARMUP_SECONDS });
  const ingestPgCpu = await backendCpuMeter(apiBackends);
  const ingestCpu = cpuMeter({ api: api.pid!, ...redisPids });
  const ingest = await load({ ...ingestOpts, duration: P.loadSeconds });
  const ingestCpuUsed: Record<string, number> = { ...ingestCpu(), postgres_api_backends: await ingestPgCpu() };
  await stop(api);
  log(
    `ingest POST /api/sms/send: ${round(ingest.rps, 0)} req/s, p50 ${ingest.p50} ms, p99 ${ingest.p99} ms, non-2xx ${ingest.non2xx}, errors ${ingest.errors}`,
  );
  log(`  CPU ms per request: ${perUnit(ingestCpuUsed, ingest.total)}`);
  result.ingest_rps = round(ingest.rps, 0);
  result.ingest_ratio = round(ingest.rps / bareLoad.rps, 3);
  result.ingest_p99_ms = ingest.p99;
  result.bare_enqueue_p99_ms = bareLoad.p99;
  result.ingest_non2xx = ingest.non2xx;
  result.ingest_api_cpu_ms_per_req = round(ingestCpuUsed.api! / ingest.total, 3);
  result.bare_cpu_ms_per_req = round(bareCpuUsed.bare! / bareLoad.total, 3);
  if (redisPids.redis) {
    result.ingest_redis_cpu_ms_per_req = round(ingestCpuUsed.redis! / ingest.total, 3);
    result.bare_redis_cpu_ms_per_req = round(bareCpuUsed.redis! / bareLoad.total, 3);
  }
  result.ingest_postgres_cpu_ms_per_req = round(ingestCpuUsed.postgres! / ingest.total, 3);
  result.ingest_postgres_backends_cpu_ms_per_req = round(ingestCpuUsed.postgres_api_backends! / ingest.total, 3);
}
