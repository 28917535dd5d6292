import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Resident set size of a process in MiB, from /proc. */
export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  total: number;
  non2xx: number;
  errors: number;
}

export async function load(opts: autocannon.Options): Promise<LoadResult> {
  const r = await autocannon({ connections: 50, pipelining: 1, ...opts });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, total: r.requests.total, non2xx: r.non2xx, errors: r.errors + r.timeouts };
}

/** Spawns a node process and resolves once it prints `readyLine` (or its /health answers). */
export async function spawnNode(
  script: string,
  args: string[],
  env: Record<string, string>,
  ready: { line?: RegExp; url?: string },
  timeoutMs = 20_000,
  nodeArgs: string[] = [],
): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const onData = (b: Buffer) => {
    output += b.toString();
    if (output.length > 100_000) output = output.slice(-50_000);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (child.exitCode !== null) throw new Error(`${script} exited ${child.exitCode}: ${output.slice(-2000)}`);
    if (ready.line && ready.line.test(output)) return child;
    if (ready.url) {
      const ok = await fetch(ready.url).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return child;
    }
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`${script} not ready after ${timeoutMs} ms: ${output.slice(-2000)}`);
}

export async function stop(child: ChildProcess | undefined, timeoutMs = 30_000): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const done = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await done;
  clearTimeout(t);
}

/** Samples a process's RSS every `everyMs` until stopped. */
export function sampleRss(pid: number, everyMs = 250): { stop(): number[]; samples: number[] } {
  const samples: number[] = [];
  const timer = setInterval(() => {
    const v = rssMb(pid);
    if (!Number.isNaN(v)) samples.push(v);
  }, everyMs);
  timer.unref();
  return {
    samples,
    stop() {
      clearInterval(timer);
      return samples;
    },
  };
}

/** CPU time (user + system) a process has used so far, in ms, from /proc (clock ticks of 10 ms). */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return NaN;
  }
}

/** Every process whose command line starts with `postgres` (the server and its backends). */
export function postgresCpuMs(): number {
  let total = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() !== 'postgres') continue;
    } catch {
      continue;
    }
    const v = cpuMs(Number(d));
    if (!Number.isNaN(v)) total += v;
  }
  return total;
}

/**
 * CPU used by each party during a phase: a noisy shared machine changes wall-clock figures
 * from run to run, CPU per message far less. Postgres is every postgres process (other
 * users of the server included), so read it as an upper bound.
 */
export function cpuMeter(pids: Record<string, number>): () => Record<string, number> {
  const read = () => {
    const out: Record<string, number> = {};
    for (const [name, pid] of Object.entries(pids)) out[name] = cpuMs(pid);
    const self = process.cpuUsage();
    out.bench = (self.user + self.system) / 1000;
    out.postgres = postgresCpuMs();
    return out;
  };
  const start = read();
  return () => {
    const end = read();
    const d: Record<string, number> = {};
    for (const k of Object.keys(end)) d[k] = end[k]! - start[k]!;
    return d;
  };
}

/**
 * CPU used during a phase by the Postgres backends of one application (the `application_name`
 * its connections give, e.g. via PGAPPNAME): unlike `postgres` in cpuMeter this leaves out the
 * other users of the server. Backends opened during the phase count from zero; ones closed
 * during it are lost, so read it as a lower bound.
 */
export async function backendCpuMeter(listPids: () => Promise<number[]>): Promise<() => Promise<number>> {
  const start = new Map<number, number>();
  for (const pid of await listPids()) start.set(pid, cpuMs(pid));
  return async () => {
    let total = 0;
    for (const pid of await listPids()) {
      const v = cpuMs(pid) - (start.get(pid) ?? 0);
      if (!Number.isNaN(v)) total += v;
    }
    return total;
  };
}
