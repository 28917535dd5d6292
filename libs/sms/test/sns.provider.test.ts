import { createServer } from 'node:net';
import { FakeSnsServer, type FakeSnsFault } from '@pbx-sms/testing';
import { SnsSmsProvider, isProviderError, type ProviderError } from '@pbx-sms/sms';

const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' };
const req = { from: '+14165550100', to: '+14165551234', body: 'New voicemail from unknown caller for extension 1001.', messageId: 'm-1' };

let fake: FakeSnsServer;
let sns: SnsSmsProvider;

beforeAll(async () => {
  fake = await FakeSnsServer.start();
  sns = new SnsSmsProvider({ region: 'us-east-1', endpoint: fake.url, timeoutMs: 300, credentials });
});
afterAll(async () => {
  await sns.close();
  await fake.close();
});
beforeEach(() => fake.reset());

async function failure(p: Promise<unknown>): Promise<ProviderError> {
  try {
    await p;
  } catch (err) {
    if (isProviderError(err)) return err;
    throw err;
  }
  throw new Error('expected the send to fail');
}

describe('SNS provider against the fake SNS server', () => {
  it('publishes a transactional SMS from the sender and answers the MessageId', async () => {
    const out = await sns.send(req);
    expect(out.providerMessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({
      action: 'Publish',
      phoneNumber: req.to,
      message: req.body,
      smsType: 'Transactional',
      originationNumber: req.from,
      signed: true,
      messageId: out.providerMessageId,
    });
  });

  it.each<[string, FakeSnsFault, 'transient' | 'permanent', string]>([
    ['throttling', { type: 'error', code: 'Throttled' }, 'transient', 'provider_unavailable'],
    ['KMS throttling', { type: 'error', code: 'KMSThrottling' }, 'transient', 'provider_unavailable'],
    ['an internal error (500)', { type: 'error', code: 'InternalError' }, 'transient', 'provider_unavailable'],
    ['a bare 503', { type: 'status', status: 503, body: 'Service Unavailable' }, 'transient', 'provider_unavailable'],
    ['200 without a MessageId', { type: 'no-message-id' }, 'transient', 'provider_unavailable'],
    ['an invalid parameter', { type: 'error', code: 'InvalidParameter' }, 'permanent', 'provider_rejected'],
    ['an invalid parameter value', { type: 'error', code: 'ParameterValueInvalid' }, 'permanent', 'provider_rejected'],
    ['an authorization error', { type: 'error', code: 'AuthorizationError' }, 'permanent', 'provider_rejected'],
    ['an opted-out number', { type: 'error', code: 'OptedOut' }, 'permanent', 'opted_out'],
    ['a disabled endpoint', { type: 'error', code: 'EndpointDisabled' }, 'permanent', 'provider_rejected'],
  ])('when SNS answers %s, the failure is %s (%s), after exactly one request', async (_label, fault, kind, code) => {
    fake.failNext(fault);
    const err = await failure(sns.send(req));
    expect({ kind: err.kind, code: err.code }).toEqual({ kind, code });
    expect(fake.requests).toHaveLength(1);
  });

  it('when SNS hangs, the call times out after the provider timeout as a transient failure', async () => {
    fake.failNext({ type: 'hang' });
    const started = Date.now();
    const err = await failure(sns.send(req));
    expect(err).toMatchObject({ kind: 'transient', providerCode: 'Timeout' });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('rejects a number marked opted out, and only that number', async () => {
    fake.rejectNumber('+14165559999', 'OptedOut');
    await expect(failure(sns.send({ ...req, to: '+14165559999' }))).resolves.toMatchObject({ code: 'opted_out' });
    await expect(sns.send(req)).resolves.toHaveProperty('providerMessageId');
  });

  it('when nothing listens, the connection error is transient', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const down = new SnsSmsProvider({ region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, timeoutMs: 300, credentials });
    try {
      const err = await failure(down.send(req));
      expect(err.kind).toBe('transient');
    } finally {
      await down.close();
    }
  });

  it('never puts the phone number in the error detail', async () => {
    fake.failNext({ type: 'error', code: 'InvalidParameter' });
    const err = await failure(sns.send(req));
    expect(err.detail).not.toContain('4165551234');
  });
});
