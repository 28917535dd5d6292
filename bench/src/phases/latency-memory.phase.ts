import { setTimeout as sleep } from 'node:timers/promises';
import type { QueueProducer, VoicemailEvent } from '@pbx-sms/queue';
import type { FakeSnsServer } from '@pbx-sms/testing';
import { perUnit } from '../fixture';
import { cpuMeter, percentile, round } from '../measure';
import { log, P, TENANTS } from '../settings';
import type { BenchWorker } from './pipeline.phase';

type MakeEvent = (tenant: number, ext: string) => VoicemailEvent;

/** Latency at a steady 200 events/s: event published → provider call. */
export async function latencyPhase(
  fake: FakeSnsServer,
  worker: BenchWorker,
  producer: QueueProducer,
  event: MakeEvent,
  result: Record<string, number>,
): Promise<void> {
  fake.reset();
  const publishedAt = new Map<string, number>();
  const total = P.latencyRate * P.latencySeconds;
  const tick = 50;
  const perTick = (P.latencyRate * tick) / 1000;
  const latencyCpu = cpuMeter(worker.cpuPids);
  const latencyStart = Date.now();
  for (let sentEvents = 0; sentEvents < total;) {
    const due = Math.min(total, Math.floor(((Date.now() - latencyStart) / 1000) * P.latencyRate) + perTick);
    const batch: VoicemailEvent[] = [];
    while (sentEvents < due) {
      batch.push(event((sentEvents % TENANTS) + 1, '1001'));
      sentEvents++;
    }
    const now = Date.now();
    for (const e of batch) publishedAt.set(e.callerName!, now);
    await Promise.all(batch.map((e) => producer.publishVoicemailEvent(e)));
    await sleep(tick);
  }
  await fake.waitForPublishes(total, 120_000);
  const lat = fake.published
    .map((r) => r.receivedAt - (publishedAt.get(r.message ?? '') ?? NaN))
    .filter((v) => !Number.isNaN(v))
    .sort((a, b) => a - b);
  log(
    `latency at ${P.latencyRate} events/s for ${P.latencySeconds} s: event published → provider call p50 ${percentile(lat, 50)} ms, p95 ${percentile(lat, 95)} ms, p99 ${percentile(lat, 99)} ms (${lat.length} samples)`,
  );
  log(`  CPU ms per message: ${perUnit(latencyCpu(), total)}`);
  result.e2e_p50_ms = percentile(lat, 50);
  result.e2e_p95_ms = percentile(lat, 95);
  result.e2e_p99_ms = percentile(lat, 99);
}

/** Memory: the worker's RSS across a steady load of several minutes (full mode only), then its start and peak. */
export async function memoryPhase(worker: BenchWorker, producer: QueueProducer, event: MakeEvent, result: Record<string, number>): Promise<void> {
  const { rss } = worker;
  if (P.steadyMinutes > 0) {
    const steadyStartRss = rss.samples[rss.samples.length - 1] ?? NaN;
    const until = Date.now() + P.steadyMinutes * 60_000;
    let n = 0;
    while (Date.now() < until) {
      const batch = Array.from({ length: 10 }, () => event((n++ % TENANTS) + 1, n % 10 === 0 ? '1002' : '1001'));
      await producer.publishVoicemailEvents(batch);
      await sleep(50);
    }
    await sleep(3000);
    const after = rss.samples[rss.samples.length - 1] ?? NaN;
    log(
      `memory: worker RSS ${round(steadyStartRss, 1)} MB before and ${round(after, 1)} MB after ${P.steadyMinutes} min at 200 events/s (${round(((after - steadyStartRss) / steadyStartRss) * 100, 1)} %)`,
    );
    result.worker_rss_steady_change_pct = round(((after - steadyStartRss) / steadyStartRss) * 100, 1);
    result.worker_rss_after_steady_mb = round(after, 1);
  }
  const samples = rss.stop();
  result.worker_rss_start_mb = round(worker.rssStart, 1);
  result.worker_rss_peak_mb = round(Math.max(...samples), 1);
  log(`memory: worker RSS at start ${result.worker_rss_start_mb} MB, peak ${result.worker_rss_peak_mb} MB`);
}
