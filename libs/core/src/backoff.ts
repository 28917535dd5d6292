/**
 * Retry delays for send jobs: the first retry waits `baseMs`, each further one doubles, with
 * ±20% jitter so a burst of throttled sends does not retry in lockstep, never above `capMs`.
 * Pure: `random` is injectable so tests can pin it.
 */
export const SEND_BACKOFF_CAP_MS = 5 * 60 * 1000;
export const BACKOFF_JITTER = 0.2;

/** Delay before retry number `retry` (1 = the first retry). */
export function sendBackoffDelay(retry: number, baseMs: number, capMs = SEND_BACKOFF_CAP_MS, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(retry));
  // 2 ** 40 is far past any cap; clamping the exponent keeps the arithmetic finite.
  const exponential = Math.min(capMs, baseMs * 2 ** Math.min(n - 1, 40));
  const jittered = exponential * (1 - BACKOFF_JITTER + 2 * BACKOFF_JITTER * random());
  return Math.max(0, Math.min(capMs, Math.round(jittered)));
}
