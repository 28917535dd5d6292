import { isValidPhoneNumber } from 'libphonenumber-js/max';

const E164 = /^\+[1-9][0-9]{7,14}$/;

/** isValidPhoneNumber costs ~12 µs; the same few numbers (senders, regular destinations) recur on every request. */
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
    if (validity.size >= 10_000) validity.clear();
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
