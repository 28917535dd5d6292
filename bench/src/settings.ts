import { readFileSync } from 'node:fs';
import path from 'node:path';

/** The bench's settings: its mode (`--quick`, `--only=`), its sizes, and what it runs against (environment). */

export const QUICK = process.argv.includes('--quick');
// `--only=ingest` runs the two HTTP phases alone (bare Fastify route, then the API), for
// iterating on the API; `--only=worker` the worker's phases alone (bare BullMQ, pipeline, latency,
// memory). The default runs every phase.
export const ONLY = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
if (ONLY !== undefined && ONLY !== 'ingest' && ONLY !== 'worker') throw new Error(`--only: unknown phase ${ONLY} (known: ingest, worker)`);
export const ROOT = path.resolve(__dirname, '..', '..');
export const TENANTS = 50;
export const CONCURRENCY = Number(process.env.WORKER_CONCURRENCY ?? 16);
export const P = {
  bareJobs: QUICK ? 10_000 : 30_000,
  loadSeconds: QUICK ? 5 : 15,
  pipelineEvents: QUICK ? 4_000 : 20_000,
  latencySeconds: QUICK ? 10 : 30,
  latencyRate: 200,
  steadyMinutes: QUICK ? 0 : 5,
};
export const ADMIN_TOKEN = 'bench-admin-token-0123456789';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
export const BASE_DB = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
// Node flags for the worker alone, e.g. BENCH_WORKER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'.
// The worker runs with the Node flags it ships with (package.json's `start:worker`), then these.
const shippedWorkerFlags = (
  JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8')) as { scripts: Record<string, string> }
).scripts['start:worker']!.split(' ').filter((a) => a.startsWith('--'));
export const workerNodeArgs = [...shippedWorkerFlags, ...(process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean)];
// The same for the API process, e.g. BENCH_API_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof-api'.
export const apiNodeArgs = (process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean);
// Another build of the API to measure (A/B runs on a noisy machine), relative to the repository.
export const apiMain = path.resolve(ROOT, process.env.BENCH_API_MAIN ?? 'apps/api/dist/main.js');
// The same for the worker (BENCH_WORKER_MAIN=/other/checkout/apps/worker/dist/main.js).
export const workerMain = path.resolve(ROOT, process.env.BENCH_WORKER_MAIN ?? 'apps/worker/dist/main.js');
// Seconds of the same load, not measured, before each HTTP phase (bare and API alike): 0 (the
// default) measures from a cold process, JIT compilation included; a few seconds measure the
// steady state.
export const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 0);
export const log = (s: string) => process.stdout.write(`${s}\n`);
