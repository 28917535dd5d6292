import path from 'node:path';
import { freePort, spawnNode, type Child } from './child-processes';
import { ADMIN_TOKEN } from './api-harness';
import { childWorkerEnv } from './worker-config';
import { waitFor } from './wait';

/** The built API and worker (`npx tsc -b` first) as child processes, configured only through their environment. */

const ROOT = path.resolve(__dirname, '../../..');
export const WORKER_MAIN = path.join(ROOT, 'apps/worker/dist/main.js');
export const API_MAIN = path.join(ROOT, 'apps/api/dist/main.js');

export interface WorkerEnv {
  databaseUrl: string;
  redisUrl: string;
  prefix: string;
  snsUrl: string;
  [k: string]: string;
}

/**
 * Short provider timeout, backoff, lock, stall and reconcile intervals: a fault test's workers
 * recover a crashed replica's jobs within seconds.
 */
export const FAST_RECOVERY_ENV: Record<string, string> = {
  PROVIDER_TIMEOUT_MS: '2000',
  SEND_BACKOFF_MS: '50',
  BULLMQ_LOCK_DURATION_MS: '4000',
  BULLMQ_STALLED_INTERVAL_MS: '1000',
  RECONCILE_INTERVAL_MS: '1000',
  RECONCILE_AFTER_MS: '5000',
};

/** The log lines a worker process keeps by default: its stop, and every error. */
const stopsAndErrors = (l: Record<string, unknown>) =>
  l.msg === 'worker stopped' || l.msg === 'shutting down' || (typeof l.level === 'number' && l.level >= 50);

/**
 * The built worker, `node apps/worker/dist/main.js`, sending through the fake SNS
 * (`childWorkerEnv` plus `env`'s other settings); ready once it logs "worker started".
 */
export function spawnWorker(name: string, env: WorkerEnv, opts: { keep?: (l: Record<string, unknown>) => boolean } = {}): Child {
  const { databaseUrl, redisUrl, prefix, snsUrl, ...rest } = env;
  return spawnNode(
    name,
    WORKER_MAIN,
    { ...childWorkerEnv({ databaseUrl, redisUrl, prefix, snsUrl }), ...rest },
    { readyLine: (l) => l.msg === 'worker started', keep: opts.keep ?? stopsAndErrors },
  );
}

/** Whether every one of these (started) workers sends voicemail Messages inline (its start line says). */
export function inlineSendOn(workers: Child[]): boolean {
  return workers.every((w) => w.readyEntry.line?.inlineSend === true);
}

export interface ApiChild extends Child {
  url: string;
}

export async function spawnApi(name: string, env: { databaseUrl: string; redisUrl: string; prefix: string; [k: string]: string }): Promise<ApiChild> {
  const { databaseUrl, redisUrl, prefix, ...rest } = env;
  const port = await freePort();
  const c = spawnNode(name, API_MAIN, {
    PORT: String(port),
    HOST: '127.0.0.1',
    ADMIN_TOKEN,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX: prefix,
    API_KEY_RATE_PER_SEC: '1000000',
    LOG_LEVEL: 'warn',
    ...rest,
  });
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    `${name} listening`,
    async () => {
      if (c.child.exitCode !== null) throw new Error(`${name} exited: ${c.stderr.join('\n')}`);
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      return res.ok;
    },
    20_000,
    100,
  );
  return { ...c, url };
}
