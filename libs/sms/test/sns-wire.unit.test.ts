import { CachedCredentials, SigV4Signer, amzDate, defaultSnsEndpoint, parseError, parseMessageId, publishBody, type AwsCredentials } from '@pbx-sms/sms';

describe('publishBody', () => {
  it('is byte for byte the body @aws-sdk/client-sns sends for the same Publish', () => {
    // Captured from PublishCommand (client-sns 3.1169) with the same input and attributes.
    expect(publishBody('+14165551234', "héllo & <x> ~*'()!", '+14165550100')).toBe(
      'Action=Publish&Version=2010-03-31&Message=h%C3%A9llo%20%26%20%3Cx%3E%20~%2A%27%28%29%21&PhoneNumber=%2B14165551234' +
        '&MessageAttributes.entry.1.Name=AWS.SNS.SMS.SMSType&MessageAttributes.entry.1.Value.DataType=String&MessageAttributes.entry.1.Value.StringValue=Transactional' +
        '&MessageAttributes.entry.2.Name=AWS.MM.SMS.OriginationNumber&MessageAttributes.entry.2.Value.DataType=String&MessageAttributes.entry.2.Value.StringValue=%2B14165550100',
    );
  });

  it('round-trips through a form parser, emoji and newlines included', () => {
    const form = new URLSearchParams(publishBody('+14165551234', 'Line 1\nLine 2 😀 +x=y&z', '+14165550100'));
    expect(form.get('Message')).toBe('Line 1\nLine 2 😀 +x=y&z');
    expect(form.get('PhoneNumber')).toBe('+14165551234');
    expect(form.get('MessageAttributes.entry.2.Value.StringValue')).toBe('+14165550100');
  });
});

describe('SNS answers', () => {
  it.each<[string, string, string | undefined]>([
    [
      'a PublishResponse',
      '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>94f20ce6-13c5-43a0-9a9e-ca52d816e90b</MessageId></PublishResult><ResponseMetadata><RequestId>f187a3c1</RequestId></ResponseMetadata></PublishResponse>',
      '94f20ce6-13c5-43a0-9a9e-ca52d816e90b',
    ],
    [
      'whitespace and newlines',
      '<PublishResponse>\n  <PublishResult>\n    <MessageId>\n  abc-1  </MessageId>\n  </PublishResult>\n</PublishResponse>\n',
      'abc-1',
    ],
    [
      'a namespace prefix and attributes',
      '<sns:PublishResponse><sns:PublishResult><sns:MessageId a="1">id-2</sns:MessageId></sns:PublishResult></sns:PublishResponse>',
      'id-2',
    ],
    ['an empty MessageId', '<PublishResponse><PublishResult><MessageId></MessageId></PublishResult></PublishResponse>', undefined],
    [
      'no MessageId',
      '<PublishResponse><PublishResult></PublishResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></PublishResponse>',
      undefined,
    ],
    ['garbage', 'Service Unavailable', undefined],
    ['nothing', '', undefined],
  ])('MessageId of %s', (_label, xml, id) => {
    expect(parseMessageId(xml)).toBe(id);
  });

  it.each<[string, string, { code?: string; message?: string }]>([
    [
      'an ErrorResponse',
      '<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>Throttled</Code><Message>Rate exceeded</Message></Error><RequestId>9d0c</RequestId></ErrorResponse>',
      { code: 'Throttled', message: 'Rate exceeded' },
    ],
    [
      'escaped text',
      '<ErrorResponse><Error><Code>InvalidParameter</Code><Message>Invalid parameter: &lt;PhoneNumber&gt; &amp; &#39;x&#x27;</Message></Error></ErrorResponse>',
      { code: 'InvalidParameter', message: "Invalid parameter: <PhoneNumber> & 'x'" },
    ],
    [
      'a Message before the Error element is not the error',
      '<Message>no</Message><ErrorResponse><Error><Code>OptedOut</Code><Message>yes</Message></Error></ErrorResponse>',
      { code: 'OptedOut', message: 'yes' },
    ],
    ['a proxy HTML page', '<html><body><h1>502 Bad Gateway</h1></body></html>', {}],
    ['an empty body', '', {}],
  ])('error of %s', (_label, xml, out) => {
    expect(parseError(xml)).toEqual(out);
  });
});

describe('SigV4Signer', () => {
  const headers = { 'content-length': '12', 'content-type': 'application/x-www-form-urlencoded', host: 'sns.us-east-1.amazonaws.com' };
  const at = Date.UTC(2026, 10, 25, 15, 57, 8, 123);

  it('formats the date as AWS does', () => {
    expect(amzDate(at)).toBe('20261125T155708Z');
    expect(amzDate(Date.UTC(2027, 0, 2, 3, 4, 5))).toBe('20270102T030405Z');
  });

  it('signs the token when there is one, and changes the signature with the date and the secret', () => {
    const s = new SigV4Signer('us-east-1', 'sns');
    const a = s.sign({ accessKeyId: 'AK', secretAccessKey: 'S1' }, at, 'POST', '/', headers, 'Action=Publish');
    expect(a.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AK\/20261125\/us-east-1\/sns\/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/,
    );
    expect(a['x-amz-security-token']).toBeUndefined();
    const t = s.sign({ accessKeyId: 'AK', secretAccessKey: 'S1', sessionToken: 'TOKEN' }, at, 'POST', '/', headers, 'Action=Publish');
    expect(t.authorization).toContain('SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token,');
    expect(t['x-amz-security-token']).toBe('TOKEN');
    // The cached signing key follows the secret and the day.
    const other = s.sign({ accessKeyId: 'AK', secretAccessKey: 'S2' }, at, 'POST', '/', headers, 'Action=Publish');
    const nextDay = s.sign({ accessKeyId: 'AK', secretAccessKey: 'S1' }, at + 86_400_000, 'POST', '/', headers, 'Action=Publish');
    const again = s.sign({ accessKeyId: 'AK', secretAccessKey: 'S1' }, at, 'POST', '/', headers, 'Action=Publish');
    expect(new Set([a.authorization, other.authorization, again.authorization]).size).toBe(2);
    expect(again.authorization).toBe(a.authorization);
    expect(nextDay.authorization).toContain('/20261126/');
    expect(new SigV4Signer('us-east-1', 'sns').sign({ accessKeyId: 'AK', secretAccessKey: 'S2' }, at, 'POST', '/', headers, 'Action=Publish')).toEqual(other);
  });

  it('uses the regional endpoint the SDK uses', () => {
    expect(defaultSnsEndpoint('eu-west-1')).toBe('https://sns.eu-west-1.amazonaws.com');
    expect(defaultSnsEndpoint('cn-north-1')).toBe('https://sns.cn-north-1.amazonaws.com.cn');
  });
});

describe('CachedCredentials', () => {
  const creds = (id: string, expiresAt?: number): AwsCredentials => ({
    accessKeyId: id,
    secretAccessKey: 's',
    ...(expiresAt !== undefined ? { expiration: new Date(expiresAt) } : {}),
  });

  it('asks the chain once for credentials that do not expire, even when asked concurrently', async () => {
    let calls = 0;
    const c = new CachedCredentials(async () => {
      calls++;
      return creds(`k${calls}`);
    });
    const [a, b] = await Promise.all([c.get(), c.get()]);
    expect([a.accessKeyId, b.accessKeyId, (await c.get()).accessKeyId]).toEqual(['k1', 'k1', 'k1']);
    expect(calls).toBe(1);
  });

  it('refreshes temporary credentials 5 minutes before they expire, signing with the old ones meanwhile', async () => {
    let now = 0;
    const issued: AwsCredentials[] = [];
    let release: () => void = () => undefined;
    let gate: Promise<void> = Promise.resolve();
    const c = new CachedCredentials(
      async () => {
        await gate;
        const next = creds(`k${issued.length + 1}`, now + 3_600_000);
        issued.push(next);
        return next;
      },
      () => now,
    );
    expect((await c.get()).accessKeyId).toBe('k1');
    now = 3_600_000 - 300_001; // 5 min + 1 ms before expiry: still cached
    expect(c.get()).toBe(issued[0]);
    expect(issued).toHaveLength(1);
    now = 3_600_000 - 200_000; // inside the refresh window: old credentials now, new ones fetched
    gate = new Promise<void>((r) => (release = r));
    expect(c.get()).toBe(issued[0]);
    release();
    await new Promise((r) => setImmediate(r));
    expect(issued).toHaveLength(2);
    expect((await c.get()).accessKeyId).toBe('k2');
  });

  it('waits for the chain once the credentials are (nearly) expired, and a failed background refresh is no unhandled rejection', async () => {
    let now = 0;
    let fail = false;
    const c = new CachedCredentials(
      async () => {
        if (fail) throw new Error('IMDS unreachable');
        return creds('k', now + 600_000);
      },
      () => now,
    );
    await c.get();
    fail = true;
    now = 400_000; // inside the refresh window, still valid: answered from cache, refresh fails quietly
    expect(c.get()).toMatchObject({ accessKeyId: 'k' });
    await new Promise((r) => setImmediate(r));
    now = 600_000; // expired: the failure reaches the caller
    await expect(c.get()).rejects.toThrow('IMDS unreachable');
  });
});
