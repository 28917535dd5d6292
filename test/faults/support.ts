import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { migrate } from '@pbx-sms/db';
import { childWorkerEnv } from '../../apps/worker/test/helpers';

/**
 * Shared machinery of the fault suite: test-owned Postgres clusters and Redis servers that a
 * test may stop, restart or wipe; child processes (the built worker and API) it may kill; the
 * accounting of lost and duplicated messages; one line of figures per test. Everything binds
 * to 127.0.0.1, every loop is bounded, and whatever a test starts is registered here so that
 * `cleanupAll()` (afterAll, and process exit as a last resort) removes it even after a failure.
 */

const ROOT = path.resolve(__dirname, '../..');
export const WORKER_MAIN = path.join(ROOT, 'apps/worker/dist/main.js');
export const API_MAIN = path.join(ROOT, 'apps/api/dist/main.js');
export const SNS_CREDENTIALS = { accessKeyId: 'AKIDFAULTS', secretAccessKey: 'faults-secret' };

/** Asynchronous, so that the test process (the fake SNS lives in it) keeps serving meanwhile. */
const run = promisify(execFile);

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
    await sleep(everyMs);
  }
}

// ---------------------------------------------------------------------------------------------
// Cleanup registry

type Cleanup = { name: string; sync: () => void };
const cleanups: Cleanup[] = [];

function register(name: string, sync: () => void): Cleanup {
  const c = { name, sync };
  cleanups.push(c);
  return c;
}

function unregister(c: Cleanup): void {
  const i = cleanups.indexOf(c);
  if (i >= 0) cleanups.splice(i, 1);
}

/** Kills every child, stops every server and drops every cluster this file started. */
export function cleanupAll(): void {
  while (cleanups.length > 0) {
    const c = cleanups.pop()!;
    try {
      c.sync();
    } catch (err) {
      process.stderr.write(`[faults] cleanup of ${c.name} failed: ${String(err)}\n`);
    }
  }
}
process.once('exit', cleanupAll);

// ---------------------------------------------------------------------------------------------
// Postgres: a cluster of our own (pg_createcluster works as root; initdb does not)

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

// ---------------------------------------------------------------------------------------------
// Redis: a server of our own, `appendonly yes`, on its own port and directory

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
    await run(
      'redis-server',
      [
        '--port', String(this.port), '--bind', '127.0.0.1', '--dir', this.dir, '--appendonly', 'yes', '--appendfsync', 'everysec',
        '--save', '', '--maxmemory-policy', 'noeviction', '--daemonize', 'yes', '--pidfile', this.pidFile, '--logfile', path.join(this.dir, 'redis.log'),
      ],
    );
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

// ---------------------------------------------------------------------------------------------
// Child processes

export interface Child {
  name: string;
  child: ChildProcess;
  /** The last 200 stdout lines and every stderr line, for failure messages. */
  tail: string[];
  stderr: string[];
  /** Parsed JSON log lines that match `keep`. */
  kept: Record<string, unknown>[];
  /** The line that matched `readyLine` (e.g. the worker's "worker started", with its settings). */
  readyEntry: { line?: Record<string, unknown> };
  ready: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
}

export function spawnNode(name: string, main: string, env: Record<string, string>, opts: { readyLine?: (l: Record<string, unknown>) => boolean; keep?: (l: Record<string, unknown>) => boolean } = {}): Child {
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`npx tsc -b\` (npm run test:faults builds first)`);
  const child = spawn(process.execPath, [main], { env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const cleanup = register(`${name} (pid ${child.pid})`, () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const tail: string[] = [];
  const stderr: string[] = [];
  const kept: Record<string, unknown>[] = [];
  const readyEntry: { line?: Record<string, unknown> } = {};
  let onReady: () => void = () => undefined;
  let onFailed: (e: Error) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    onFailed = reject;
  });
  ready.catch(() => undefined);
  createInterface({ input: child.stdout! }).on('line', (line) => {
    tail.push(line);
    if (tail.length > 200) tail.shift();
    if (!opts.readyLine && !opts.keep) return;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    if (opts.readyLine?.(entry)) {
      readyEntry.line = entry;
      onReady();
    }
    if (opts.keep?.(entry)) kept.push(entry);
  });
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      unregister(cleanup);
      onFailed(new Error(`${name} exited (code ${code}, signal ${signal}) before it was ready: ${stderr.join('\n')}\n${tail.slice(-20).join('\n')}`));
      resolve({ code, signal });
    });
  });
  if (!opts.readyLine) onReady();
  return { name, child, tail, stderr, kept, readyEntry, ready, exited, kill: (signal) => child.kill(signal) };
}

export interface WorkerEnv {
  databaseUrl: string;
  redisUrl: string;
  prefix: string;
  snsUrl: string;
  [k: string]: string;
}

/** The built worker, `node apps/worker/dist/main.js`, configured only through its environment. */
export function spawnWorker(name: string, env: WorkerEnv): Child {
  const { databaseUrl, redisUrl, prefix, snsUrl, ...rest } = env;
  return spawnNode(
    name,
    WORKER_MAIN,
    {
      ...childWorkerEnv({ databaseUrl, redisUrl, prefix, snsUrl }),
      PROVIDER_TIMEOUT_MS: '2000',
      SEND_BACKOFF_MS: '50',
      BULLMQ_LOCK_DURATION_MS: '4000',
      BULLMQ_STALLED_INTERVAL_MS: '1000',
      RECONCILE_INTERVAL_MS: '1000',
      RECONCILE_AFTER_MS: '5000',
      ...rest,
    },
    {
      readyLine: (l) => l.msg === 'worker started',
      keep: (l) => l.msg === 'worker stopped' || l.msg === 'shutting down' || (typeof l.level === 'number' && l.level >= 50),
    },
  );
}

/** Whether every one of these (started) workers sends voicemail Messages inline (its start line says). */
export function inlineSendOn(workers: Child[]): boolean {
  return workers.every((w) => w.readyEntry.line?.inlineSend === true);
}

// ---------------------------------------------------------------------------------------------
// Figures

export interface Figures {
  [k: string]: string | number | boolean;
}

/** One line per test, easy to grep from the run's output: `[fault-figures] name k=v k=v …`. */
export function printFigures(name: string, figures: Figures): void {
  const line = `[fault-figures] ${name} ${Object.entries(figures)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')}`;
  process.stdout.write(`${line}\n`);
}

/** The figures every mixed-load fault test prints: the message accounting and why duplicates happened. */
export function deliveryFigures(
  acc: Pick<Accounting, 'accepted' | 'terminal' | 'lost'>,
  duplicated: number,
  causes: { interrupted: number; timedOut: number; concurrent: number; other: number },
): Figures {
  return {
    accepted: acc.accepted,
    terminal: acc.terminal,
    lost: acc.lost,
    duplicated,
    dupInterrupted: causes.interrupted,
    dupTimedOut: causes.timedOut,
    dupConcurrent: causes.concurrent,
    dupOther: causes.other,
  };
}

/** Per body, how many successful publishes the fake SNS saw beyond the first. */
export function duplicatesByBody(published: { message: string | null }[]): { duplicated: number; maxPerBody: number } {
  const counts = new Map<string, number>();
  for (const r of published) counts.set(r.message ?? '', (counts.get(r.message ?? '') ?? 0) + 1);
  let duplicated = 0;
  let maxPerBody = 0;
  for (const n of counts.values()) {
    duplicated += n - 1;
    maxPerBody = Math.max(maxPerBody, n);
  }
  return { duplicated, maxPerBody };
}

/**
 * Why each message the provider saw more than once went out again, read from its recorded
 * attempts (every message in these tests has a unique text):
 * - `interrupted`: an attempt was cut short (its worker died, or it was abandoned at shutdown)
 *   after the provider had accepted it, and a later attempt sent again: the crash case, bounded
 *   by the dead worker's provider-call slots;
 * - `timedOut`: the worker recorded a transient failure (a timeout) for a call the provider
 *   had in fact accepted, and the retry sent again;
 * - `concurrent`: two attempts both recorded `sent`: two runs of the Message at the same time
 *   (a job run again by BullMQ while its first run was still alive, or a live attempt resent
 *   by the reconciler);
 * - `other`: none of these.
 */
export async function duplicateCauses(
  query: (sql: string, params: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>,
  published: { message: string | null }[],
): Promise<{ interrupted: number; timedOut: number; concurrent: number; other: number }> {
  const counts = new Map<string, number>();
  for (const r of published) counts.set(r.message ?? '', (counts.get(r.message ?? '') ?? 0) + 1);
  const bodies = [...counts].filter(([, n]) => n > 1).map(([b]) => b);
  const causes = { interrupted: 0, timedOut: 0, concurrent: 0, other: 0 };
  if (bodies.length === 0) return causes;
  const { rows } = await query(
    `SELECT m.body, array_agg(coalesce(a.outcome, 'open') ORDER BY a.attempt) AS outcomes
     FROM messages m JOIN message_attempts a ON a.message_id = m.id WHERE m.body = ANY($1::text[]) GROUP BY m.id, m.body`,
    [bodies],
  );
  for (const r of rows) {
    const outcomes = r.outcomes as string[];
    const extra = (counts.get(String(r.body)) ?? 1) - 1;
    const cause = outcomes.filter((o) => o === 'sent').length > 1 ? 'concurrent' : outcomes.includes('interrupted') ? 'interrupted' : outcomes.includes('retry') ? 'timedOut' : 'other';
    causes[cause] += extra;
  }
  return causes;
}

// ---------------------------------------------------------------------------------------------
// The API as a child process, and a REST client that never waits without a bound

export const ADMIN_TOKEN = 'faults-admin-token-0123456789';

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

/** A new API key for the tenant through the admin API. */
export async function createApiKey(apiUrl: string, tenantId: number, permissions = ['sms:send', 'events:publish']): Promise<string> {
  const res = await fetch(`${apiUrl}/api/admin/tenants/${tenantId}/api-keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ permissions }),
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 201) throw new Error(`api key: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { key: string }).key;
}

export interface RestAnswer {
  /** HTTP status; 0 when the client timeout passed first (a hang) or the connection failed. */
  status: number;
  id?: string;
  retryAfter?: string | null;
  error?: string;
  ms: number;
}

/** `POST /api/sms/send`, bounded by a client timeout. */
export async function restSend(apiUrl: string, apiKey: string, to: string, message: string, timeoutMs = 10_000): Promise<RestAnswer> {
  const t0 = Date.now();
  try {
    const res = await fetch(`${apiUrl}/api/sms/send`, {
      method: 'POST',
      headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ to, message }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let id: string | undefined;
    try {
      id = (JSON.parse(text) as { id?: string }).id;
    } catch {
      // Not JSON: kept in error below.
    }
    return { status: res.status, ...(id ? { id } : {}), retryAfter: res.headers.get('retry-after'), ...(res.status >= 300 ? { error: text.slice(0, 200) } : {}), ms: Date.now() - t0 };
  } catch (err) {
    return { status: 0, error: String((err as Error)?.name ?? err), ms: Date.now() - t0 };
  }
}

export interface RestLoadResult {
  /** Message ids answered 202, with the body each was sent with. */
  accepted: Map<string, string>;
  /** Every answer other than 202, by status (0: timeout or connection error). */
  refused: Map<number, number>;
  /** 503 answers without a Retry-After header. */
  unavailableWithoutRetryAfter: number;
  /** Bodies never accepted after `maxTries`. */
  gaveUp: number;
  maxMs: number;
}

/**
 * Sends `count` messages with unique bodies at the given concurrency. A 503 or 429 is retried
 * as a client would (after a short pause, at most `maxTries` times): those answers promise
 * that nothing was accepted, so the retry cannot double-send. Anything else but 202 is kept.
 */
export async function restLoad(opts: {
  apiUrl: string;
  apiKey: string;
  to: string;
  count: number;
  concurrency: number;
  body: (i: number) => string;
  timeoutMs?: number;
  maxTries?: number;
  retryPauseMs?: number;
  /** Pause after each accepted request, per lane (paces the load). */
  pauseMs?: number;
  /** Called after each 202 (progress). */
  onAccepted?: (n: number) => void;
}): Promise<RestLoadResult> {
  const result: RestLoadResult = { accepted: new Map(), refused: new Map(), unavailableWithoutRetryAfter: 0, gaveUp: 0, maxMs: 0 };
  let next = 0;
  const one = async (i: number) => {
    const body = opts.body(i);
    for (let attempt = 1; attempt <= (opts.maxTries ?? 100); attempt++) {
      const a = await restSend(opts.apiUrl, opts.apiKey, opts.to, body, opts.timeoutMs ?? 10_000);
      result.maxMs = Math.max(result.maxMs, a.ms);
      if (a.status === 202 && a.id) {
        result.accepted.set(a.id, body);
        opts.onAccepted?.(result.accepted.size);
        if (opts.pauseMs) await sleep(opts.pauseMs);
        return;
      }
      result.refused.set(a.status, (result.refused.get(a.status) ?? 0) + 1);
      if (a.status === 503 && !a.retryAfter) result.unavailableWithoutRetryAfter++;
      if (a.status !== 503 && a.status !== 429) {
        // Not a documented "try again": stop, the test reports it.
        result.gaveUp++;
        return;
      }
      await sleep(opts.retryPauseMs ?? 200);
    }
    result.gaveUp++;
  };
  await Promise.all(
    Array.from({ length: opts.concurrency }, async () => {
      while (next < opts.count) await one(next++);
    }),
  );
  return result;
}

// ---------------------------------------------------------------------------------------------
// Accounting

export interface Accounting {
  accepted: number;
  terminal: number;
  /** Accepted but never terminal (or with no row at all) by the deadline. */
  lost: number;
  byStatus: Record<string, number>;
  drainMs: number;
}

/**
 * Waits (bounded) until every accepted message is terminal. `acceptedIds` are the REST 202s;
 * voicemail events count as accepted once their Message row exists (DESIGN "Delivery").
 */
export async function awaitTerminal(
  query: (sql: string, params: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>,
  opts: { tenantId: number; restIds: string[]; started: number; timeoutMs: number; expectEvents?: number },
): Promise<Accounting> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const { rows } = await query(
      `SELECT status::text AS status, count(*)::int AS n FROM messages WHERE tenant_id = $1 AND (source = 'event' OR id = ANY($2::uuid[])) GROUP BY status`,
      [opts.tenantId, opts.restIds],
    ).catch(() => ({ rows: [] as Record<string, unknown>[] }));
    const byStatus: Record<string, number> = Object.fromEntries(rows.map((r) => [String(r.status), Number(r.n)]));
    const total = Object.values(byStatus).reduce((a, b) => a + b, 0);
    const terminal = (byStatus.sent ?? 0) + (byStatus.failed ?? 0) + (byStatus.skipped ?? 0);
    const { rows: restRows } = await query(`SELECT count(*)::int AS n FROM messages WHERE id = ANY($1::uuid[])`, [opts.restIds]).catch(() => ({ rows: [{ n: -1 }] }));
    const restFound = Number(restRows[0]?.n ?? 0);
    const events = total - restFound;
    const done = restFound === opts.restIds.length && terminal === total && (opts.expectEvents === undefined || events >= opts.expectEvents);
    if (done || Date.now() > deadline) {
      const accepted = opts.restIds.length + events;
      return { accepted, terminal, lost: accepted - terminal, byStatus, drainMs: Date.now() - opts.started };
    }
    await sleep(250);
  }
}
