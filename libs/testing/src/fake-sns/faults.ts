import { createHash } from 'node:crypto';
import type { FakeSnsErrorCode } from './sns-wire';

/** The provider trouble the fake can be told to cause: one fault at a time, or seeded chaos. */

export type FakeSnsFault =
  | { type: 'error'; code: FakeSnsErrorCode }
  /** Any status with an arbitrary body (e.g. a 503 from a load balancer). */
  | { type: 'status'; status: number; body?: string }
  /** Never answer (until the client gives up or the server closes). */
  | { type: 'hang' }
  /** 200 with no MessageId. */
  | { type: 'no-message-id' };

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
  const digest = createHash('sha256')
    .update(`${chaos.seed ?? 0}\u0000${phoneNumber}\u0000${message}\u0000${n}`)
    .digest();
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

const CHAOS_FAULTS: Record<ChaosOutcome, FakeSnsFault | null> = {
  throttle: { type: 'error', code: 'Throttled' },
  serverError: { type: 'error', code: 'InternalError' },
  hang: { type: 'hang' },
  ok: null,
};

/** Chaos as one fake runs it: how many Publishes of each (number, message) it has seen, and its outcomes by kind. */
export class ChaosDraws {
  private readonly seen = new Map<string, number>();
  /** Chaos outcomes so far, by kind. */
  readonly counts: Record<ChaosOutcome, number> = { throttle: 0, serverError: 0, hang: 0, ok: 0 };

  /** Forgets what was seen and counted (the chaos changed). */
  clear(): void {
    this.seen.clear();
    for (const k of Object.keys(this.counts) as ChaosOutcome[]) this.counts[k] = 0;
  }

  /** The fault for this Publish under `chaos`, or null to let it succeed. */
  next(chaos: FakeSnsChaos, phoneNumber: string, message: string): FakeSnsFault | null {
    const key = `${phoneNumber}\u0000${message}`;
    const n = this.seen.get(key) ?? 0;
    this.seen.set(key, n + 1);
    const outcome = chaosOutcome(chaos, phoneNumber, message, n);
    this.counts[outcome]++;
    return CHAOS_FAULTS[outcome];
  }
}
