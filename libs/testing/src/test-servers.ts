import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { migrate } from '@pbx-sms/db';
import { freePort, register, unregister, type Cleanup } from './child-processes';
import { waitFor } from './wait';

/**
 * Postgres clusters and Redis servers a fault test owns, so that it may stop, restart or wipe
 * them; registered for `cleanupAll()`.
 */

/** Asynchronous, so that the test process (the fake SNS lives in it) keeps serving meanwhile. */
const run = promisify(execFile);

/** A Postgres cluster of the test's own (pg_createcluster works as root; initdb does not). */
export class TestPostgres {
  private readonly cleanup: Cleanup;

  private constructor(
    readonly name: string,
    readonly port: number,
  ) {
    this.cleanup = register(`postgres cluster ${name}`, () => this.dropSync());
  }

  /** DATABASE_URL of the cluster's `postgres` database (trust auth over 127.0.0.1). */
  get url(): string {
    return `postgresql://postgres@127.0.0.1:${this.port}/postgres`;
  }

  static async create(label: string): Promise<TestPostgres> {
    const name = `pbxfaults_${label.replace(/[^a-z0-9]/gi, '').toLowerCase()}_${randomBytes(3).toString('hex')}`;
    const port = await freePort();
    const pg = new TestPostgres(name, port);
    // Small and quick: this cluster lives for one test file (it listens on localhost only, the default).
    const settings = ['max_connections=300', 'fsync=off', 'synchronous_commit=off'].flatMap((o) => ['-o', o]);
    execFileSync('pg_createcluster', ['15', name, '-p', String(port), '--start-conf', 'manual', ...settings, '--', '-A', 'trust'], { stdio: 'pipe' });
    await pg.start();
    await waitFor('postgres cluster up', () => pg.ping(), 20_000, 100);
    await migrate(pg.url);
    return pg;
  }

  async ping(): Promise<boolean> {
    const c = new Client({ connectionString: this.url, connectionTimeoutMillis: 1000 });
    try {
      await c.connect();
      await c.query('SELECT 1');
      return true;
    } catch {
      return false;
    } finally {
      await c.end().catch(() => undefined);
    }
  }

  async start(): Promise<void> {
    await run('pg_ctlcluster', ['15', this.name, 'start']);
  }

  /** Fast shutdown: every connection is cut, new ones are refused until start(). */
  async stop(): Promise<void> {
    await run('pg_ctlcluster', ['15', this.name, 'stop', '-m', 'fast']);
  }

  drop(): void {
    unregister(this.cleanup);
    this.dropSync();
  }

  private dropSync(): void {
    execFileSync('pg_dropcluster', ['--stop', '15', this.name], { stdio: 'pipe' });
  }
}

/** A Redis server of the test's own, `appendonly yes`, on its own port and directory. */
export class TestRedis {
  private readonly cleanup: Cleanup;
  readonly dir: string;

  private constructor(readonly port: number) {
    this.dir = mkdtempSync(path.join(tmpdir(), 'pbx-faults-redis-'));
    this.cleanup = register(`redis-server :${port}`, () => {
      this.killSync();
      rmSync(this.dir, { recursive: true, force: true });
    });
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async create(): Promise<TestRedis> {
    const r = new TestRedis(await freePort());
    await r.start();
    return r;
  }

  private get pidFile(): string {
    return path.join(this.dir, 'redis.pid');
  }

  async start(): Promise<void> {
    await run('redis-server', [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--dir',
      this.dir,
      '--appendonly',
      'yes',
      '--appendfsync',
      'everysec',
      '--save',
      '',
      '--maxmemory-policy',
      'noeviction',
      '--daemonize',
      'yes',
      '--pidfile',
      this.pidFile,
      '--logfile',
      path.join(this.dir, 'redis.log'),
    ]);
    await waitFor('redis up', async () => (await this.cliAsync('PING')).trim() === 'PONG', 10_000, 50);
  }

  cli(...args: string[]): string {
    return execFileSync('redis-cli', ['-h', '127.0.0.1', '-p', String(this.port), ...args], { stdio: 'pipe', timeout: 10_000 }).toString();
  }

  async cliAsync(...args: string[]): Promise<string> {
    return (await run('redis-cli', ['-h', '127.0.0.1', '-p', String(this.port), ...args], { timeout: 10_000 })).stdout;
  }

  /** SHUTDOWN: the append-only file is flushed, then the server exits. */
  async stop(): Promise<void> {
    try {
      await this.cliAsync('SHUTDOWN');
    } catch {
      // redis-cli reports the dropped connection as an error.
    }
    await waitFor('redis down', async () => !existsSync(this.pidFile), 10_000, 50);
  }

  async flushAll(): Promise<void> {
    await this.cliAsync('FLUSHALL');
  }

  private killSync(): void {
    try {
      this.cli('SHUTDOWN', 'NOSAVE');
    } catch {
      // Already gone.
    }
  }
}
