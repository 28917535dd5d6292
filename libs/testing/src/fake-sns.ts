import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A fake AWS SNS endpoint speaking the real query protocol: form-encoded `POST /` with
 * `Action=Publish`, XML answers, real error codes and HTTP statuses. The SNS provider
 * (libs/sms) is pointed at it (endpoint override); so was `@aws-sdk/client-sns`, which the
 * provider-call benchmark still runs against it. Programmable: throttle, fail
 * with 500, hang, answer 200 without a MessageId, reject a number (opted out, invalid), add
 * latency; every request is recorded. Also runs standalone (`node fake-sns.js [port]`) for
 * benchmarks and fault tests, with a small JSON control API under `/_fake/`.
 */

export type FakeSnsErrorCode =
  | 'Throttled'
  | 'KMSThrottling'
  | 'InternalError'
  | 'InvalidParameter'
  | 'ParameterValueInvalid'
  | 'AuthorizationError'
  | 'OptedOut'
  | 'EndpointDisabled';

/** The HTTP status and SOAP fault type SNS answers each code with. */
export const FAKE_SNS_ERRORS: Record<FakeSnsErrorCode, { status: number; type: 'Sender' | 'Receiver'; message: string }> = {
  Throttled: { status: 429, type: 'Sender', message: 'Rate exceeded' },
  KMSThrottling: { status: 400, type: 'Sender', message: 'KMS request was throttled' },
  InternalError: { status: 500, type: 'Receiver', message: 'Internal error' },
  InvalidParameter: { status: 400, type: 'Sender', message: 'Invalid parameter: PhoneNumber Reason: +1XXX is not valid to publish to' },
  ParameterValueInvalid: { status: 400, type: 'Sender', message: 'Invalid parameter value' },
  AuthorizationError: { status: 403, type: 'Sender', message: 'User is not authorized to perform: SNS:Publish' },
  OptedOut: { status: 400, type: 'Sender', message: 'Phone number is opted out' },
  EndpointDisabled: { status: 400, type: 'Sender', message: 'Endpoint is disabled' },
};

export type FakeSnsFault =
  | { type: 'error'; code: FakeSnsErrorCode }
  /** Any status with an arbitrary body (e.g. a 503 from a load balancer). */
  | { type: 'status'; status: number; body?: string }
  /** Never answer (until the client gives up or the server closes). */
  | { type: 'hang' }
  /** 200 with no MessageId. */
  | { type: 'no-message-id' };

export interface FakeSnsRequest {
  action: string | null;
  phoneNumber: string | null;
  message: string | null;
  smsType: string | null;
  originationNumber: string | null;
  /** The request carried an AWS SigV4 Authorization header. */
  signed: boolean;
  receivedAt: number;
  /** HTTP status answered; 0 for a request left hanging. */
  status: number;
  errorCode: string | null;
  messageId: string | null;
  /** The request as it arrived, with `keepRaw`. */
  raw?: FakeSnsRawRequest;
}

/**
 * Seeded random provider trouble: each Publish is throttled, answered 500 or left hanging with
 * the given probabilities (checked in that order), else it succeeds. The draw for the n-th
 * request of one (phone number, message) depends only on the seed, that pair and n, not on
 * arrival order, so a run is reproducible however the worker schedules its jobs, and
 * `chaosAttemptsNeeded` says in advance how many attempts each message takes.
 */
export interface FakeSnsChaos {
  throttle?: number;
  serverError?: number;
  hang?: number;
  seed?: number;
}

export type ChaosOutcome = 'throttle' | 'serverError' | 'hang' | 'ok';

/** The chaos outcome of the `n`-th (0-based) Publish of this phone number and message. */
export function chaosOutcome(chaos: FakeSnsChaos, phoneNumber: string, message: string, n: number): ChaosOutcome {
  const digest = createHash('sha256').update(`${chaos.seed ?? 0}\u0000${phoneNumber}\u0000${message}\u0000${n}`).digest();
  const r = digest.readUInt32BE(0) / 2 ** 32;
  const throttle = chaos.throttle ?? 0;
  const serverError = throttle + (chaos.serverError ?? 0);
  const hang = serverError + (chaos.hang ?? 0);
  return r < throttle ? 'throttle' : r < serverError ? 'serverError' : r < hang ? 'hang' : 'ok';
}

/** How many Publish requests this message needs under `chaos` to succeed (Infinity past `limit`). */
export function chaosAttemptsNeeded(chaos: FakeSnsChaos, phoneNumber: string, message: string, limit = 100): number {
  for (let n = 0; n < limit; n++) if (chaosOutcome(chaos, phoneNumber, message, n) === 'ok') return n + 1;
  return Infinity;
}

export interface FakeSnsOptions {
  port?: number;
  host?: string;
  /** Delay before every answer. */
  latencyMs?: number;
  /** Keep at most this many requests in `requests` (oldest dropped); default unlimited. */
  maxRecorded?: number;
  /** Also keep each Publish request's method, path, headers and body (`raw`), e.g. to check its signature. */
  keepRaw?: boolean;
}

/** A request as it arrived (with `keepRaw`). */
export interface FakeSnsRawRequest {
  method: string;
  path: string;
  /** Lowercase names, as Node parses them. */
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';

function xmlEscape(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] ?? c);
}

function errorXml(code: string, type: string, message: string, requestId: string): string {
  return `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${type}</Type><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}

const E164 = /^\+[1-9][0-9]{7,14}$/;

/** Reads `MessageAttributes.entry.N.Name` / `.Value.StringValue` pairs. */
function messageAttributes(form: URLSearchParams): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 1; i <= 20; i++) {
    const name = form.get(`MessageAttributes.entry.${i}.Name`);
    if (name === null) break;
    out.set(name, form.get(`MessageAttributes.entry.${i}.Value.StringValue`) ?? '');
  }
  return out;
}

export class FakeSnsServer {
  readonly requests: FakeSnsRequest[] = [];
  /** Successful publishes so far (survives `requests` trimming). */
  publishCount = 0;
  /** TCP connections accepted so far (keep-alive shows as few connections for many requests). */
  connections = 0;
  /** Provider requests received and not yet answered (or dropped) now. */
  inFlight = 0;
  /** The most provider requests ever in flight at once (since start or `reset`). */
  maxInFlight = 0;
  latencyMs: number;
  private readonly faults: FakeSnsFault[] = [];
  private always: FakeSnsFault | null = null;
  private chaosMode: FakeSnsChaos | null = null;
  private readonly chaosSeen = new Map<string, number>();
  /** Chaos outcomes so far, by kind. */
  readonly chaosCounts: Record<ChaosOutcome, number> = { throttle: 0, serverError: 0, hang: 0, ok: 0 };
  private readonly rejected = new Map<string, FakeSnsErrorCode>();
  private readonly sockets = new Set<Socket>();
  private readonly hanging = new Set<ServerResponse>();
  private waiters: { n: number; resolve: () => void }[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly maxRecorded: number,
    latencyMs: number,
    private readonly keepRaw: boolean,
  ) {
    this.latencyMs = latencyMs;
  }

  static async start(opts: FakeSnsOptions = {}): Promise<FakeSnsServer> {
    const server = createServer();
    server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
    });
    const { port, address } = server.address() as AddressInfo;
    const fake = new FakeSnsServer(server, `http://${address}:${port}`, opts.maxRecorded ?? Infinity, opts.latencyMs ?? 0, opts.keepRaw ?? false);
    server.on('connection', (s) => {
      fake.connections++;
      fake.sockets.add(s);
      s.once('close', () => fake.sockets.delete(s));
    });
    server.on('request', (req, res) => fake.handle(req, res));
    return fake;
  }

  /** The next `times` Publish requests get this fault (queued behind earlier ones). */
  failNext(fault: FakeSnsFault, times = 1): this {
    for (let i = 0; i < times; i++) this.faults.push(fault);
    return this;
  }

  /** Every Publish gets this fault until cleared with null. */
  failAlways(fault: FakeSnsFault | null): this {
    this.always = fault;
    return this;
  }

  /** Publishes to this number answer with the error (e.g. `OptedOut`, `InvalidParameter`). */
  rejectNumber(phoneNumber: string, code: FakeSnsErrorCode = 'OptedOut'): this {
    this.rejected.set(phoneNumber, code);
    return this;
  }

  /**
   * Seeded random throttling, 500s and hangs on every Publish not already given a fault by
   * `failNext`, `failAlways` or `rejectNumber` (so a rejected number fails on its first
   * attempt); null turns it off.
   */
  chaos(chaos: FakeSnsChaos | null): this {
    this.chaosMode = chaos;
    this.chaosSeen.clear();
    for (const k of Object.keys(this.chaosCounts) as ChaosOutcome[]) this.chaosCounts[k] = 0;
    return this;
  }

  reset(): this {
    this.requests.length = 0;
    this.faults.length = 0;
    this.always = null;
    this.chaos(null);
    this.rejected.clear();
    this.publishCount = 0;
    this.maxInFlight = this.inFlight;
    this.latencyMs = 0;
    return this;
  }

  /** Successful publishes, in order. */
  get published(): FakeSnsRequest[] {
    return this.requests.filter((r) => r.status === 200 && r.messageId !== null);
  }

  /** Resolves once `n` publishes have succeeded in total. */
  waitForPublishes(n: number, timeoutMs = 10_000): Promise<void> {
    if (this.publishCount >= n) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = {
        n,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`fake SNS: ${this.publishCount} of ${n} publishes after ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private record(r: FakeSnsRequest): void {
    this.requests.push(r);
    if (this.requests.length > this.maxRecorded) this.requests.splice(0, this.requests.length - this.maxRecorded);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    if (!req.url?.startsWith('/_fake/')) {
      // From the request's arrival until its answer is written or its connection closes.
      this.inFlight++;
      if (this.inFlight > this.maxInFlight) this.maxInFlight = this.inFlight;
      res.once('close', () => this.inFlight--);
    }
    let first: Buffer | null = null;
    let more: Buffer[] | null = null;
    req.on('data', (c: Buffer) => {
      if (first === null) first = c;
      else (more ??= [first]).push(c);
    });
    req.on('end', () => {
      // SNS requests are small: one chunk, decoded without copying it first.
      const body = more ? Buffer.concat(more).toString('utf8') : first ? (first as Buffer).toString('utf8') : '';
      if (req.url?.startsWith('/_fake/')) return this.control(req.method ?? 'GET', req.url, body, res);
      if (this.latencyMs > 0) setTimeout(() => this.publish(req, body, res), this.latencyMs);
      else this.publish(req, body, res);
    });
  }

  private publish(req: IncomingMessage, body: string, res: ServerResponse): void {
    const form = new URLSearchParams(body);
    const attrs = messageAttributes(form);
    const authorization = req.headers.authorization;
    const r: FakeSnsRequest = {
      action: form.get('Action'),
      phoneNumber: form.get('PhoneNumber'),
      message: form.get('Message'),
      smsType: attrs.get('AWS.SNS.SMS.SMSType') ?? null,
      originationNumber: attrs.get('AWS.MM.SMS.OriginationNumber') ?? null,
      signed: typeof authorization === 'string' && authorization.startsWith('AWS4-HMAC-SHA256 '),
      receivedAt: Date.now(),
      status: 0,
      errorCode: null,
      messageId: null,
    };
    if (this.keepRaw) r.raw = { method: req.method ?? '', path: req.url ?? '', headers: { ...req.headers }, body };
    this.record(r);
    // One id per request, in the header and the body, as SNS does.
    const requestId = randomUUID();
    const send = (status: number, xml: string) => {
      r.status = status;
      res.writeHead(status, ['content-type', 'text/xml', 'x-amzn-requestid', requestId, 'content-length', String(Buffer.byteLength(xml))]);
      res.end(xml);
    };
    const sendError = (code: string, status: number, type: string, message: string) => {
      r.errorCode = code;
      send(status, errorXml(code, type, message, requestId));
    };
    if (r.action !== 'Publish') return sendError('InvalidAction', 400, 'Sender', `Unsupported action ${r.action ?? ''}`);
    if (!r.signed) return sendError('MissingAuthenticationToken', 403, 'Sender', 'Request is missing Authentication Token');
    if (!r.message) return sendError('InvalidParameter', 400, 'Sender', 'Invalid parameter: Empty message');
    if (!r.phoneNumber || !E164.test(r.phoneNumber)) return sendError('InvalidParameter', 400, 'Sender', 'Invalid parameter: PhoneNumber Reason: not a valid E.164 number');

    const fault =
      this.faults.shift() ?? this.always ?? (this.rejected.has(r.phoneNumber) ? ({ type: 'error', code: this.rejected.get(r.phoneNumber)! } as const) : null) ?? this.chaosFault(r.phoneNumber, r.message);
    if (fault) {
      switch (fault.type) {
        case 'hang':
          this.hanging.add(res);
          res.once('close', () => this.hanging.delete(res));
          return;
        case 'status':
          r.errorCode = `HTTP${fault.status}`;
          return send(fault.status, fault.body ?? '');
        case 'no-message-id':
          return send(200, `<PublishResponse xmlns="${XMLNS}"><PublishResult></PublishResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishResponse>`);
        case 'error': {
          const e = FAKE_SNS_ERRORS[fault.code];
          return sendError(fault.code, e.status, e.type, e.message);
        }
      }
    }
    r.messageId = randomUUID();
    send(200, `<PublishResponse xmlns="${XMLNS}"><PublishResult><MessageId>${r.messageId}</MessageId></PublishResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></PublishResponse>`);
    this.publishCount++;
    if (this.waiters.length > 0) {
      const done = this.waiters.filter((w) => this.publishCount >= w.n);
      this.waiters = this.waiters.filter((w) => this.publishCount < w.n);
      for (const w of done) w.resolve();
    }
  }

  private chaosFault(phoneNumber: string, message: string): FakeSnsFault | null {
    if (!this.chaosMode) return null;
    const key = `${phoneNumber}\u0000${message}`;
    const n = this.chaosSeen.get(key) ?? 0;
    this.chaosSeen.set(key, n + 1);
    const outcome = chaosOutcome(this.chaosMode, phoneNumber, message, n);
    this.chaosCounts[outcome]++;
    switch (outcome) {
      case 'throttle':
        return { type: 'error', code: 'Throttled' };
      case 'serverError':
        return { type: 'error', code: 'InternalError' };
      case 'hang':
        return { type: 'hang' };
      case 'ok':
        return null;
    }
  }

  /**
   * Control API for a fake in another process:
   * `GET /_fake/stats`, `POST /_fake/reset`, `POST /_fake/fail-next {fault, times}`,
   * `POST /_fake/fail-always {fault|null}`, `POST /_fake/reject-number {phoneNumber, code}`,
   * `POST /_fake/latency {ms}`, `POST /_fake/chaos {throttle, serverError, hang, seed}|null`.
   */
  private control(method: string, url: string, body: string, res: ServerResponse): void {
    const json = (status: number, value: unknown) => {
      const text = JSON.stringify(value);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    };
    let input: Record<string, unknown> = {};
    try {
      input = body ? ((JSON.parse(body) as Record<string, unknown> | null) ?? {}) : {};
    } catch {
      return json(400, { error: 'invalid JSON' });
    }
    const path = url.split('?')[0];
    if (method === 'GET' && path === '/_fake/stats') {
      return json(200, { requests: this.requests.length, publishes: this.publishCount, errors: this.requests.filter((r) => r.errorCode !== null).length, chaos: this.chaosCounts, inFlight: this.inFlight, maxInFlight: this.maxInFlight });
    }
    if (method === 'GET' && path === '/_fake/requests') return json(200, this.requests);
    if (method !== 'POST') return json(404, { error: 'not found' });
    switch (path) {
      case '/_fake/reset':
        this.reset();
        return json(200, { ok: true });
      case '/_fake/fail-next':
        this.failNext(input.fault as FakeSnsFault, Number(input.times ?? 1));
        return json(200, { ok: true });
      case '/_fake/fail-always':
        this.failAlways((input.fault as FakeSnsFault | null) ?? null);
        return json(200, { ok: true });
      case '/_fake/reject-number':
        this.rejectNumber(String(input.phoneNumber), (input.code as FakeSnsErrorCode | undefined) ?? 'OptedOut');
        return json(200, { ok: true });
      case '/_fake/chaos':
        this.chaos(body.trim() === '' || body.trim() === 'null' ? null : (input as FakeSnsChaos));
        return json(200, { ok: true });
      case '/_fake/latency':
        this.latencyMs = Number(input.ms ?? 0);
        return json(200, { ok: true });
      default:
        return json(404, { error: 'not found' });
    }
  }
}

if (require.main === module) {
  const port = Number(process.argv[2] ?? process.env.FAKE_SNS_PORT ?? 4566);
  void FakeSnsServer.start({ port, host: process.env.FAKE_SNS_HOST ?? '127.0.0.1', maxRecorded: 100_000 }).then((fake) => {
    process.stdout.write(`fake SNS listening on ${fake.url}\n`);
    const stop = () => void fake.close().then(() => process.exit(0));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}
