import { FakeSnsServer, chaosAttemptsNeeded, chaosOutcome } from '@pbx-sms/testing';

/** The fake's own checks of the wire format, over real HTTP with a hand-made request. */
let fake: FakeSnsServer;
beforeAll(async () => {
  fake = await FakeSnsServer.start();
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const SIGNED = {
  'content-type': 'application/x-www-form-urlencoded',
  authorization: 'AWS4-HMAC-SHA256 Credential=AK/20261125/us-east-1/sns/aws4_request, SignedHeaders=host, Signature=00',
};

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

const publish = (over: Record<string, string> = {}) =>
  form({
    Action: 'Publish',
    Version: '2010-03-31',
    Message: 'Hello + world & more',
    PhoneNumber: '+14165551234',
    'MessageAttributes.entry.1.Name': 'AWS.SNS.SMS.SMSType',
    'MessageAttributes.entry.1.Value.DataType': 'String',
    'MessageAttributes.entry.1.Value.StringValue': 'Transactional',
    'MessageAttributes.entry.2.Name': 'AWS.MM.SMS.OriginationNumber',
    'MessageAttributes.entry.2.Value.DataType': 'String',
    'MessageAttributes.entry.2.Value.StringValue': '+14165550100',
    ...over,
  });

async function post(body: string, headers: Record<string, string> = SIGNED): Promise<{ status: number; text: string; requestId: string | null }> {
  const res = await fetch(`${fake.url}/`, { method: 'POST', headers, body });
  return { status: res.status, text: await res.text(), requestId: res.headers.get('x-amzn-requestid') };
}

describe('fake SNS wire format', () => {
  it('answers a well-formed Publish with a MessageId and records what it read', async () => {
    const r = await post(publish());
    expect(r.status).toBe(200);
    const id = /<MessageId>([0-9a-f-]{36})<\/MessageId>/.exec(r.text)?.[1];
    expect(id).toBeDefined();
    expect(r.text).toContain(`<RequestId>${r.requestId}</RequestId>`);
    expect(fake.requests[0]).toMatchObject({
      action: 'Publish',
      message: 'Hello + world & more',
      phoneNumber: '+14165551234',
      smsType: 'Transactional',
      originationNumber: '+14165550100',
      signed: true,
      status: 200,
      messageId: id,
    });
    expect(fake.publishCount).toBe(1);
  });

  it.each<[string, string, Record<string, string>, number, string]>([
    ['an unsigned request', publish(), { 'content-type': 'application/x-www-form-urlencoded' }, 403, 'MissingAuthenticationToken'],
    ['a signature of another scheme', publish(), { ...SIGNED, authorization: 'AWS AKID:sig' }, 403, 'MissingAuthenticationToken'],
    ['another action', publish({ Action: 'CreateTopic' }), SIGNED, 400, 'InvalidAction'],
    ['no action', 'Message=x&PhoneNumber=%2B14165551234', SIGNED, 400, 'InvalidAction'],
    ['an empty message', publish({ Message: '' }), SIGNED, 400, 'InvalidParameter'],
    ['a number that is not E.164', publish({ PhoneNumber: '4165551234' }), SIGNED, 400, 'InvalidParameter'],
  ])('rejects %s', async (_label, body, headers, status, code) => {
    const r = await post(body, headers);
    expect(r.status).toBe(status);
    expect(r.text).toMatch(
      new RegExp(
        `^<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>${code}</Code><Message>[^<]+</Message></Error><RequestId>${r.requestId}</RequestId></ErrorResponse>$`,
      ),
    );
    expect(fake.requests[0]).toMatchObject({ status, errorCode: code });
    expect(fake.publishCount).toBe(0);
  });

  it('speaks SNS errors with their statuses', async () => {
    fake.failNext({ type: 'error', code: 'Throttled' }).failNext({ type: 'error', code: 'OptedOut' });
    const a = await post(publish());
    const b = await post(publish());
    expect([a.status, b.status]).toEqual([429, 400]);
    expect(a.text).toContain('<Code>Throttled</Code>');
    expect(b.text).toContain('<Code>OptedOut</Code>');
  });

  it('chaos mode is seeded per (number, message, attempt) and counts its outcomes', async () => {
    const chaos = { throttle: 0.3, serverError: 0.2, hang: 0, seed: 7 };
    fake.chaos(chaos);
    const bodies = Array.from({ length: 20 }, (_, i) => `chaos ${i}`);
    const statuses: number[] = [];
    for (const m of bodies) statuses.push((await post(publish({ Message: m }))).status);
    const expected = bodies.map((m) => chaosOutcome(chaos, '+14165551234', m, 0)).map((o) => (o === 'throttle' ? 429 : o === 'serverError' ? 500 : 200));
    expect(statuses).toEqual(expected);
    expect(fake.chaosCounts.ok).toBe(expected.filter((s) => s === 200).length);
    // The second attempt of a message draws its own outcome.
    const m = bodies.find((b) => chaosAttemptsNeeded(chaos, '+14165551234', b) === 2);
    if (m) expect((await post(publish({ Message: m }))).status).toBe(200);
  });

  it('keeps the raw request only when asked', async () => {
    await post(publish());
    expect(fake.requests[0]!.raw).toBeUndefined();
    const raw = await FakeSnsServer.start({ keepRaw: true });
    try {
      await fetch(`${raw.url}/`, { method: 'POST', headers: SIGNED, body: publish() });
      expect(raw.requests[0]!.raw).toMatchObject({ method: 'POST', path: '/', body: publish() });
      expect(raw.requests[0]!.raw!.headers.authorization).toBe(SIGNED.authorization);
    } finally {
      await raw.close();
    }
  });
});
