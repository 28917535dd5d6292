import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';

export const WORKER_MAIN = path.resolve(__dirname, '../dist/main.js');

export interface ChildWorker {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  stderr: string[];
  started: Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Runs the built worker (`node apps/worker/dist/main.js`) with only the given environment. */
export function spawnWorker(env: Record<string, string>): ChildWorker {
  if (!existsSync(WORKER_MAIN)) throw new Error(`${WORKER_MAIN} is missing: run \`npx tsc -b\` before the tests`);
  const child = spawn(process.execPath, [WORKER_MAIN], {
    env: { PATH: process.env.PATH ?? '', NODE_NO_WARNINGS: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  let onStarted: () => void = () => undefined;
  let onFailed: (err: Error) => void = () => undefined;
  const started = new Promise<void>((resolve, reject) => {
    onStarted = resolve;
    onFailed = reject;
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      const entry = JSON.parse(line) as Record<string, unknown>;
      lines.push(entry);
      if (entry.msg === 'worker started') onStarted();
    } catch {
      lines.push({ raw: line });
    }
  });
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      onFailed(new Error(`worker exited before starting (code ${code}): ${stderr.join('\n')}`));
      resolve({ code, signal });
    });
  });
  return { child, lines, stderr, started, exited };
}
