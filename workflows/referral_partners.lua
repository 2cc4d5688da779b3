-- Rules of the referral partners workflow (referral_partners.yaml).
--
-- DOMAIN.md, Example 1: the referral fee became 15-20%, paid only for
-- clients who stay at least six months; and someone who does not know the
-- product must not recommend it, so a referrer is activated only after the
-- knowledge check is passed with 80% or more; the fee per client: below.

local PASS_MARK = 80          -- % needed in the knowledge check
local FEE_MIN, FEE_MAX = 15, 20
local MIN_CLIENT_MONTHS = 6

-- The value a goal is completed with: set along (--set) or already stored.
local function value(opp, values, field)
  local v = values[field]
  if v == nil then v = opp.fields[field] end
  return v
end

return {
  can_complete = function(opp, goal, values)
    if goal == "offer_accepted" then
      local fee = value(opp, values, "referral_fee_pct")
      local months = value(opp, values, "min_client_months")
      if fee == nil or fee < FEE_MIN or fee > FEE_MAX then
        return false, string.format("the referral fee must be %d-%d%% (it is %s)",
                                    FEE_MIN, FEE_MAX, tostring(fee))
      end
      if months == nil or months < MIN_CLIENT_MONTHS then
        return false, string.format("the fee is paid only for clients who stay at least %d months (it says %s)",
                                    MIN_CLIENT_MONTHS, tostring(months))
      end
    elseif goal == "quiz_passed" or goal == "referrer_activated" then
      local score = value(opp, values, "quiz_score")
      if score == nil or score < PASS_MARK then
        return false, string.format("the knowledge check needs %d%% or more (the score is %s)",
                                    PASS_MARK, tostring(score))
      end
    end
    return true
  end,

  on_complete = function(opp, goal)
    if goal == "offer_accepted" then
      opp:note(string.format("terms: %g%% for clients who stay %d months",
                             opp.fields.referral_fee_pct, opp.fields.min_client_months))
      kanal.hint("next: book the product training; the knowledge check follows it")
    end
  end,

  -- The referral fee of a client the partner brought (kanal report commission):
  -- nothing until the client has stayed MIN_CLIENT_MONTHS; then 15% of the
  -- deal's value, or 20% once the partner has five or more clients retained
  -- that way (each client counted once, whatever its number of deals).
  commission = function(deal, partner, as_of)
    local FEE, FEE_NETWORK, NETWORK = 0.15, 0.20, 5

    -- The day `months` calendar months after a YYYY-MM-DD day; a day the month
    -- lacks is its last (2026-08-31 + 6 months is 2027-02-28).
    local function add_months(day, months)
      local y, m, d = day:match("^(%d%d%d%d)-(%d%d)-(%d%d)$")
      y, m, d = tonumber(y), tonumber(m) - 1 + months, tonumber(d)
      y, m = y + m // 12, m % 12 + 1
      local last = ({ 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 })[m]
      if m == 2 and (y % 4 == 0 and y % 100 ~= 0 or y % 400 == 0) then last = 29 end
      return string.format("%04d-%02d-%02d", y, m, math.min(d, last))
    end

    -- Retained: the client stayed MIN_CLIENT_MONTHS, counted to the day it left
    -- or, while it stays, to as_of (Kanal gives `ended` as of as_of: a client
    -- who left later had not left yet).
    local function retained(d)
      return add_months(d.signed, MIN_CLIENT_MONTHS) <= (d.ended or as_of)
    end

    if not retained(deal) then
      return 0
    end
    local clients, n = {}, 0
    for _, d in ipairs(kanal.deals(partner.id)) do
      if not clients[d.client] and retained(d) then
        clients[d.client] = true
        n = n + 1
      end
    end
    return deal.value * (n >= NETWORK and FEE_NETWORK or FEE)
  end,
}
