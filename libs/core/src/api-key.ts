import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Permissions an API key can carry. */
export const PERMISSIONS = ['sms:send', 'events:publish'] as const;
export type Permission = (typeof PERMISSIONS)[number];

const KEY_PATTERN = /^pbx_([A-Za-z0-9]{8})_([A-Za-z0-9_-]{32,64})$/;

/** A new key: `pbx_<8-char prefix>_<43-char secret>`. Only the hash and prefix are stored. */
export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const prefix = randomBytes(6).toString('base64url').replace(/[-_]/g, 'x').slice(0, 8);
  const key = `pbx_${prefix}_${randomBytes(32).toString('base64url')}`;
  return { key, prefix, hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The public prefix of a well-formed key, or null when it cannot be one of ours. */
export function apiKeyPrefix(key: string): string | null {
  const m = KEY_PATTERN.exec(key);
  return m ? (m[1] ?? null) : null;
}

/** Constant-time comparison of a presented key with a stored hash. */
export function apiKeyMatches(key: string, storedHash: string): boolean {
  const a = Buffer.from(hashApiKey(key), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
