--[[
  The refill: a bucket that held `tokens` at `ts` holds at `now` what has refilled since at
  `rate` per second on top, up to `cap`. A bucket never seen (or expired) is full (`burst`).
  Answers the tokens and the time they are counted from.
]]
local function refill(tokens, ts, now, rate, burst, cap)
  if tokens == nil or ts == nil then
    return burst, now
  end
  if now > ts then
    return math.min(cap, tokens + (now - ts) * rate / 1000), now
  end
  return tokens, ts
end
