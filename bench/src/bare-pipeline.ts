/**
 * Baseline: the least any pipeline of this design does per SMS, run as its own process like the
 * worker. A BullMQ worker at the service's concurrency takes each event job, makes one SNS
 * Publish call (the service's own client, to the fake SNS) and writes one durable row with the
 * outcome (rows of concurrent jobs share one INSERT and one commit, at most 2 in flight). No
 * rules, no configuration, no rate limit, no claim before the call, no attempt rows, no logs or
 * metrics. The bench measures it in the same run as the real worker: its figures are the
 * ceiling for the real pipeline on this machine (docs/performance.md "Floor").
 *
 * env: REDIS_URL, QUEUE_PREFIX, DATABASE_URL (with ?schema=), SNS_ENDPOINT, WORKER_CONCURRENCY,
 * BARE_PIPELINE_QUEUE. Prints `ready` once consuming.
 */
import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { Batcher } from '@pbx-sms/concurrency';
import { createPool } from '@pbx-sms/db/pg';
import { SnsSmsProvider } from '@pbx-sms/sms';

interface Row {
  tenantId: number;
  to: string;
  body: string;
  providerMessageId: string;
}

async function main(): Promise<void> {
  const concurrency = Number(process.env.WORKER_CONCURRENCY ?? 16);
  const pool = createPool(process.env.DATABASE_URL!, { max: 4 });
  await pool.query('SELECT 1');
  const provider = new SnsSmsProvider({
    region: 'us-east-1',
    endpoint: process.env.SNS_ENDPOINT!,
    timeoutMs: 10_000,
    maxSockets: concurrency,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });

  // Group commit with the service's own Batcher: rows that arrive while 2 INSERTs are out go together in the next one.
  const rows = new Batcher<Row, void>(
    async (batch) => {
      await pool.query(
        `INSERT INTO bare_sent (tenant_id, to_number, body, provider_message_id)
       SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[])`,
        [batch.map((r) => r.tenantId), batch.map((r) => r.to), batch.map((r) => r.body), batch.map((r) => r.providerMessageId)],
      );
      return batch.map(() => undefined);
    },
    { name: 'bare-sent-rows' },
  );
  const record = (row: Row) => rows.submit(row);

  const worker = new Worker(
    process.env.BARE_PIPELINE_QUEUE ?? 'bare-pipeline',
    async (job: Job<{ tenantId: number; callerName: string }>) => {
      const to = '+14165551234';
      const body = job.data.callerName;
      const { providerMessageId } = await provider.send({ from: '+14165550100', to, body, messageId: String(job.id) });
      await record({ tenantId: job.data.tenantId, to, body, providerMessageId });
    },
    {
      connection: new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null }),
      prefix: process.env.QUEUE_PREFIX ?? '{bench}',
      concurrency,
      removeOnComplete: { count: 1000 },
    },
  );
  await worker.waitUntilReady();
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => {
    void worker
      .close()
      .then(() => Promise.all([pool.end(), provider.close()]))
      .then(() => process.exit(0));
  });
}

void main();
