-- Rules of the referral partners workflow (referral_partners.yaml).
--
-- DOMAIN.md, Example 1: the referral fee became 15-20%, paid only for
-- clients who stay at least six months; and someone who does not know the
-- product must not recommend it, so a referrer is activated only after the
-- knowledge check is passed with 80% or more.

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
}
