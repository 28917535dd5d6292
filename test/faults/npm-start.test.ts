import { spawn } from 'node:child_process';
import path from 'node:path';
import { createTestDatabase, flushPrefix, testQueuePrefix, testRedisUrl, type TestDatabase, freePort, waitFor } from '@pbx-sms/testing';

/**
 * `npm start` as a newcomer runs it in a terminal: one Ctrl-C (SIGINT to the whole foreground
 * process group, which npm also forwards to the script) drains the worker and the API
 * gracefully, once each; the printed `export KEY=…` line gives a key the API accepts.
 */
jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '../..');
let db: TestDatabase;
let prefix: string;
let group: number | undefined;

beforeAll(async () => {
  db = await createTestDatabase('npmstart');
  prefix = testQueuePrefix('npmstart');
});

afterAll(async () => {
  // Whatever happened above, nothing of `npm start` outlives the test.
  if (group !== undefined) {
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  await flushPrefix(prefix);
  await db?.cleanup();
});

it('one Ctrl-C drains the worker and the API once each, and the printed KEY works', async () => {
  const port = await freePort();
  const metricsPort = await freePort();
  const child = spawn('npm', ['start'], {
    cwd: ROOT,
    // Its own process group, as a terminal's foreground job: the signal below reaches every process in it.
    detached: true,
    env: {
      ...process.env,
      DATABASE_URL: db.url,
      REDIS_URL: testRedisUrl(),
      QUEUE_PREFIX: prefix,
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
      ADMIN_TOKEN: '',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  group = child.pid;
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  await waitFor('API and worker up', async () => /Server listening/.test(output) && /worker started/.test(output), 90_000, 100);
  const key = /export KEY='([^']+)'/.exec(output)?.[1] ?? '';
  const res = await fetch(`http://127.0.0.1:${port}/api/sms/send`, {
    method: 'POST',
    headers: { 'X-API-Key': key, 'Content-Type': 'application/json' },
    body: JSON.stringify({ to: '+14165551234', message: 'Test SMS notification' }),
  });

  process.kill(-child.pid!, 'SIGINT');
  await exited;

  const lines = output
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { service: string; msg: string; graceful?: boolean });
  const of = (service: string, msg: string) => lines.filter((l) => l.service === service && l.msg === msg);
  expect(of('worker', 'shutting down')).toHaveLength(1);
  expect(of('worker', 'second signal: exiting now')).toHaveLength(0);
  expect(of('worker', 'worker stopped')).toEqual([expect.objectContaining({ graceful: true })]);
  expect(of('api', 'shutting down')).toHaveLength(1);
  expect(key).toMatch(/^pbx_/);
  expect(res.status).toBe(202);
});
