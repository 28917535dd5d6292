import type { Redis } from 'ioredis';
import { loadLuaCommand } from './lua-command.loader';

/** Most keys in one script call. */
export const MAX_TOKEN_BATCH = 200;

/** How long a lease of tokens may be spent after it was asked (the script's window). */
export const LEASE_WINDOW_MS = 100;

export interface TokenAsk {
  key: string;
  /** Tokens wanted now. */
  need: number;
  /** Tokens wanted for later, a lease (0: none). */
  extra: number;
}

export interface TokenGrant {
  /** Tokens taken: `need` first, then `extra`. */
  granted: number;
  /** When granted < need: milliseconds until one more token. */
  waitMs: number;
}

type WithTakeTokens = Redis & { pbxTakeTokens(...args: (string | number)[]): Promise<number[]> };

let lua: string | undefined;

/** The connection with the script defined on it (once per connection). */
function withCommand(redis: Redis): WithTakeTokens {
  if (!('pbxTakeTokens' in redis)) redis.defineCommand('pbxTakeTokens', { lua: (lua ??= loadLuaCommand('takeTokens')) });
  return redis as WithTakeTokens;
}

/**
 * One call of the token-bucket script (`commands/takeTokens.lua`) for the asks, each key's
 * bucket taken in order: refills at `ratePerSec`, holds `burst`, leases last `windowMs`.
 * Every key must hash to the same Cluster slot (they carry the queue prefix's hash tag).
 */
export function takeTokens(redis: Redis, asks: readonly TokenAsk[], ratePerSec: number, burst: number, windowMs = LEASE_WINDOW_MS): Promise<TokenGrant[]> {
  if (asks.length === 0) return Promise.resolve([]);
  const args: (string | number)[] = [asks.length];
  for (const a of asks) args.push(a.key);
  args.push(ratePerSec, burst, windowMs);
  for (const a of asks) args.push(a.need, a.extra);
  return withCommand(redis)
    .pbxTakeTokens(...args)
    .then((out) => asks.map((_, i) => ({ granted: Number(out[2 * i]), waitMs: Number(out[2 * i + 1]) })));
}

/**
 * `takeTokens` asking one token from each key and no lease: the call carries the keys only
 * (no need and extra per key, the script's default). Answers per key, in order: 0 (a token was
 * taken) or the milliseconds to wait.
 */
export function takeOneTokenEach(redis: Redis, keys: readonly string[], ratePerSec: number, burst: number): Promise<number[]> {
  if (keys.length === 0) return Promise.resolve([]);
  return withCommand(redis)
    .pbxTakeTokens(keys.length, ...keys, ratePerSec, burst, LEASE_WINDOW_MS)
    .then((out) => keys.map((_, i) => (Number(out[2 * i]) > 0 ? 0 : Number(out[2 * i + 1]))));
}
