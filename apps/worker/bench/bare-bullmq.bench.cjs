// Bare BullMQ no-op throughput, the baseline: node apps/worker/bench/bare-bullmq.bench.cjs N CONCURRENCY
const { Queue, Worker } = require('../../../node_modules/bullmq');
const IORedis = require('../../../node_modules/ioredis');
(async () => {
  const N = Number(process.argv[2] ?? 20000),
    C = Number(process.argv[3] ?? 16);
  const prefix = `{bench-bare-${Date.now()}}`;
  const conn = new IORedis({ maxRetriesPerRequest: null });
  const q = new Queue('noop', { connection: conn, prefix });
  for (let i = 0; i < N; i += 1000)
    await q.addBulk(Array.from({ length: Math.min(1000, N - i) }, (_, j) => ({ name: 'x', data: { i: i + j }, opts: { removeOnComplete: true } })));
  let done = 0;
  const t0 = Date.now();
  await new Promise((resolve) => {
    const w = new Worker('noop', async () => {}, { connection: new IORedis({ maxRetriesPerRequest: null }), prefix, concurrency: C });
    w.on('completed', () => {
      if (++done === N) resolve(w);
    });
  }).then((w) => w.close());
  const s = (Date.now() - t0) / 1000;
  console.log(JSON.stringify({ bare: true, N, C, seconds: s, jobsPerSec: Math.round(N / s) }));
  await q.obliterate({ force: true });
  await q.close();
  conn.disconnect();
  process.exit(0);
})();
