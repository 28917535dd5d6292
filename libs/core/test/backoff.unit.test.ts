import { BACKOFF_JITTER, SEND_BACKOFF_CAP_MS, sendBackoffDelay } from '@pbx-sms/core';

const mid = () => 0.5;

describe('sendBackoffDelay', () => {
  it.each([
    [1, 1000, 1000],
    [2, 1000, 2000],
    [3, 1000, 4000],
    [8, 1000, 128_000],
    [9, 1000, 256_000],
    [10, 1000, SEND_BACKOFF_CAP_MS],
    [50, 1000, SEND_BACKOFF_CAP_MS],
    [2000, 1000, SEND_BACKOFF_CAP_MS],
    [1, 50, 50],
    [4, 50, 400],
    [0, 1000, 1000],
  ])('retry %i with base %i ms waits %i ms before jitter', (retry, base, expected) => {
    expect(sendBackoffDelay(retry, base, SEND_BACKOFF_CAP_MS, mid)).toBe(expected);
  });

  it.each([1, 2, 5, 9, 20])('retry %i stays within ±20%% of its exponential delay and never above the cap', (retry) => {
    const exact = Math.min(SEND_BACKOFF_CAP_MS, 1000 * 2 ** (retry - 1));
    const low = sendBackoffDelay(retry, 1000, SEND_BACKOFF_CAP_MS, () => 0);
    const high = sendBackoffDelay(retry, 1000, SEND_BACKOFF_CAP_MS, () => 0.999999);
    expect(low).toBe(Math.round(exact * (1 - BACKOFF_JITTER)));
    expect(high).toBeLessThanOrEqual(Math.min(SEND_BACKOFF_CAP_MS, Math.round(exact * (1 + BACKOFF_JITTER))));
    expect(high).toBeGreaterThan(low);
  });

  it('spreads delays out (jitter) so throttled retries do not fire together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => sendBackoffDelay(3, 1000)));
    expect(delays.size).toBeGreaterThan(10);
  });
});
