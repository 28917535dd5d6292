import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { answerControl } from './control-api';
import { ChaosDraws, type FakeSnsChaos, type FakeSnsFault } from './faults';
import { FAKE_SNS_ERRORS, errorXml, invalidPublish, publishXml, readPublish, type FakeSnsErrorCode, type FakeSnsRequest } from './sns-wire';

/**
 * A fake AWS SNS endpoint speaking the real query protocol: form-encoded `POST /` with
 * `Action=Publish`, XML answers, real error codes and HTTP statuses. The SNS provider
 * (libs/sms) is pointed at it (endpoint override); so was `@aws-sdk/client-sns`, which the
 * provider-call benchmark still runs against it. Programmable: throttle, fail
 * with 500, hang, answer 200 without a MessageId, reject a number (opted out, invalid), add
 * latency; every request is recorded. Also runs standalone (`node fake-sns.js [port]`) for
 * benchmarks and fault tests, with a small JSON control API under `/_fake/`.
 */

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
  private readonly draws = new ChaosDraws();
  /** Chaos outcomes so far, by kind. */
  readonly chaosCounts = this.draws.counts;
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
    this.draws.clear();
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
      const body = more ? Buffer.concat(more).toString('utf8') : first ? first.toString('utf8') : '';
      if (req.url?.startsWith('/_fake/')) return answerControl(this, req.method ?? 'GET', req.url, body, res);
      if (this.latencyMs > 0) setTimeout(() => this.publish(req, body, res), this.latencyMs);
      else this.publish(req, body, res);
    });
  }

  private publish(req: IncomingMessage, body: string, res: ServerResponse): void {
    const r = readPublish(req, body, this.keepRaw);
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
    const invalid = invalidPublish(r);
    if (invalid) return sendError(invalid.code, invalid.status, invalid.type, invalid.message);
    // Checked by invalidPublish.
    const phoneNumber = r.phoneNumber!;
    const message = r.message!;

    const fault =
      this.faults.shift() ??
      this.always ??
      (this.rejected.has(phoneNumber) ? ({ type: 'error', code: this.rejected.get(phoneNumber)! } as const) : null) ??
      this.chaosFault(phoneNumber, message);
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
          return send(200, publishXml(null, requestId));
        case 'error': {
          const e = FAKE_SNS_ERRORS[fault.code];
          return sendError(fault.code, e.status, e.type, e.message);
        }
      }
    }
    r.messageId = randomUUID();
    send(200, publishXml(r.messageId, requestId));
    this.publishCount++;
    if (this.waiters.length > 0) {
      const done = this.waiters.filter((w) => this.publishCount >= w.n);
      this.waiters = this.waiters.filter((w) => this.publishCount < w.n);
      for (const w of done) w.resolve();
    }
  }

  private chaosFault(phoneNumber: string, message: string): FakeSnsFault | null {
    return this.chaosMode ? this.draws.next(this.chaosMode, phoneNumber, message) : null;
  }
}
