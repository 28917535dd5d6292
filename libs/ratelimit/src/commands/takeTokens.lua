--[[
  Takes tokens from token buckets, one bucket per key, in order (a key given twice is taken
  from twice). A bucket holds up to `burst` tokens and refills at `rate` per second by the
  Redis server's clock.

  A caller may ask for `extra` tokens besides those it needs now: a lease, which it spends in
  its own process for at most one window (`win` ms) after it asked. The bucket does not refill
  past `burst` less the tokens leased in the current and the previous window, so tokens in the
  bucket plus tokens held by callers never exceed `burst`. With no extra asked, no lease is
  held and this is the plain token bucket; such a bucket keeps two fields (tokens, ts).

  Input:
    KEYS[i]       the buckets (one Cluster slot: they carry the queue prefix's hash tag)
    ARGV[1]       rate, tokens per second
    ARGV[2]       burst
    ARGV[3]       lease window, ms
    ARGV[2 + 2i]  need: tokens wanted now from KEYS[i]
    ARGV[3 + 2i]  extra: tokens wanted for later (0: no lease)
    (With no need and extra given at all, each key is asked for one token and no lease.)

  Output: per key, two numbers: the tokens granted (need first, then extra) and, when fewer
  than need, the milliseconds until one more token (else 0).
]]
local rcall = redis.call

--- @include "includes/serverTimeMs"
--- @include "includes/rollReservations"
--- @include "includes/refill"

local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local win = tonumber(ARGV[3])
local now = serverTimeMs()
local w = math.floor(now / win)
-- Long enough for an untouched bucket to refill: past it, a missing key reads as a full bucket.
local ttl = math.ceil(burst * 1000 / rate) + 1000
local out = {}
for i = 1, #KEYS do
  local key = KEYS[i]
  local need = tonumber(ARGV[2 + 2 * i]) or 1
  local extra = tonumber(ARGV[3 + 2 * i]) or 0
  local s = rcall('HMGET', key, 'tokens', 'ts', 'w', 'rc', 'rp')
  local rc, rp = rollReservations(w, tonumber(s[3]) or w, tonumber(s[4]) or 0, tonumber(s[5]) or 0)
  local tokens, ts = refill(tonumber(s[1]), tonumber(s[2]), now, rate, burst, burst - rc - rp)
  local granted = math.min(need + extra, math.floor(tokens))
  if granted < 0 then granted = 0 end
  tokens = tokens - granted
  if granted > need then rc = rc + granted - need end
  local wait = 0
  if granted < need then wait = math.ceil((1 - tokens) * 1000 / rate) end
  if rc + rp > 0 or s[3] then
    rcall('HSET', key, 'tokens', tostring(tokens), 'ts', tostring(ts), 'w', tostring(w), 'rc', tostring(rc), 'rp', tostring(rp))
  else
    rcall('HSET', key, 'tokens', tostring(tokens), 'ts', tostring(ts))
  end
  -- A lease may be spent until two windows after it was asked: the reservation outlives it.
  if rc + rp > 0 then
    rcall('PEXPIRE', key, ttl + 2 * win)
  else
    rcall('PEXPIRE', key, ttl)
  end
  out[2 * i - 1] = granted
  out[2 * i] = wait
end
return out
