--[[
  The tokens leased in the current window (rc) and the previous one (rp), seen from window `w`,
  given the counts stored in window `sw`: one window later the current becomes the previous,
  two or more later both are over.
]]
local function rollReservations(w, sw, rc, rp)
  if w == sw + 1 then
    return 0, rc
  elseif w > sw + 1 then
    return 0, 0
  end
  return rc, rp
end
