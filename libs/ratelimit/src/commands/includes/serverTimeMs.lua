--[[
  The Redis server's clock in milliseconds: every caller of a bucket sees the same time,
  whatever its own clock says.
]]
local function serverTimeMs()
  local t = rcall('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
