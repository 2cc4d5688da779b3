#!/bin/sh
# The sample rules (issue 4): referral_partners.lua (the knowledge check, the
# bounds of the referral terms) and distributors.lua (at most 15 open
# distributor opportunities a rep, launch_date on entering Launch).
. "$KANAL_SOURCE_DIR/tests/cli/lifecycle.sh"
WF=$SRC/workflows

# hook_line FILE HOOK: the line where HOOK is defined in workflows/FILE.
hook_line() {
    _l=$(grep -n -F "  $2 = function(" "$WF/$1" | cut -d: -f1)
    case "$_l" in
    *[!0-9]* | "") echo "hook_line: '$2' is not defined once in $1" >&2; failures=$((failures + 1)) ;;
    esac
    echo "$_l"
}
RP=$(hook_line referral_partners.lua can_complete)
DI=$(hook_line distributors.lua can_create)

ok kanal init --admin admin --name "Ada Admin"
export KANAL_USER=admin
ok kanal user add rita --name "Rita Rep" --role channel_rep
ok kanal user add piotr --name "Piotr Rep" --role channel_rep
ok kanal user add manny --name "Manny Manager" --role manager
ok kanal workflow apply "$WF/referral_partners.yaml" "$WF/distributors.yaml"
export KANAL_USER=rita

# ==== referral_partners ===========================================================================
ok kanal partner add "Biuro Rachunkowe Alfa" --type referrer
ok kanal opp new --partner "Biuro Rachunkowe Alfa" --workflow referral_partners --at 2026-11-02T09:00:00Z
expect_out 1
ok kanal log 1 call --at 2026-11-02T10:00:00Z
ok kanal log 1 email --at 2026-11-02T11:00:00Z
ok kanal done 1 classify --set cooperation_form=referral --at 2026-11-02T12:00:00Z
ok kanal advance 1 --at 2026-11-03T09:00:00Z
ok kanal log 1 email --at 2026-11-03T10:00:00Z
ok kanal log 1 meeting --at 2026-11-04T10:00:00Z
expect_out "opportunity 1: logged meeting
offer_discussed completed"

# ---- offer_accepted: the fee 15-20%, clients who stay 6 months or more ------------------------------
refuse 1 "refused by rules (referral_partners.lua:$RP): the referral fee must be 15-20% (it is 14.9)" \
    kanal done 1 offer_accepted --set referral_fee_pct=14.9 --set min_client_months=6 --at 2026-11-05T10:00:00Z
refuse 1 "refused by rules (referral_partners.lua:$RP): the referral fee must be 15-20% (it is 10.0)" \
    kanal done 1 offer_accepted --set referral_fee_pct=10 --set min_client_months=12 --at 2026-11-05T10:00:00Z
# above 20 the field's own maximum refuses it first
refuse 4 "value 21 for field 'referral_fee_pct' is above its maximum 20" \
    kanal done 1 offer_accepted --set referral_fee_pct=21 --set min_client_months=6 --at 2026-11-05T10:00:00Z
refuse 1 "refused by rules (referral_partners.lua:$RP): the fee is paid only for clients who stay at least 6 months (it says 5)" \
    kanal done 1 offer_accepted --set referral_fee_pct=15 --set min_client_months=5 --at 2026-11-05T10:00:00Z
# values already stored count too
ok kanal set 1 referral_fee_pct=18 min_client_months=3 --at 2026-11-05T10:00:00Z
refuse 1 "refused by rules (referral_partners.lua:$RP): the fee is paid only for clients who stay at least 6 months (it says 3)" \
    kanal done 1 offer_accepted --at 2026-11-05T11:00:00Z
# ...and the values set along win over the stored ones
refuse 1 "refused by rules (referral_partners.lua:$RP): the referral fee must be 15-20% (it is 14.0)" \
    kanal done 1 offer_accepted --set referral_fee_pct=14 --set min_client_months=6 --at 2026-11-05T11:00:00Z
# inside the bounds: accepted, the terms noted, a hint for the rep
ok kanal done 1 offer_accepted --set referral_fee_pct=15 --set min_client_months=6 --at 2026-11-05T12:00:00Z
expect_out "opportunity 1: offer_accepted done"
expect_err "hint: next: book the product training; the knowledge check follows it"
ok kanal history 1 --json
expect_json '$.events[#-1].type' note
expect_json '$.events[#-1].data' '{"text":"terms: 15% for clients who stay 6 months","source":"rules:referral_partners.lua:on_complete"}'
ok kanal opp show 1 --json
expect_json '$.fields.referral_fee_pct' 15
expect_json '$.fields.min_client_months' 6
# the upper bound is inside too
ok kanal partner add "Kancelaria Beta" --type consultant
ok kanal opp new --partner "Kancelaria Beta" --workflow referral_partners --at 2026-11-02T09:00:00Z
expect_out 2
ok kanal batch - <<'EOF'
log 2 call --at 2026-11-02T10:00:00Z
log 2 email --at 2026-11-02T11:00:00Z
done 2 classify --set cooperation_form=resale --at 2026-11-02T12:00:00Z
advance 2 --at 2026-11-03T09:00:00Z
log 2 email --at 2026-11-03T10:00:00Z
log 2 meeting --at 2026-11-04T10:00:00Z
EOF
ok kanal done 2 offer_accepted --set referral_fee_pct=20 --set min_client_months=24 --at 2026-11-05T12:00:00Z
expect_err "hint: next: book the product training; the knowledge check follows it"
ok kanal history 2 --json
expect_json '$.events[#-1].data' '{"text":"terms: 20% for clients who stay 24 months","source":"rules:referral_partners.lua:on_complete"}'

# ---- the knowledge check: quiz_passed needs 80 or more ---------------------------------------------------
ok kanal advance 1 --at 2026-11-06T09:00:00Z
ok kanal log 1 training --at 2026-11-10T10:00:00Z
expect_out "opportunity 1: logged training
trained completed"
refuse 1 "refused by rules (referral_partners.lua:$RP): the knowledge check needs 80% or more (the score is 79)" \
    kanal done 1 quiz_passed --set quiz_score=79 --at 2026-11-11T10:00:00Z
refuse 1 "refused by rules (referral_partners.lua:$RP): the knowledge check needs 80% or more (the score is 0)" \
    kanal done 1 quiz_passed --set quiz_score=0 --at 2026-11-11T10:00:00Z
# without a score the workflow itself refuses (requires_fields)
run kanal done 1 quiz_passed --at 2026-11-11T10:00:00Z
expect_rc 1
ok kanal opp show 1 --json
expect_json '$.fields.quiz_score' ""
expect_json '$.goals[7].id' quiz_passed
expect_json '$.goals[7].done' 0
# a score stored by kanal set is checked the same way
ok kanal set 1 quiz_score=60 --at 2026-11-11T10:00:00Z
refuse 1 "refused by rules (referral_partners.lua:$RP): the knowledge check needs 80% or more (the score is 60)" \
    kanal done 1 quiz_passed --at 2026-11-11T11:00:00Z
ok kanal done 1 quiz_passed --set quiz_score=80 --at 2026-11-11T12:00:00Z
expect_out "opportunity 1: quiz_passed done"
expect_err ""
ok kanal advance 1 --at 2026-11-12T09:00:00Z
ok kanal done 1 agreement_signed --set agreement_date=2026-11-12 --at 2026-11-12T10:00:00Z
ok kanal done 1 referrer_activated --at 2026-11-12T11:00:00Z
expect_out "opportunity 1: referrer_activated done"
ok kanal win 1 --at 2026-11-13T09:00:00Z

# ==== distributors ====================================================================================
# a rep holds at most 15 open distributor opportunities: the 15th is allowed,
# the 16th refused (and nothing of it stored)
: >dist.kanal
for i in 01 02 03 04 05 06 07 08 09 10 11 12 13 14 15 16 17; do
    echo "partner add 'Dystrybutor $i' --type distributor" >>dist.kanal
done
for i in 01 02 03 04 05 06 07 08 09 10 11 12 13 14; do
    echo "opp new --partner 'Dystrybutor $i' --workflow distributors --at 2026-11-01T10:00:00Z" >>dist.kanal
done
ok kanal batch dist.kanal
ok kanal opp new --partner "Dystrybutor 15" --workflow distributors --at 2026-11-01T10:00:00Z
expect_out 17
expect_err ""
expect_sql "SELECT count(*) FROM opportunities WHERE owner = 'rita' AND workflow = 'distributors' AND status = 'open'" 15
refuse 1 "refused by rules (distributors.lua:$DI): rita already has 15 open distributor opportunities (at most 15)" \
    kanal opp new --partner "Dystrybutor 16" --workflow distributors --at 2026-11-01T10:00:00Z
# the same refusal inside a batch names its line; the lines before it stand
db_snapshot
run kanal batch - <<'EOF'
partner add 'Hurtownia Gamma' --type wholesaler
opp new --partner 'Hurtownia Gamma' --workflow distributors --at 2026-11-01T11:00:00Z
EOF
expect_rc 1
expect_err "kanal: line 2: error: refused by rules (distributors.lua:$DI): rita already has 15 open distributor opportunities (at most 15)
kanal: batch: stopped at line 2 (1 command ran before it)"
expect_db_changed
# opportunities of other workflows do not count, nor those of other reps
ok kanal partner add "Agencja Delta" --type referrer
ok kanal opp new --partner "Agencja Delta" --workflow referral_partners --at 2026-11-01T12:00:00Z
ok kanal opp new --partner "Dystrybutor 17" --workflow distributors --owner piotr --as manny \
    --at 2026-11-01T12:00:00Z
# a closed one frees a place
ok kanal lose 3 --reason competitor --at 2026-11-02T09:00:00Z
ok kanal opp new --partner "Dystrybutor 16" --workflow distributors --at 2026-11-02T10:00:00Z
refuse 1 "refused by rules (distributors.lua:$DI): rita already has 15 open distributor opportunities (at most 15)" \
    kanal opp new --partner "Hurtownia Gamma" --workflow distributors --at 2026-11-02T10:00:00Z

# ---- on entering launch, launch_date is the step's date ---------------------------------------------------
ok kanal batch - <<'EOF'
log 4 call --at 2026-11-03T09:00:00Z
done 4 classify --set cooperation_form=resale --at 2026-11-03T10:00:00Z
advance 4 --at 2026-11-04T09:00:00Z
log 4 email --at 2026-11-04T10:00:00Z
log 4 call --at 2026-11-05T10:00:00Z
done 4 offer_accepted --set margin_pct=25 --at 2026-11-06T10:00:00Z
EOF
ok kanal opp show 4 --json
expect_json '$.stage' proposal
expect_json '$.fields.launch_date' ""
ok kanal advance 4 --at 2026-11-20T15:30:00Z
expect_err ""
ok kanal opp show 4 --json
expect_json '$.stage' launch
expect_json '$.fields.launch_date' 2026-11-20
ok kanal history 4 --json
expect_json '$.events[#-2].type' advanced
expect_json '$.events[#-1].data' '{"field":"launch_date","value":"2026-11-20","previous":null,"source":"rules:distributors.lua:on_enter"}'
# entering another stage sets nothing
ok kanal batch - <<'EOF'
log 5 call --at 2026-11-03T09:00:00Z
done 5 classify --set cooperation_form=resale --at 2026-11-03T10:00:00Z
advance 5 --at 2026-11-04T09:00:00Z
EOF
ok kanal opp show 5 --json
expect_json '$.stage' proposal
expect_json '$.fields.launch_date' ""

finish
