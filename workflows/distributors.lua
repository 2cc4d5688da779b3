-- Rules of the distributors workflow (distributors.yaml).
--
-- A rep can follow only so many distributors at once: at most MAX_OPEN open
-- opportunities of this workflow per rep. And when an opportunity enters
-- Launch, launch_date records the day it happened.

local MAX_OPEN = 15

return {
  can_create = function(opp)
    local open = kanal.open_count(opp.owner.id, "distributors")
    if open >= MAX_OPEN then
      return false, string.format("%s already has %d open distributor opportunities (at most %d)",
                                  opp.owner.id, open, MAX_OPEN)
    end
  end,

  on_enter = function(opp, stage)
    if stage == "launch" then
      opp:set("launch_date", kanal.now():sub(1, 10))
    end
  end,
}
