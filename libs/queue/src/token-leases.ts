import type { Redis } from 'ioredis';
import { Batcher } from '@pbx-sms/concurrency';
import { MAX_TOKEN_BATCH } from './tenant-rate-limiter';

/**
 * The token bucket of `takeTokens` (refills at `rate`, holds `burst`, Redis server time),
 * with leases: a caller may take a few tokens more than it needs now and spend them locally,
 * without a round trip, for at most one lease window (`win` ms) after it asked.
 *
 * Never more than the limit, whatever the number of callers (API replicas): a leased token is
 * taken from the bucket when it is leased, and the bucket is not refilled past
 * `burst - reserved`, where `reserved` counts the tokens leased in the current and the previous
 * window (a lease asked in window w is spent or dropped before window w + 2 begins). So tokens
 * in the bucket plus tokens held by callers never exceed `burst`, and no window of time admits
 * more than `burst + rate * length`, as with the plain bucket. Unspent leased tokens are lost:
 * the limit can only get stricter.
 *
 * KEYS: the buckets; ARGV: rate, burst, window ms, then per key its `need` (tokens wanted now)
 * and `extra` (tokens wanted for later). Answers per key: tokens granted (need first, then
 * extra), and when fewer than `need`, the milliseconds until one more token.
 */
const TOKEN_LEASES = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local win = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local w = math.floor(now / win)
local ttl = math.ceil(burst * 1000 / rate) + 1000 + 2 * win
local out = {}
for i = 1, #KEYS do
  local key = KEYS[i]
  local need = tonumber(ARGV[2 + 2 * i])
  local extra = tonumber(ARGV[3 + 2 * i])
  local s = redis.call('HMGET', key, 'tokens', 'ts', 'w', 'rc', 'rp')
  local tokens = tonumber(s[1])
  local ts = tonumber(s[2])
  local sw = tonumber(s[3]) or w
  local rc = tonumber(s[4]) or 0
  local rp = tonumber(s[5]) or 0
  if tokens == nil or ts == nil then
    tokens = burst
    ts = now
  end
  if w == sw + 1 then
    rp = rc
    rc = 0
  elseif w > sw + 1 then
    rp = 0
    rc = 0
  end
  if now > ts then
    tokens = math.min(burst - rc - rp, tokens + (now - ts) * rate / 1000)
    ts = now
  end
  local granted = math.min(need + extra, math.floor(tokens))
  if granted < 0 then granted = 0 end
  tokens = tokens - granted
  if granted > need then rc = rc + granted - need end
  local wait = 0
  if granted < need then wait = math.ceil((1 - tokens) * 1000 / rate) end
  redis.call('HSET', key, 'tokens', tostring(tokens), 'ts', tostring(ts), 'w', tostring(w), 'rc', tostring(rc), 'rp', tostring(rp))
  redis.call('PEXPIRE', key, ttl)
  out[2 * i - 1] = granted
  out[2 * i] = wait
end
return out
`;

type WithLeases = Redis & { pbxTokenLeases(...args: (string | number)[]): Promise<number[]> };

export interface LeaseAsk {
  key: string;
  need: number;
  extra: number;
}

export interface LeaseGrant {
  granted: number;
  /** When granted < need: milliseconds until one more token. */
  waitMs: number;
}

/** One `TOKEN_LEASES` call for the asks (each key's bucket taken in order). */
export function takeLeases(redis: Redis, asks: readonly LeaseAsk[], ratePerSec: number, burst: number, windowMs: number): Promise<LeaseGrant[]> {
  if (asks.length === 0) return Promise.resolve([]);
  if (!('pbxTokenLeases' in redis)) redis.defineCommand('pbxTokenLeases', { lua: TOKEN_LEASES });
  const args: (string | number)[] = [asks.length];
  for (const a of asks) args.push(a.key);
  args.push(ratePerSec, burst, windowMs);
  for (const a of asks) args.push(a.need, a.extra);
  return (redis as WithLeases).pbxTokenLeases(...args).then((out) => asks.map((_, i) => ({ granted: Number(out[2 * i]), waitMs: Number(out[2 * i + 1]) })));
}

interface Ask extends LeaseAsk {
  sent: boolean;
  /** performance.now() when the ask went out: the lease runs from then. */
  sentAt: number;
  answer: Promise<LeaseGrant>;
}

interface KeyLease {
  /** Leased tokens not yet spent. */
  left: number;
  /** performance.now() after which `left` must not be spent. */
  expiresAt: number;
  /** Extra tokens to ask for next time (adapts to what the key used). */
  size: number;
  /** Leased tokens spent from the current lease. */
  spent: number;
  /** The ask waiting to go out for this key (requests of this turn join it). */
  ask: Ask | null;
}

/** Keys tracked at most (past it the memory starts again: only leased tokens are lost). */
const MAX_TRACKED_KEYS = 100_000;

/**
 * Token buckets in Redis, taken through short leases (see TOKEN_LEASES): a key that is busy
 * gets a few tokens more than it asked for, spent by the next requests without a round trip;
 * the lease grows while the key uses it up (doubling, up to what refills in one window) and
 * shrinks to what was used when tokens are left over. Asks of one event-loop turn go to Redis as
 * one script call; the requests of a turn for one key share one ask. With `maxLease` 0 (a
 * limit below 1 token per window), every request asks Redis, as `BatchedTokenBuckets` does.
 * Answers per take: 0 (a token was taken) or the milliseconds to wait, synchronously when
 * the lease answers.
 */
export class LeasedTokenBuckets {
  private readonly leases = new Map<string, KeyLease>();
  private readonly batcher: Batcher<Ask, LeaseGrant>;
  readonly maxLease: number;

  constructor(
    private readonly redis: Redis,
    readonly ratePerSec: number,
    readonly burst: number,
    readonly windowMs = 100,
  ) {
    this.maxLease = Math.floor((ratePerSec * windowMs) / 1000);
    this.batcher = new Batcher((asks) => this.send(asks), { maxBatch: MAX_TOKEN_BATCH, maxInFlight: Infinity });
  }

  take(key: string): number | Promise<number> {
    const now = performance.now();
    let lease = this.leases.get(key);
    if (lease === undefined) {
      if (this.leases.size >= MAX_TRACKED_KEYS) this.leases.clear();
      lease = { left: 0, expiresAt: 0, size: 0, spent: 0, ask: null };
      this.leases.set(key, lease);
    }
    if (lease.left > 0) {
      if (now < lease.expiresAt) {
        lease.left--;
        lease.spent++;
        return 0;
      }
    }
    if (lease.ask !== null && !lease.ask.sent) {
      const nth = lease.ask.need++;
      return lease.ask.answer.then((g) => (nth < g.granted ? 0 : g.waitMs));
    }
    // Tokens left over in an expired lease: ask for what was used; else the key used up its
    // lease (or had none): ask for twice as many.
    lease.size = lease.left > 0 ? lease.spent : Math.min(this.maxLease, Math.max(1, lease.size * 2));
    lease.left = 0;
    const ask = { key, need: 1, extra: lease.size, sent: false, sentAt: 0 } as Ask;
    ask.answer = this.batcher.submit(ask).then((g) => {
      this.granted(key, ask, g);
      return g;
    });
    lease.ask = ask;
    return ask.answer.then((g) => (g.granted > 0 ? 0 : g.waitMs));
  }

  private send(asks: Ask[]): Promise<LeaseGrant[]> {
    const now = performance.now();
    for (const a of asks) {
      a.sent = true;
      a.sentAt = now;
    }
    return takeLeases(this.redis, asks, this.ratePerSec, this.burst, this.windowMs);
  }

  private granted(key: string, ask: Ask, g: LeaseGrant): void {
    const lease = this.leases.get(key);
    if (lease === undefined) return;
    if (lease.ask === ask) lease.ask = null;
    const extra = g.granted - ask.need;
    if (extra > 0) {
      // A lease runs from when it was asked (before Redis took it), never past Redis's window.
      lease.left = extra;
      lease.spent = 0;
      lease.expiresAt = ask.sentAt + this.windowMs;
    }
  }
}
