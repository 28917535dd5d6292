/**
 * `node bench/dist/provider-call.js [calls] [rounds]`: the cost of one provider call, the
 * hand-written SNS client (libs/sms) against the AWS SDK's (`@aws-sdk/client-sns`, kept in
 * bench/src/sdk-sns-provider.ts for this comparison), both publishing to the fake SNS server.
 *
 * The fake runs in its own process, and every round runs one client in a fresh process, so
 * each figure is that party's alone: calls/s, client CPU µs per call (user + system, from
 * `process.cpuUsage`), client RSS after the round, and the fake's CPU µs per request (from
 * /proc, 10 ms ticks). Clients alternate (sdk, lean, sdk, lean, ...) so machine noise hits
 * both alike. 16 calls in flight, as the worker's default concurrency. The last line printed
 * is one JSON object with the medians.
 */
import path from 'node:path';
import { fork } from 'node:child_process';
import { SnsSmsProvider, type SmsProvider, type SnsProviderOptions } from '@pbx-sms/sms';
// Types only: measure.ts loads autocannon, which the client rounds must not carry in their RSS.
import type * as Measure from './measure';

const log = (s: string) => process.stdout.write(`${s}\n`);
const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;
const CONCURRENCY = 16;
const credentials = { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret' };

interface RoundResult {
  client: string;
  calls: number;
  seconds: number;
  cpuUs: number;
  rssMb: number;
  heapMb: number;
  failures: number;
}

/** Child: one client, `calls` sends after a warm-up, then its figures on stdout as JSON. */
async function child(client: string, endpoint: string, calls: number): Promise<void> {
  const opts: SnsProviderOptions = { region: 'us-east-1', endpoint, timeoutMs: 5_000, maxSockets: CONCURRENCY * 2, credentials };
  // The SDK is loaded only in its own rounds, so the lean rounds' RSS does not include it.
  const provider: SmsProvider =
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    client === 'sdk' ? new (require('./sdk-sns-provider') as typeof import('./sdk-sns-provider')).SdkSnsSmsProvider(opts) : new SnsSmsProvider(opts);
  let failures = 0;
  const run = async (n: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < n) {
          const i = next++;
          try {
            await provider.send({
              from: '+14165550100',
              to: '+14165551234',
              body: `Provider call bench ${i}: new voicemail from +12015550150 (0:30).`,
              messageId: `m-${i}`,
            });
          } catch {
            failures++;
          }
        }
      }),
    );
  };
  await run(Math.min(2_000, calls)); // warm-up: JIT, sockets, credentials
  failures = 0;
  global.gc?.();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await run(calls);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const mem = process.memoryUsage();
  await provider.close();
  const out: RoundResult = { client, calls, seconds, cpuUs: cpu.user + cpu.system, rssMb: mem.rss / 2 ** 20, heapMb: mem.heapUsed / 2 ** 20, failures };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function runChild(client: string, endpoint: string, calls: number): Promise<RoundResult> {
  return new Promise((resolve, reject) => {
    const p = fork(__filename, ['--child', client, endpoint, String(calls)], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'], execArgv: ['--expose-gc'] });
    let out = '';
    p.stdout!.on('data', (b: Buffer) => (out += b.toString()));
    p.once('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`${client} round exited ${code}: ${out.slice(-500)}`));
      resolve(JSON.parse(line) as RoundResult);
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function main(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { cpuMs, spawnNode, stop } = require('./measure') as typeof Measure;
  const calls = Number(process.argv[2] ?? 20_000);
  const rounds = Number(process.argv[3] ?? 3);
  const port = 4600 + Math.floor(Math.random() * 300);
  const fake = await spawnNode(path.resolve(__dirname, '../../libs/testing/dist/fake-sns.js'), [String(port)], {}, { line: /listening/ });
  const endpoint = `http://127.0.0.1:${port}`;
  const results: Record<string, { cps: number[]; cpuUs: number[]; fakeUs: number[]; rss: number[] }> = {};
  try {
    for (let r = 0; r < rounds; r++) {
      for (const client of ['sdk', 'lean']) {
        const f0 = cpuMs(fake.pid!);
        const res = await runChild(client, endpoint, calls);
        // The fake's CPU covers the warm-up calls too.
        const fakeCalls = res.calls + Math.min(2_000, res.calls);
        const fakeUs = ((cpuMs(fake.pid!) - f0) * 1000) / fakeCalls;
        if (res.failures > 0) throw new Error(`${client}: ${res.failures} failed calls`);
        const acc = (results[client] ??= { cps: [], cpuUs: [], fakeUs: [], rss: [] });
        acc.cps.push(res.calls / res.seconds);
        acc.cpuUs.push(res.cpuUs / res.calls);
        acc.fakeUs.push(fakeUs);
        acc.rss.push(res.rssMb);
        log(
          `round ${r + 1} ${client.padEnd(4)}: ${round(res.calls / res.seconds, 0)} calls/s, client CPU ${round(res.cpuUs / res.calls, 1)} µs/call, RSS ${round(res.rssMb, 1)} MB (heap ${round(res.heapMb, 1)} MB), fake SNS CPU ${round(fakeUs, 1)} µs/request`,
        );
      }
    }
  } finally {
    await stop(fake, 5_000);
  }
  const summary: Record<string, number> = {};
  for (const [client, a] of Object.entries(results)) {
    summary[`${client}_calls_per_s`] = round(median(a.cps), 0);
    summary[`${client}_cpu_us_per_call`] = round(median(a.cpuUs), 1);
    summary[`${client}_rss_mb`] = round(median(a.rss), 1);
    summary[`fake_cpu_us_per_request_with_${client}`] = round(median(a.fakeUs), 1);
  }
  if (results.sdk && results.lean) summary.cpu_ratio_lean_to_sdk = round(median(results.lean.cpuUs) / median(results.sdk.cpuUs), 3);
  log(JSON.stringify(summary));
}

if (process.argv[2] === '--child') {
  child(process.argv[3]!, process.argv[4]!, Number(process.argv[5])).then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
} else {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`provider-call bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
      process.exit(1);
    },
  );
}
