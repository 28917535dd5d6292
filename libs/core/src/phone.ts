import { isValidPhoneNumber } from 'libphonenumber-js/max';

const E164 = /^\+[1-9][0-9]{7,14}$/;

/**
 * libphonenumber's check against the full metadata costs tens of microseconds, and the rules
 * ask it several times per job about the same few numbers (a tenant's sender, its extensions'
 * numbers). Answers are pure functions of the string, so they are remembered; the map is
 * bounded (cleared when full: cheaper than LRU bookkeeping, and a refill costs one check per
 * number).
 */
const VALIDITY_CACHE_MAX = 10_000;
const validity = new Map<string, boolean>();

/**
 * Strict +E.164: a plus, then 8 to 15 digits (no spaces or punctuation), and a number that
 * libphonenumber-js's full metadata accepts as valid (so `+15555550100` fails: no such area code).
 */
export function isValidE164(value: unknown): value is string {
  if (typeof value !== 'string' || !E164.test(value)) return false;
  let ok = validity.get(value);
  if (ok === undefined) {
    ok = isValidPhoneNumber(value);
    if (validity.size >= VALIDITY_CACHE_MAX) validity.clear();
    validity.set(value, ok);
  }
  return ok;
}

/**
 * The action API's `to_number` arrives URL-decoded; an unencoded `+` becomes a space, so a
 * leading space followed by digits is read as `+`.
 */
export function normalizeToNumber(raw: string): string {
  return /^ [0-9]/.test(raw) ? `+${raw.slice(1)}` : raw;
}

/** For logs and operator views: keep the country code and last two digits only. */
export function maskNumber(value: string | null | undefined): string {
  if (!value) return '';
  if (value.length <= 6) return '***';
  return `${value.slice(0, 3)}***${value.slice(-2)}`;
}
