import fc from 'fast-check';
import type { FastifyInstance, InjectOptions } from 'fastify';

/**
 * Property-based fuzzing of an HTTP endpoint through the real app: whatever arrives, the
 * answer is below 500 and every 4xx is `{"error": "<text>"}` (plus our `code`).
 */

export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);

const weirdString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '+',
    '%',
    '%2B',
    '\u0000',
    '../../etc/passwd',
    '{{extension}}',
    '{{nope}}',
    "'; DROP TABLE messages; --",
    '+14165551234',
    ' 14165551234',
    '+15555550100',
    'WW91',
    '1001',
    'null',
    'true',
    '__proto__',
    'constructor',
  ),
  fc.stringMatching(/^\+?[0-9 ]{0,18}$/),
);

export const jsonValue: fc.Arbitrary<unknown> = fc.oneof(
  { depthSize: 'small' },
  fc.jsonValue({ maxDepth: 3 }),
  fc.dictionary(weirdString, fc.oneof(weirdString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(weirdString, { maxLength: 3 })), {
    maxKeys: 6,
  }),
);

/** A body built from field names the endpoint knows, with hostile values, plus random extras. */
export function shaped(fields: string[]): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(
    Object.fromEntries(
      fields.map((f) => [
        f,
        fc.oneof(weirdString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(weirdString, { maxLength: 3 }), fc.object({ maxDepth: 1 })),
      ]),
    ),
    { requiredKeys: [] },
  );
}

export type Payload = { contentType: string | undefined; body: string | undefined };

export function payloads(fields: string[]): fc.Arbitrary<Payload> {
  return fc.oneof(
    shaped(fields).map((b) => ({ contentType: 'application/json', body: JSON.stringify(b) })),
    jsonValue.map((b) => ({ contentType: 'application/json', body: JSON.stringify(b) ?? 'null' })),
    fc.string({ maxLength: 60 }).map((s) => ({ contentType: 'application/json', body: s })),
    shaped(fields).map((b) => ({
      contentType: 'application/x-www-form-urlencoded',
      body: new URLSearchParams(
        Object.entries(b).map(([k, v]): [string, string] => [k, typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)]),
      ).toString(),
    })),
    fc
      .tuple(fc.constantFrom('text/plain', 'application/xml', 'multipart/form-data', 'application/json; charset=latin1', ''), fc.string({ maxLength: 40 }))
      .map(([contentType, body]) => ({ contentType: contentType || undefined, body })),
    fc.constant({ contentType: undefined, body: undefined }),
  );
}

export const pathSegment = fc.oneof(
  weirdString.map((s) => encodeURIComponent(s)),
  fc.integer().map(String),
  fc.constantFrom('59', '60', '1001', '%2B14165550100', '00000000-0000-0000-0000-000000000000'),
);

export interface FuzzStats {
  cases: number;
  byStatus: Record<number, number>;
  fiveHundreds: number;
}

export function newStats(): FuzzStats {
  return { cases: 0, byStatus: {}, fiveHundreds: 0 };
}

/** Sends one request and checks the invariants; returns the status. */
export async function checkRequest(app: FastifyInstance, opts: InjectOptions, stats: FuzzStats): Promise<number> {
  const res = await app.inject(opts);
  stats.cases++;
  stats.byStatus[res.statusCode] = (stats.byStatus[res.statusCode] ?? 0) + 1;
  if (res.statusCode >= 500) {
    stats.fiveHundreds++;
    throw new Error(`${opts.method} ${JSON.stringify(opts.url)} answered ${res.statusCode}: ${res.body}`);
  }
  if (res.statusCode >= 400) {
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      throw new Error(`${res.statusCode} body is not JSON: ${res.body}`);
    }
    const b = body as { error?: unknown; code?: unknown };
    if (typeof b.error !== 'string' || Object.keys(b).some((k) => k !== 'error' && k !== 'code'))
      throw new Error(`${res.statusCode} body is not {"error": …}: ${res.body}`);
  }
  return res.statusCode;
}

export function withPayload(opts: InjectOptions, p: Payload): InjectOptions {
  const headers = { ...(opts.headers ?? {}) } as Record<string, string>;
  if (p.contentType !== undefined) headers['content-type'] = p.contentType;
  return { ...opts, headers, ...(p.body !== undefined ? { payload: p.body } : {}) };
}
