import type { ServerResponse } from 'node:http';
import type { ChaosOutcome, FakeSnsChaos, FakeSnsFault } from './faults';
import type { FakeSnsErrorCode, FakeSnsRequest } from './sns-wire';

/** What the control API reads and programs on the fake it belongs to. */
export interface ControlledFake {
  readonly requests: FakeSnsRequest[];
  readonly publishCount: number;
  readonly chaosCounts: Record<ChaosOutcome, number>;
  readonly inFlight: number;
  readonly maxInFlight: number;
  latencyMs: number;
  reset(): unknown;
  failNext(fault: FakeSnsFault, times?: number): unknown;
  failAlways(fault: FakeSnsFault | null): unknown;
  rejectNumber(phoneNumber: string, code?: FakeSnsErrorCode): unknown;
  chaos(chaos: FakeSnsChaos | null): unknown;
}

/**
 * Control API for a fake in another process:
 * `GET /_fake/stats`, `POST /_fake/reset`, `POST /_fake/fail-next {fault, times}`,
 * `POST /_fake/fail-always {fault|null}`, `POST /_fake/reject-number {phoneNumber, code}`,
 * `POST /_fake/latency {ms}`, `POST /_fake/chaos {throttle, serverError, hang, seed}|null`.
 */
export function answerControl(fake: ControlledFake, method: string, url: string, body: string, res: ServerResponse): void {
  const json = (status: number, value: unknown) => {
    const text = JSON.stringify(value);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  let input: Record<string, unknown>;
  try {
    input = body ? ((JSON.parse(body) as Record<string, unknown> | null) ?? {}) : {};
  } catch {
    return json(400, { error: 'invalid JSON' });
  }
  const path = url.split('?')[0];
  if (method === 'GET' && path === '/_fake/stats') {
    return json(200, {
      requests: fake.requests.length,
      publishes: fake.publishCount,
      errors: fake.requests.filter((r) => r.errorCode !== null).length,
      chaos: fake.chaosCounts,
      inFlight: fake.inFlight,
      maxInFlight: fake.maxInFlight,
    });
  }
  if (method === 'GET' && path === '/_fake/requests') return json(200, fake.requests);
  if (method !== 'POST') return json(404, { error: 'not found' });
  switch (path) {
    case '/_fake/reset':
      fake.reset();
      return json(200, { ok: true });
    case '/_fake/fail-next':
      fake.failNext(input.fault as FakeSnsFault, Number(input.times ?? 1));
      return json(200, { ok: true });
    case '/_fake/fail-always':
      fake.failAlways((input.fault as FakeSnsFault | null) ?? null);
      return json(200, { ok: true });
    case '/_fake/reject-number':
      fake.rejectNumber(String(input.phoneNumber), (input.code as FakeSnsErrorCode | undefined) ?? 'OptedOut');
      return json(200, { ok: true });
    case '/_fake/chaos':
      fake.chaos(body.trim() === '' || body.trim() === 'null' ? null : input);
      return json(200, { ok: true });
    case '/_fake/latency':
      fake.latencyMs = Number(input.ms ?? 0);
      return json(200, { ok: true });
    default:
      return json(404, { error: 'not found' });
  }
}
