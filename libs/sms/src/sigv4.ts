import { createHash, createHmac } from 'node:crypto';

/** AWS credentials as the default chain and explicit options give them. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
  /** When temporary credentials stop working. */
  expiration?: Date | undefined;
}

export interface SignedHeaders {
  'x-amz-date': string;
  'x-amz-content-sha256': string;
  'x-amz-security-token'?: string;
  authorization: string;
}

/** `20261125T155708Z` from epoch milliseconds. */
export function amzDate(nowMs: number): string {
  // 2026-11-25T15:57:08.123Z → 20261125T155708Z
  const iso = new Date(nowMs).toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/**
 * AWS Signature Version 4 for one service and region, for requests whose headers are exactly
 * the ones listed in `sign` (all lowercase, plain values without runs of spaces). It signs the
 * way `@smithy/signature-v4` (the AWS SDK's signer) does with its defaults: every header sent
 * except `authorization`, plus `x-amz-date`, `x-amz-content-sha256` (the body's SHA-256, which
 * the SDK adds) and `x-amz-security-token` for temporary credentials. A test checks the result
 * against the SDK's signer byte for byte. The derived signing key is cached per date (it
 * depends only on the secret, the date, the region and the service).
 */
export class SigV4Signer {
  private keyCache: { date: string; accessKeyId: string; secret: string; key: Buffer } | null = null;

  constructor(
    private readonly region: string,
    private readonly service: string,
  ) {}

  /**
   * Signs `method path` (no query string) with `headers` (sorted or not, lowercase names) and
   * `body`; answers the headers to add to the request.
   */
  sign(creds: AwsCredentials, nowMs: number, method: string, path: string, headers: Record<string, string>, body: string): SignedHeaders {
    const date = amzDate(nowMs);
    const day = date.slice(0, 8);
    const payloadHash = createHash('sha256').update(body, 'utf8').digest('hex');
    const all: Record<string, string> = { ...headers, 'x-amz-date': date, 'x-amz-content-sha256': payloadHash };
    if (creds.sessionToken) all['x-amz-security-token'] = creds.sessionToken;
    const names = Object.keys(all).sort();
    let canonicalHeaders = '';
    for (const n of names) canonicalHeaders += `${n}:${all[n]!.trim()}\n`;
    const signedHeaders = names.join(';');
    const canonicalRequest = `${method}\n${path}\n\n${canonicalHeaders}\n${signedHeaders}\n${payloadHash}`;
    const scope = `${day}/${this.region}/${this.service}/aws4_request`;
    const stringToSign = `AWS4-HMAC-SHA256\n${date}\n${scope}\n${createHash('sha256').update(canonicalRequest, 'utf8').digest('hex')}`;
    const signature = createHmac('sha256', this.signingKey(creds, day)).update(stringToSign, 'utf8').digest('hex');
    const out: SignedHeaders = {
      'x-amz-date': date,
      'x-amz-content-sha256': payloadHash,
      authorization: `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    };
    if (creds.sessionToken) out['x-amz-security-token'] = creds.sessionToken;
    return out;
  }

  private signingKey(creds: AwsCredentials, day: string): Buffer {
    const c = this.keyCache;
    if (c && c.date === day && c.accessKeyId === creds.accessKeyId && c.secret === creds.secretAccessKey) return c.key;
    const key = hmac(hmac(hmac(hmac(`AWS4${creds.secretAccessKey}`, day), this.region), this.service), 'aws4_request');
    this.keyCache = { date: day, accessKeyId: creds.accessKeyId, secret: creds.secretAccessKey, key };
    return key;
  }
}
