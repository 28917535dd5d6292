import { Redis } from 'ioredis';
import { flushPrefix, testQueuePrefix, testRedisUrl } from '@pbx-sms/testing';
import { JOBS, QueueProducer, sendJobId } from '../src';

/** enqueueSends: each job added as enqueueSend adds it. */
const prefix = testQueuePrefix('producer');
let redis: Redis;
let producer: QueueProducer;

beforeAll(() => {
  redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
  producer = new QueueProducer(redis, prefix);
});
afterAll(async () => {
  await producer.close();
  redis.disconnect();
  await flushPrefix(prefix);
});

describe('QueueProducer.enqueueSends', () => {
  it('adds every job with its id and options, as enqueueSend does', async () => {
    await producer.enqueueSend({ messageId: 'one', tenantId: 7 });
    await producer.enqueueSends(Array.from({ length: 30 }, (_, i) => ({ messageId: `m${i}`, tenantId: 7 })));
    const single = await producer.sendQueue.getJob(sendJobId('one'));
    for (const i of [0, 29]) {
      const job = await producer.sendQueue.getJob(sendJobId(`m${i}`));
      expect(job?.data).toEqual({ messageId: `m${i}`, tenantId: 7 });
      expect(job?.name).toBe(single?.name);
      expect(job?.opts.attempts).toBe(JOBS.smsSend.attempts);
      expect(job?.opts.backoff).toEqual(single?.opts.backoff);
      expect(job?.opts.removeOnComplete).toEqual(single?.opts.removeOnComplete);
    }
    expect(await producer.sendQueue.getWaitingCount()).toBe(31);
  });

  it('adds nothing for no jobs', async () => {
    const before = await producer.sendQueue.getWaitingCount();
    await producer.enqueueSends([]);
    expect(await producer.sendQueue.getWaitingCount()).toBe(before);
  });
});
