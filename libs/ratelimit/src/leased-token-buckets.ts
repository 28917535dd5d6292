import type { Redis } from 'ioredis';
import { Batcher } from '@pbx-sms/concurrency';
import { LEASE_WINDOW_MS, MAX_TOKEN_BATCH, takeTokens, type TokenAsk, type TokenGrant } from './take-tokens.command';

interface Ask extends TokenAsk {
  sent: boolean;
  /** performance.now() when the ask went out: the lease runs from then. */
  sentAt: number;
  answer: Promise<TokenGrant>;
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
 * Token buckets in Redis, taken through short leases (`takeTokens` with `extra`; the script
 * keeps bucket plus leases within the burst, whatever the number of callers): a key that is busy
 * gets a few tokens more than it asked for, spent by the next requests without a round trip;
 * the lease grows while the key uses it up (doubling, up to what refills in one window) and
 * shrinks to what was used when tokens are left over. Asks of one event-loop turn go to Redis as
 * one script call; the requests of a turn for one key share one ask. With `maxLease` 0 (a
 * limit below 1 token per window), every request asks Redis. Unspent leased tokens are lost: the
 * limit can only get stricter.
 * Answers per take: 0 (a token was taken) or the milliseconds to wait, synchronously when
 * the lease answers.
 */
export class LeasedTokenBuckets {
  private readonly leases = new Map<string, KeyLease>();
  private readonly batcher: Batcher<Ask, TokenGrant>;
  readonly maxLease: number;

  constructor(
    private readonly redis: Redis,
    readonly ratePerSec: number,
    readonly burst: number,
    readonly windowMs = LEASE_WINDOW_MS,
  ) {
    this.maxLease = Math.floor((ratePerSec * windowMs) / 1000);
    this.batcher = new Batcher((asks) => this.send(asks), { name: 'token-lease-asks', maxBatch: MAX_TOKEN_BATCH, maxInFlight: Infinity });
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

  private send(asks: Ask[]): Promise<TokenGrant[]> {
    const now = performance.now();
    for (const a of asks) {
      a.sent = true;
      a.sentAt = now;
    }
    return takeTokens(this.redis, asks, this.ratePerSec, this.burst, this.windowMs);
  }

  private granted(key: string, ask: Ask, g: TokenGrant): void {
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
