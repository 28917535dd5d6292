import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';

/**
 * Processes and servers a test starts and must not leave behind: each registers how to remove
 * it, so that `cleanupAll()` (afterAll, and process exit as a last resort) removes it even after
 * a failure. Everything binds to 127.0.0.1.
 */

export type Cleanup = { name: string; sync: () => void };
const cleanups: Cleanup[] = [];

export function register(name: string, sync: () => void): Cleanup {
  const c = { name, sync };
  cleanups.push(c);
  return c;
}

export function unregister(c: Cleanup): void {
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

export function spawnNode(
  name: string,
  main: string,
  env: Record<string, string>,
  opts: { readyLine?: (l: Record<string, unknown>) => boolean; keep?: (l: Record<string, unknown>) => boolean } = {},
): Child {
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
  createInterface({ input: child.stdout }).on('line', (line) => {
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
  createInterface({ input: child.stderr }).on('line', (line) => stderr.push(line));
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
