import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { createTestDatabase, testRedisUrl, type TestDatabase } from '@pbx-sms/testing';

/**
 * The built CLI (`node apps/cli/dist/main.js`) with Postgres or Redis down: one line naming
 * what is unreachable (never a password), exit 1, within 5 s; the other service is real.
 */

const CLI_MAIN = path.resolve(__dirname, '../dist/main.js');
const SECRET = 's3cret-pw';

let db: TestDatabase;
let closedPort: number;
beforeAll(async () => {
  if (!existsSync(CLI_MAIN)) throw new Error(`${CLI_MAIN} is missing: run \`npm run build\` before the tests`);
  db = await createTestDatabase('cli-outage');
  // A port nothing listens on: bound, then released.
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closedPort = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
});
afterAll(async () => {
  await db?.cleanup();
});

interface Run {
  code: number | null;
  stdout: string;
  stderrLines: string[];
  elapsedMs: number;
}

/** Runs the CLI; a run still going after 15 s is killed (the hang this guards against). */
function run(argv: string[], env: Record<string, string>): Promise<Run> {
  const started = Date.now();
  const child = spawn(process.execPath, [CLI_MAIN, ...argv], {
    env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderrLines: stderr.split('\n').filter(Boolean), elapsedMs: Date.now() - started });
    });
  });
}

jest.setTimeout(60_000);

describe('CLI with a service down', () => {
  it.each([[['queues']], [['event', 'publish', '59', '1001']], [['messages', 'retry-all']]])(
    '%j with Redis down: one line naming Redis, exit 1, within 5 s',
    async (argv) => {
      const r = await run(argv, { DATABASE_URL: db.url, REDIS_URL: `redis://:${SECRET}@127.0.0.1:${closedPort}` });
      expect({ code: r.code, stdout: r.stdout, stderr: r.stderrLines }).toEqual({
        code: 1,
        stdout: '',
        stderr: [`error: Redis at redis://127.0.0.1:${closedPort} is unreachable (connect ECONNREFUSED)`],
      });
      expect(r.elapsedMs).toBeLessThan(5_000);
    },
  );

  it.each([[['tenant', 'list']], [['migrate']], [['rejected-events', 'list']], [['messages', 'retry-all']]])(
    '%j with Postgres down: one line naming Postgres, exit 1, within 5 s',
    async (argv) => {
      const r = await run(argv, { DATABASE_URL: `postgresql://postgres:${SECRET}@127.0.0.1:${closedPort}/postgres`, REDIS_URL: testRedisUrl() });
      expect({ code: r.code, stdout: r.stdout, stderr: r.stderrLines }).toEqual({
        code: 1,
        stdout: '',
        stderr: [`error: Postgres at postgresql://127.0.0.1:${closedPort}/postgres is unreachable (connect ECONNREFUSED)`],
      });
      expect(r.elapsedMs).toBeLessThan(5_000);
    },
  );

  it('with both down, names both on the one line and never prints a password', async () => {
    const r = await run(['messages', 'retry-all'], {
      DATABASE_URL: `postgresql://postgres:${SECRET}@127.0.0.1:${closedPort}/postgres`,
      REDIS_URL: `redis://admin:${SECRET}@127.0.0.1:${closedPort}/1`,
    });
    expect(r.code).toBe(1);
    expect(r.stderrLines).toEqual([
      expect.stringMatching(
        /^error: Postgres at postgresql:\/\/127\.0\.0\.1:\d+\/postgres is unreachable \(.*\); Redis at redis:\/\/127\.0\.0\.1:\d+\/1 is unreachable/,
      ),
    ]);
    expect(r.stdout + r.stderrLines.join('\n')).not.toContain(SECRET);
  });
});
