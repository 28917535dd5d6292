import { createHash, createHmac } from 'node:crypto';
import { createServer } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
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
    ['a bare 502 with no body', { type: 'status', status: 502 }, 'transient', 'provider_unavailable'],
    ['200 with a body that is not XML', { type: 'status', status: 200, body: 'garbage' }, 'transient', 'provider_unavailable'],
    ['an invalid parameter', { type: 'error', code: 'InvalidParameter' }, 'permanent', 'provider_rejected'],
    ['an invalid parameter value', { type: 'error', code: 'ParameterValueInvalid' }, 'permanent', 'provider_rejected'],
    ['an authorization error', { type: 'error', code: 'AuthorizationError' }, 'permanent', 'provider_rejected'],
    ['an opted-out number', { type: 'error', code: 'OptedOut' }, 'permanent', 'opted_out'],
    ['a disabled endpoint', { type: 'error', code: 'EndpointDisabled' }, 'permanent', 'provider_rejected'],
    ['a bare 400 with no body', { type: 'status', status: 400 }, 'permanent', 'provider_rejected'],
    ['a proxy 404 page', { type: 'status', status: 404, body: '<html>not found</html>' }, 'permanent', 'provider_rejected'],
    [
      'an unknown code on a 5xx',
      { type: 'status', status: 503, body: '<ErrorResponse><Error><Code>Mystery</Code><Message>?</Message></Error></ErrorResponse>' },
      'transient',
      'provider_unavailable',
    ],
    [
      'an invalid security token (403)',
      {
        type: 'status',
        status: 403,
        body: '<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error></ErrorResponse>',
      },
      'permanent',
      'provider_rejected',
    ],
  ])('when SNS answers %s, the failure is %s (%s), after exactly one request', async (_label, fault, kind, code) => {
    fake.failNext(fault);
    const err = await failure(sns.send(req));
    expect({ kind: err.kind, code: err.code }).toEqual({ kind, code });
    expect(fake.requests).toHaveLength(1);
  });

  it.each<[FakeSnsFault, string, number]>([
    [{ type: 'error', code: 'Throttled' }, 'Throttled', 429],
    [{ type: 'error', code: 'OptedOut' }, 'OptedOut', 400],
    [{ type: 'status', status: 503, body: 'Service Unavailable' }, 'HTTP503', 503],
  ])('records the provider code and status of %j', async (fault, providerCode, httpStatus) => {
    fake.failNext(fault);
    await expect(failure(sns.send(req))).resolves.toMatchObject({ providerCode, httpStatus });
  });

  it('an error answer leaves its connection in the pool', async () => {
    const local = new SnsSmsProvider({ region: 'us-east-1', endpoint: fake.url, timeoutMs: 1_000, maxSockets: 4, credentials });
    const before = fake.connections;
    try {
      fake.failNext({ type: 'error', code: 'Throttled' }, 5).failNext({ type: 'error', code: 'OptedOut' }, 5);
      for (let i = 0; i < 10; i++) await failure(local.send(req));
      await local.send(req);
    } finally {
      await local.close();
    }
    expect(fake.connections - before).toBe(1);
  });

  it('when SNS hangs, the call times out after the provider timeout as a transient failure', async () => {
    fake.failNext({ type: 'hang' });
    const started = Date.now();
    const err = await failure(sns.send(req));
    expect(err).toMatchObject({ kind: 'transient', code: 'provider_unavailable', providerCode: 'Timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(Date.now() - started).toBeLessThan(2_000);
    // The hung socket was dropped; the next call gets an answer.
    await expect(sns.send(req)).resolves.toHaveProperty('providerMessageId');
  });

  it('the timeout covers a slow answer too (latency past the timeout)', async () => {
    fake.latencyMs = 600;
    const err = await failure(sns.send(req));
    expect(err).toMatchObject({ kind: 'transient', providerCode: 'Timeout' });
  });

  it('keeps connections alive across calls', async () => {
    const before = fake.connections;
    const local = new SnsSmsProvider({ region: 'us-east-1', endpoint: fake.url, timeoutMs: 1_000, maxSockets: 2, credentials });
    try {
      await Promise.all(Array.from({ length: 20 }, () => local.send(req)));
      for (let i = 0; i < 5; i++) await local.send(req);
    } finally {
      await local.close();
    }
    expect(fake.published).toHaveLength(25);
    expect(fake.connections - before).toBeLessThanOrEqual(2);
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
      expect(err).toMatchObject({ kind: 'transient', code: 'provider_unavailable', providerCode: 'ECONNREFUSED' });
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

/** SHA-256 / HMAC-SHA256 from node:crypto in the shape `@smithy/signature-v4` takes (what `@smithy/hash-node` does). */
class NodeSha256 {
  private h!: ReturnType<typeof createHash>;
  constructor(private readonly secret?: string | ArrayBuffer | ArrayBufferView) {
    this.reset();
  }
  reset(): void {
    this.h = this.secret === undefined ? createHash('sha256') : (createHmac('sha256', bytes(this.secret)) as unknown as ReturnType<typeof createHash>);
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.h.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
}
function bytes(d: string | ArrayBuffer | ArrayBufferView): Buffer {
  return typeof d === 'string' ? Buffer.from(d, 'utf8') : ArrayBuffer.isView(d) ? Buffer.from(d.buffer, d.byteOffset, d.byteLength) : Buffer.from(d);
}

describe('SigV4 signature, checked against the AWS SDK signer', () => {
  let raw: FakeSnsServer;
  beforeAll(async () => {
    raw = await FakeSnsServer.start({ keepRaw: true });
  });
  afterAll(() => raw.close());

  const fixed = Date.UTC(2026, 10, 25, 15, 57, 8, 123);

  it.each([
    ['long-term credentials', { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }],
    [
      'temporary credentials (session token)',
      {
        accessKeyId: 'ASIAEXAMPLE',
        secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
        sessionToken: 'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ+token=',
      },
    ],
  ])('with %s, the Authorization header is what @smithy/signature-v4 computes for the same request', async (_label, creds) => {
    const p = new SnsSmsProvider({ region: 'eu-west-1', endpoint: raw.url, timeoutMs: 1_000, credentials: creds, now: () => fixed });
    try {
      await p.send({ ...req, body: "Voicemail from O'Brien (+1 201 555 0150): «ça va?» 😀 & <more>" });
    } finally {
      await p.close();
    }
    const r = raw.requests.at(-1)!;
    expect(r).toMatchObject({ status: 200, signed: true });
    const got = r.raw!;
    expect(got).toMatchObject({ method: 'POST', path: '/' });
    expect(got.headers['x-amz-date']).toBe('20261125T155708Z');
    expect(got.headers['x-amz-security-token']).toBe('sessionToken' in creds ? creds.sessionToken : undefined);

    // Everything that arrived except the signature and the hop-by-hop connection header,
    // handed to the SDK's own signer with the same clock.
    const { authorization, connection: _connection, ...headers } = got.headers as Record<string, string>;
    const url = new URL(raw.url);
    const signer = new SignatureV4({ credentials: creds, region: 'eu-west-1', service: 'sns', sha256: NodeSha256 });
    const signed = await signer.sign(
      { method: got.method, protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: got.path, query: {}, headers, body: got.body },
      { signingDate: new Date(fixed) },
    );
    expect(authorization).toBe(signed.headers.authorization);
    expect(authorization).toContain('SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date');
  });
});

describe('credentials from the AWS default chain', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  it('signs with the environment credentials when none are passed', async () => {
    const raw = await FakeSnsServer.start({ keepRaw: true });
    delete process.env.AWS_PROFILE;
    process.env.AWS_ACCESS_KEY_ID = 'AKIDFROMENV';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret-from-env';
    process.env.AWS_SESSION_TOKEN = 'token-from-env';
    const p = new SnsSmsProvider({ region: 'us-east-1', endpoint: raw.url, timeoutMs: 2_000 });
    try {
      await p.send(req);
      await p.send(req);
    } finally {
      await p.close();
      await raw.close();
    }
    expect(raw.requests.map((r) => r.status)).toEqual([200, 200]);
    expect(String(raw.requests[0]!.raw!.headers.authorization)).toContain('Credential=AKIDFROMENV/');
    expect(raw.requests[0]!.raw!.headers['x-amz-security-token']).toBe('token-from-env');
  });
});
