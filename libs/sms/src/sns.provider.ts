import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { classifyProviderFailure, NETWORK_ERROR_CODES } from './provider-failure.classifier';
import { redactText } from '@pbx-sms/observability';
import { CachedCredentials, defaultCredentialChain, type CredentialProvider } from './aws-credentials';
import { ProviderError, type SmsProvider, type SmsRequest, type SmsResult } from './provider';
import { SigV4Signer, type AwsCredentials } from './sigv4';
import { FORM_CONTENT_TYPE, parseError, parseMessageId, publishBody } from './sns-query';

export interface SnsProviderOptions {
  region: string;
  /** Overrides the AWS endpoint (tests and benchmarks point it at the fake SNS server). */
  endpoint?: string | undefined;
  /** Whole-request timeout (credentials, connect, answer); a timeout is a transient failure. */
  timeoutMs: number;
  /** Sockets kept open to SNS; match the worker's concurrency. */
  maxSockets?: number;
  /** Explicit credentials; by default the AWS SDK's default chain (environment, profile, SSO, web identity, ECS, EC2). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Another credential source (memoised here); explicit `credentials` win. */
  credentialProvider?: CredentialProvider;
  /** Clock for signing, in epoch ms (tests fix it). */
  now?: () => number;
}

/** The regional SNS endpoint, as the SDK resolves it (China regions are under amazonaws.com.cn). */
export function defaultSnsEndpoint(region: string): string {
  return `https://sns.${region}.amazonaws.com${region.startsWith('cn-') ? '.cn' : ''}`;
}

/**
 * AWS SNS direct-to-phone Publish (Transactional, origination number = the tenant's sender),
 * written against the SNS Query protocol with node:http(s) and node:crypto instead of
 * `@aws-sdk/client-sns` (docs/decisions.md "SNS client": the SDK's middleware stack, signer
 * and XML parser were the largest single CPU cost per SMS). Exactly one HTTP request per
 * send, no retries of its own: the queue owns retrying, so every attempt is recorded. One
 * keep-alive agent per provider; failures are classified by `classifyProviderFailure`.
 */
export class SnsSmsProvider implements SmsProvider {
  readonly name = 'sns';
  private readonly timeoutMs: number;
  private readonly agent: HttpAgent;
  private readonly request: typeof httpRequest;
  private readonly hostname: string;
  private readonly port: number | undefined;
  /** The Host header, signed: `host[:port]`, the port only when not the protocol's default. */
  private readonly host: string;
  private readonly path: string;
  private readonly signer: SigV4Signer;
  private readonly creds: CachedCredentials;
  private readonly now: () => number;

  constructor(opts: SnsProviderOptions) {
    this.timeoutMs = opts.timeoutMs;
    this.now = opts.now ?? Date.now;
    const url = new URL(opts.endpoint ?? defaultSnsEndpoint(opts.region));
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`SNS endpoint must be http(s): ${url.protocol}`);
    const agentOpts = { keepAlive: true, maxSockets: opts.maxSockets ?? 50 };
    const https = url.protocol === 'https:';
    this.agent = https ? new HttpsAgent(agentOpts) : new HttpAgent(agentOpts);
    this.request = https ? httpsRequest : httpRequest;
    this.hostname = url.hostname.replace(/^\[(.*)\]$/, '$1');
    this.port = url.port ? Number(url.port) : undefined;
    this.host = url.host;
    this.path = url.pathname || '/';
    this.signer = new SigV4Signer(opts.region, 'sns');
    this.creds = opts.credentials
      ? CachedCredentials.of(opts.credentials)
      : new CachedCredentials(opts.credentialProvider ?? defaultCredentialChain(opts.region), this.now);
  }

  send(req: SmsRequest): Promise<SmsResult> {
    return new Promise<SmsResult>((resolve, reject) => {
      let settled = false;
      let httpReq: ClientRequest | undefined;
      const fail = (err: ProviderError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        reject(err);
      };
      const timer = setTimeout(() => {
        fail(new ProviderError('transient', 'provider_unavailable', 'Timeout', `SNS did not answer within ${this.timeoutMs} ms`));
        // Only an unanswered request is torn down: a socket that delivered a whole answer is
        // back in the agent's pool, maybe serving another call, and must not be destroyed.
        httpReq?.destroy();
      }, this.timeoutMs);

      const post = (creds: AwsCredentials, body: string) => {
        if (settled) return;
        const length = String(Buffer.byteLength(body));
        const signed = this.signer.sign(
          creds,
          this.now(),
          'POST',
          this.path,
          { 'content-length': length, 'content-type': FORM_CONTENT_TYPE, host: this.host },
          body,
        );
        httpReq = this.request(
          {
            agent: this.agent,
            method: 'POST',
            hostname: this.hostname,
            port: this.port,
            path: this.path,
            headers: { host: this.host, 'content-type': FORM_CONTENT_TYPE, 'content-length': length, ...signed },
          },
          (res) =>
            readBody(res, (err, text) => {
              if (settled) return;
              if (err) return fail(requestFailure(err));
              const status = res.statusCode ?? 0;
              if (status >= 200 && status < 300) {
                const id = parseMessageId(text);
                if (id === undefined) {
                  // SNS answered 2xx but named no message: not a success. Treated as transient (at-least-once).
                  return fail(new ProviderError('transient', 'provider_unavailable', 'NoMessageId', 'SNS answered without a MessageId', status));
                }
                settled = true;
                clearTimeout(timer);
                return resolve({ providerMessageId: id });
              }
              fail(errorResponse(status, text));
            }),
        );
        httpReq.on('error', (e) => fail(requestFailure(e)));
        httpReq.end(body);
      };

      try {
        const body = publishBody(req.to, req.body, req.from);
        const c = this.creds.get();
        if (c instanceof Promise)
          c.then(
            (creds) => post(creds, body),
            (e: unknown) => fail(requestFailure(e)),
          );
        else post(c, body);
      } catch (e) {
        fail(requestFailure(e));
      }
    });
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }
}

function readBody(res: IncomingMessage, done: (err: Error | null, text: string) => void): void {
  let text = '';
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    // SNS answers are a few hundred bytes; a runaway body is cut rather than buffered.
    if (text.length < 65_536) text += chunk;
  });
  res.once('end', () => done(null, text));
  res.once('error', (e) => done(e, text));
  res.once('aborted', () => done(Object.assign(new Error('SNS closed the connection mid-answer'), { code: 'ECONNRESET' }), text));
}

/** An XML `ErrorResponse` (or any non-2xx answer) → a classified ProviderError. */
export function errorResponse(status: number, text: string): ProviderError {
  const { code, message } = parseError(text);
  const c = classifyProviderFailure({ code, httpStatus: status });
  const detail = redactText(message ?? `HTTP ${status}`).slice(0, 500);
  return new ProviderError(c.kind, c.code, code ?? `HTTP${status}`, detail, status);
}

/** A failure before any answer (connection, DNS, credentials, encoding) → a classified ProviderError. */
export function requestFailure(err: unknown): ProviderError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as { name?: string; code?: string; message?: string };
  const name = e.name ?? 'Error';
  const timeout = name === 'TimeoutError' || name === 'AbortError' || e.code === 'ETIMEDOUT';
  const network = !timeout && e.code !== undefined && NETWORK_ERROR_CODES.has(e.code);
  const code = timeout ? 'Timeout' : network ? e.code! : name;
  const c = classifyProviderFailure({ code: timeout || network ? undefined : code, timeout, network });
  const detail = redactText(String(e.message ?? err)).slice(0, 500);
  return new ProviderError(c.kind, c.code, code, detail);
}
