// Run from a built checkout: node apps/worker/bench/worker-pipeline.bench.cjs throughput|latency N CONCURRENCY [RATE]
// Needs local Postgres (database test) and Redis; creates and drops its own schema and key prefix.
const W = require('path').resolve(__dirname, '../../..');
const { spawn } = require('child_process');
const { migrate, createPrisma } = require(W + '/libs/db/dist');
const { QueueProducer, createRedis } = require(W + '/libs/queue/dist');
const { FakeSnsServer } = require(W + '/libs/testing/dist/fake-sns.js');
const { Client } = require(W + '/node_modules/pg');

const mode = process.argv[2] ?? 'throughput';
const N = Number(process.argv[3] ?? 5000);
const C = process.argv[4] ?? '16';
const RATE = Number(process.argv[5] ?? 200);
(async () => {
  const schema = `bench_${Date.now()}`;
  const url = `postgresql://postgres@127.0.0.1:5432/test?schema=${schema}`;
  await migrate(url);
  const prisma = createPrisma(url, { max: 2 });
  for (const id of [59, 60, 61, 62]) {
    await prisma.tenant.create({ data: { id, name: 't' } });
    const n = await prisma.smsNumber.create({ data: { tenantId: id, e164: '+14165550100' } });
    await prisma.smsSettings.create({ data: { tenantId: id, active: true, voicemailEnabled: true, apiEnabled: true, senderNumberId: n.id } });
    await prisma.extension.create({ data: { tenantId: id, extension: '1001', smsNotifications: true, smsNumber: '+14165551234' } });
  }
  const fake = await FakeSnsServer.start({ maxRecorded: 1_000_000 });
  const prefix = `{bench-${Date.now()}}`;
  const redis = createRedis('redis://127.0.0.1:6379', 'worker');
  const producer = new QueueProducer(redis, prefix);
  const child = spawn(process.execPath, [...(process.env.CHILD_ARGS ? process.env.CHILD_ARGS.split(' ') : []), W + '/apps/worker/dist/main.js'], {
    env: {
      PATH: process.env.PATH,
      NODE_NO_WARNINGS: '1',
      DATABASE_URL: url,
      QUEUE_PREFIX: prefix,
      SMS_PROVIDER: 'sns',
      SNS_ENDPOINT: fake.url,
      AWS_ACCESS_KEY_ID: 'x',
      AWS_SECRET_ACCESS_KEY: 'y',
      METRICS_PORT: '0',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
      WORKER_CONCURRENCY: C,
      TENANT_RATE_PER_SEC: '100000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await new Promise((r) => setTimeout(r, 1500));
  const ev = (i) => ({
    eventId: `e${i}`,
    tenantId: 59 + (i % 4),
    extension: '1001',
    callerName: `c${i}`,
    durationSeconds: 3,
    receivedAt: new Date().toISOString(),
  });
  const sentAt = new Map(); // body -> time
  const pubAt = new Map();
  let t0;
  if (mode === 'throughput') {
    for (let i = 0; i < N; i += 1000)
      await producer.voicemailQueue.addBulk(
        Array.from({ length: Math.min(1000, N - i) }, (_, j) => {
          const e = ev(i + j);
          return { name: 'voicemail.received', data: e, opts: { jobId: `vm-${e.tenantId}-${e.eventId}` } };
        }),
      );
    t0 = Date.now();
    await fake.waitForPublishes(N, 300000);
    const s = (Date.now() - t0) / 1000;
    console.log(JSON.stringify({ mode, N, C, seconds: s, eventsPerSec: Math.round(N / s) }));
  } else {
    // steady RATE events/s for N events; e2e = fake receivedAt - publish time
    t0 = Date.now();
    for (let i = 0; i < N; i++) {
      const due = t0 + (i * 1000) / RATE;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const e = ev(i);
      pubAt.set(`c${i}`, Date.now());
      producer.publishVoicemailEvent(e);
    }
    await fake.waitForPublishes(N, 120000);
    const lat = fake.published
      .map((r) => {
        const m = /from (c\d+)/.exec(r.message);
        return r.receivedAt - pubAt.get(m[1]);
      })
      .sort((a, b) => a - b);
    const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];
    console.log(JSON.stringify({ mode, N, rate: RATE, C, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: lat[lat.length - 1] }));
    const rows = await prisma.message.findMany({ select: { body: true, createdAt: true, sentAt: true } });
    const st1 = [],
      st2 = [];
    for (const r of rows) {
      const m = /from (c\d+)/.exec(r.body);
      st1.push(r.createdAt.getTime() - pubAt.get(m[1]));
      st2.push(r.sentAt.getTime() - r.createdAt.getTime());
    }
    st1.sort((a, b) => a - b);
    st2.sort((a, b) => a - b);
    const qq = (a, p) => a[Math.min(a.length - 1, Math.floor(p * a.length))];
    const buckets = new Map();
    for (const r of fake.published) {
      const m = /from (c\d+)/.exec(r.message);
      const pt = pubAt.get(m[1]);
      const b = Math.floor((pt - t0) / 250);
      buckets.set(b, Math.max(buckets.get(b) || 0, r.receivedAt - pt));
    }
    console.log(
      'max latency per 250ms bucket:',
      [...buckets]
        .sort((a, b) => a[0] - b[0])
        .map(([b, v]) => v)
        .join(' '),
    );
    console.log('publish->row', qq(st1, 0.5), qq(st1, 0.9), qq(st1, 0.99), ' row->sent', qq(st2, 0.5), qq(st2, 0.9), qq(st2, 0.99));
  }
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await producer.close();
  redis.disconnect();
  await fake.close();
  await prisma.$disconnect();
  const c = new Client({ connectionString: 'postgresql://postgres@127.0.0.1:5432/test' });
  await c.connect();
  await c.query(`DROP SCHEMA "${schema}" CASCADE`);
  await c.end();
  const r2 = createRedis('redis://127.0.0.1:6379', 'worker');
  let cur = '0';
  do {
    const [n2, keys] = await r2.scan(cur, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cur = n2;
    if (keys.length) await r2.unlink(...keys);
  } while (cur !== '0');
  r2.disconnect();
  process.exit(0);
})();
