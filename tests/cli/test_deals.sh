#!/bin/sh
# Deals and commission (issue 13, the domain's first case): the clients a won
# partner brings, who may record them, how they are kept (in the deals table
# and as events of the won opportunity), and what they earn the partner by
# the rules of the workflow version it was won under.
#
# The rule of workflows/referral_partners.lua (Example 1's new fee): nothing
# until a client has stayed six calendar months, counted to the day it left
# or, while it stays, to the report's day; then 15% of the deal's value, or
# 20% once the partner has five or more clients retained that way. Every
# figure below is worked out by hand in the comment beside it, never by Kanal.
. "$KANAL_SOURCE_DIR/tests/cli/lifecycle.sh"

# Now is 2026-11-28 12:00 UTC (lifecycle.sh); the partners were won in 2025.
setup_db
REF=referral_partners

# expect_len PATH N: the JSON array at PATH of the last command's stdout has N elements.
expect_len() {
    checks=$((checks + 1))
    _got=$(sqlite3 :memory: "SELECT json_array_length(readfile('$T/.out'), '$1')" 2>/dev/null)
    [ "$_got" = "$2" ] || fail "JSON $1 has '$_got' elements, want $2"
}

# win_referral OPP PARTNER OWNER YEAR-MONTH: opportunity OPP (the next number) for
# PARTNER in referral_partners, stepped by OWNER from Awareness to won, in the days
# 06 to 10 of that month.
win_referral() {
    _m=$4
    cat >"$T/win.kanal" <<EOF
opp new --partner "$2" --workflow $REF --at $_m-06T09:00
log $1 call --at $_m-06T10:00
log $1 email --at $_m-06T11:00
done $1 classify --set cooperation_form=referral --at $_m-06T12:00
advance $1 --at $_m-07T09:00
log $1 email --at $_m-07T10:00
log $1 meeting --at $_m-07T11:00
done $1 offer_accepted --set referral_fee_pct=15 --set min_client_months=6 --at $_m-07T12:00
advance $1 --at $_m-08T09:00
log $1 training --at $_m-08T10:00
done $1 quiz_passed --set quiz_score=90 --at $_m-08T11:00
advance $1 --at $_m-09T09:00
done $1 agreement_signed --set agreement_date=$_m-09 --at $_m-09T10:00
done $1 referrer_activated --at $_m-09T11:00
win $1 --at $_m-10T09:00
EOF
    run kanal batch "$T/win.kanal" --as "$3"
    expect_rc 0
}

ok kanal partner add "Biuro Kowalski" --type referrer --as marcin
ok kanal partner add "Sieć Partnerska Nowak" --type referrer --as piotr
ok kanal partner add "Doradcy Wiśniewski" --type referrer --as marcin
win_referral 1 "Biuro Kowalski" marcin 2025-01
win_referral 2 "Sieć Partnerska Nowak" piotr 2025-01
# the third is still open: no deals yet
ok kanal opp new --partner "Doradcy Wiśniewski" --workflow $REF --at 2025-01-06 --as marcin

# ---- recording deals ------------------------------------------------------------------------------

# marcin's partner: a client who left after four months, one who stays
ok kanal deal add --partner "Biuro Kowalski" --client "Hotel Mewa" --value 10000 \
    --signed 2025-03-01 --as marcin
expect_out 1
ok kanal deal add --partner 1 --client "Pensjonat Zacisze" --value 8000.00 --signed 2025-04-15 \
    --json --as marcin
expect_out '{"id":2}'
# the four months: any day from signing on, in the past too, before the won event
ok kanal deal end 1 --at 2025-07-01 --as marcin
expect_out "deal 1: ended on 2025-07-01"
# piotr's network: five clients signed on 2025-02-01, a sixth on 2025-08-01
_v=1000
for c in "Apteka Zdrowie" "Bistro Smak" "Czysty Dom" "Drukarnia Kolor" "Eko Ogród"; do
    ok kanal deal add --partner "Sieć Partnerska Nowak" --client "$c" --value $_v --signed 2025-02-01 \
        --as piotr
    _v=$((_v + 1000))
done
# a manager records the deals of any partner; a value with one decimal
ok kanal deal add --partner "Sieć Partnerska Nowak" --client "Fotografia Kadr" --value 6000.5 \
    --signed 2025-08-01 --as manny
expect_out 8

# what is kept: each deal on the partner's won opportunity, its value in hundredths
expect_sql "SELECT id, partner_id, opp_id, client, value_cents, signed_on, coalesce(ended_on, '-'), created_by FROM deals ORDER BY id" \
    "1|1|1|Hotel Mewa|1000000|2025-03-01|2025-07-01|marcin
2|1|1|Pensjonat Zacisze|800000|2025-04-15|-|marcin
3|2|2|Apteka Zdrowie|100000|2025-02-01|-|piotr
4|2|2|Bistro Smak|200000|2025-02-01|-|piotr
5|2|2|Czysty Dom|300000|2025-02-01|-|piotr
6|2|2|Drukarnia Kolor|400000|2025-02-01|-|piotr
7|2|2|Eko Ogród|500000|2025-02-01|-|piotr
8|2|2|Fotografia Kadr|600050|2025-08-01|-|manny"
# ... and as events of that opportunity, dated on their days, after the won event
expect_sql "SELECT seq, at, actor, type FROM events WHERE opp_id = 1 AND seq > 25 ORDER BY seq" \
    "26|2025-01-10T09:00:00Z|marcin|won
27|2025-03-01T00:00:00Z|marcin|deal_added
28|2025-04-15T00:00:00Z|marcin|deal_added
29|2025-07-01T00:00:00Z|marcin|deal_ended"
expect_sql "SELECT last_seq, last_event_at, status FROM opportunities WHERE id = 1" \
    "29|2025-07-01T00:00:00Z|won"

# the history shows them where they belong
ok kanal history 1 --json --as marcin
expect_json '$.events[25].type' won
expect_json '$.events[26].type' deal_added
expect_json '$.events[26].at' 2025-03-01T00:00:00Z
expect_json '$.events[26].data' '{"deal_id":1,"partner_id":1,"client":"Hotel Mewa","value":10000.00,"signed":"2025-03-01"}'
expect_json '$.events[28].data' '{"deal_id":1,"client":"Hotel Mewa","ended":"2025-07-01"}'
ok kanal history 1 --as marcin
expect_out_has " 28  2025-04-15 00:00  marcin"
expect_out_has "deal_added  deal_id=2, partner_id=1, client=Pensjonat Zacisze, value=8000.0, signed=2025-04-15"
expect_out_has "deal_ended  deal_id=1, client=Hotel Mewa, ended=2025-07-01"

# ---- refusals: each with its exit code and words, the database unchanged -------------------------

refuse 1 "partner 'Sieć Partnerska Nowak' is owned by piotr: only its owner or a manager records its deals (you are 'marcin')" \
    kanal deal add --partner "Sieć Partnerska Nowak" --client "Kawiarnia" --value 100 --signed 2025-05-01 --as marcin
refuse 1 "partner 'Sieć Partnerska Nowak' is owned by piotr: only its owner or a manager records its deals (you are 'marcin')" \
    kanal deal end 3 --at 2025-09-01 --as marcin
refuse 1 "partner 'Doradcy Wiśniewski' has no won opportunity: deals are the clients of won partners" \
    kanal deal add --partner "Doradcy Wiśniewski" --client "Kawiarnia" --value 100 --signed 2025-05-01 --as marcin
refuse 1 "deal 2 cannot end on 2025-04-14, before its client signed (2025-04-15)" \
    kanal deal end 2 --at 2025-04-14 --as marcin
refuse 1 "deal 1 (client 'Hotel Mewa') already ended on 2025-07-01" kanal deal end 1 --at 2025-08-01 --as marcin
refuse 1 "client 'Pensjonat Zacisze' of partner 'Biuro Kowalski' already has a deal that has not ended (deal 2)" \
    kanal deal add --partner "Biuro Kowalski" --client " Pensjonat Zacisze " --value 1 --signed 2025-06-01 --as marcin
refuse 3 "no partner 'Nikt' (name a partner by its id or its exact name)" \
    kanal deal add --partner Nikt --client "Kawiarnia" --value 100 --signed 2025-05-01 --as marcin
refuse 3 "no deal 99" kanal deal end 99 --at 2025-08-01 --as marcin
for v in 12,5 -5 1e3 12.505 12. .5 "" 12345678901234; do
    refuse 4 "invalid value '$v': write an amount such as 12500 or 12500.50 (at most 13 digits and two decimals, no sign, no separators)" \
        kanal deal add --partner 1 --client "Kawiarnia" --value "$v" --signed 2025-05-01 --as marcin
done
refuse 4 "invalid signing date '2025-02-30': write the day as YYYY-MM-DD" \
    kanal deal add --partner 1 --client "Kawiarnia" --value 100 --signed 2025-02-30 --as marcin
refuse 4 "invalid signing date '2025-05-01T10:00': write the day as YYYY-MM-DD" \
    kanal deal add --partner 1 --client "Kawiarnia" --value 100 --signed 2025-05-01T10:00 --as marcin
refuse 4 "signing date 2026-11-29 is in the future (today is 2026-11-28)" \
    kanal deal add --partner 1 --client "Kawiarnia" --value 100 --signed 2026-11-29 --as marcin
refuse 4 "end date 2026-12-01 is in the future (today is 2026-11-28)" kanal deal end 2 --at 2026-12-01 --as marcin
refuse 4 "invalid end date 'yesterday': write the day as YYYY-MM-DD" kanal deal end 2 --at yesterday --as marcin
refuse 4 "a deal needs the client's name" \
    kanal deal add --partner 1 --client "  " --value 100 --signed 2025-05-01 --as marcin
refuse_usage "missing --client NAME" kanal deal add --partner 1 --value 100 --signed 2025-05-01 --as marcin
refuse_usage "missing --signed DATE" kanal deal add --partner 1 --client X --value 100 --as marcin
refuse_usage "missing --at DATE" kanal deal end 2 --as marcin
refuse_usage "'two' is not a deal id (a positive number)" kanal deal end two --at 2025-08-01 --as marcin
refuse 1 "partner 'Sieć Partnerska Nowak' is owned by piotr: you ('marcin') see the deals of your own partners only" \
    kanal deal list --partner "Sieć Partnerska Nowak" --as marcin
refuse 1 "only a manager or an admin may run reports (you are 'marcin')" kanal report commission --as marcin
refuse 2 "the commission report takes --as-of and --partner: its deals are not narrowed by workflow" \
    kanal report commission --workflow $REF --as manny
refuse 2 "only the commission report is narrowed to a partner" kanal report funnel --partner 1 --as manny
refuse 3 "no partner 'Nikt' (name a partner by its id or its exact name)" kanal report commission --partner Nikt --as manny

# ---- lists ----------------------------------------------------------------------------------------

ok kanal deal list --as marcin
expect_out "ID  PARTNER         CLIENT                VALUE  SIGNED      ENDED       OPP  WORKFLOW           V
 1  Biuro Kowalski  Hotel Mewa         10000.00  2025-03-01  2025-07-01    1  referral_partners  1
 2  Biuro Kowalski  Pensjonat Zacisze   8000.00  2025-04-15  -             1  referral_partners  1"
ok kanal deal list --partner "Sieć Partnerska Nowak" --json --as manny
expect_len '$.deals' 6
expect_json '$.deals[5]' '{"id":8,"partner":"Sieć Partnerska Nowak","client":"Fotografia Kadr","value":6000.50,"signed":"2025-08-01","ended":null,"opportunity":2,"workflow":"referral_partners","version":1}'
ok kanal deal list --json --as manny
expect_len '$.deals' 8

# ---- the commission: Example 1's rule ---------------------------------------------------------------

# As of 2025-10-14, Biuro Kowalski's clients:
#   Hotel Mewa, signed 2025-03-01, left 2025-07-01: four months (six would end
#     2025-09-01)                                                          -> 0
#   Pensjonat Zacisze, signed 2025-04-15, stays: six months end 2025-10-15,
#     one day later                                                        -> 0
ok kanal report commission --partner "Biuro Kowalski" --as-of 2025-10-14 --json --as manny
expect_json '$.filters' '{"partner":"Biuro Kowalski"}'
expect_json '$.as_of' 2025-10-14T23:59:59Z
expect_json '$.rows' '[{"deal":1,"partner":"Biuro Kowalski","client":"Hotel Mewa","value":10000.00,"signed":"2025-03-01","ended":"2025-07-01","commission":0.00},{"deal":2,"partner":"Biuro Kowalski","client":"Pensjonat Zacisze","value":8000.00,"signed":"2025-04-15","ended":null,"commission":0.00}]'
# As of 2025-10-15 the stayer has six months to the day (one retained client:
# 15%): 8000.00 x 0.15 = 1200.00; seven months on (2025-11-15), the same.
for day in 2025-10-15 2025-11-15; do
    ok kanal report commission --partner 1 --as-of $day --json --as manny
    expect_json '$.rows[0].commission' 0.0
    expect_json '$.rows[1].commission' 1200.0
    expect_json '$.totals' '[{"partner":"Biuro Kowalski","deals":2,"value":18000.00,"commission":1200.00}]'
done
# As of 2025-06-30 Hotel Mewa had not left yet: the report shows it staying
# (ended null), and neither client had six months -> 0 and 0.
ok kanal report commission --partner 1 --as-of 2025-06-30 --json --as manny
expect_json '$.rows[0].ended' ''
expect_json '$.rows[0].commission' 0.0
# Before Pensjonat Zacisze signed, only Hotel Mewa is a deal.
ok kanal report commission --partner 1 --as-of 2025-04-14 --json --as manny
expect_len '$.rows' 1

# Sieć Partnerska Nowak as of 2025-11-30: five clients signed 2025-02-01 have
# stayed since 2025-08-01 (six months): five retained -> 20% each:
#   1000 x 0.2 = 200.00, 2000 -> 400.00, 3000 -> 600.00, 4000 -> 800.00,
#   5000 -> 1000.00; Fotografia Kadr (signed 2025-08-01, six months on
#   2026-02-01) -> 0. Total 3000.00 of 21000.50.
ok kanal report commission --partner "Sieć Partnerska Nowak" --as-of 2025-11-30 --json --as manny
expect_json '$.rows[0].commission' 200.0
expect_json '$.rows[2].commission' 600.0
expect_json '$.rows[4].commission' 1000.0
expect_json '$.rows[5].commission' 0.0
expect_json '$.totals' '[{"partner":"Sieć Partnerska Nowak","deals":6,"value":21000.50,"commission":3000.00}]'
# Eko Ogród in fact left on 2025-05-01, after three months (recorded late, in
# the past): it earns nothing, and four retained clients are 15%:
#   1000 x 0.15 = 150.00, 300.00, 450.00, 600.00; Eko Ogród 0; Kadr 0.
#   Total 1500.00.
ok kanal deal end 7 --at 2025-05-01 --as piotr
ok kanal report commission --partner 2 --as-of 2025-11-30 --json --as manny
expect_json '$.rows[0].commission' 150.0
expect_json '$.rows[3].commission' 600.0
expect_json '$.rows[4].ended' 2025-05-01
expect_json '$.rows[4].commission' 0.0
expect_json '$.totals[0].commission' 1500.0
# Today (2026-11-28) Fotografia Kadr is retained too: five retained clients again
# (Apteka, Bistro, Czysty Dom, Drukarnia, Kadr) -> 20%: 200, 400, 600, 800, Eko 0,
#   6000.50 x 0.2 = 1200.10. Total 3200.10.
ok kanal report commission --partner 2 --json --as manny
expect_json '$.rows[5].commission' 1200.1
expect_json '$.totals[0].commission' 3200.1

# every partner as of 2025-11-30: the totals, most commission first, and in words
ok kanal report commission --as-of 2025-11-30 --as manny
expect_out "Commission per deal, as of 2025-11-30 23:59 UTC

DEAL  PARTNER                CLIENT                VALUE  SIGNED      ENDED       COMMISSION
   1  Biuro Kowalski         Hotel Mewa         10000.00  2025-03-01  2025-07-01        0.00
   2  Biuro Kowalski         Pensjonat Zacisze   8000.00  2025-04-15  -              1200.00
   3  Sieć Partnerska Nowak  Apteka Zdrowie      1000.00  2025-02-01  -               150.00
   4  Sieć Partnerska Nowak  Bistro Smak         2000.00  2025-02-01  -               300.00
   5  Sieć Partnerska Nowak  Czysty Dom          3000.00  2025-02-01  -               450.00
   6  Sieć Partnerska Nowak  Drukarnia Kolor     4000.00  2025-02-01  -               600.00
   7  Sieć Partnerska Nowak  Eko Ogród           5000.00  2025-02-01  2025-05-01        0.00
   8  Sieć Partnerska Nowak  Fotografia Kadr     6000.50  2025-08-01  -                 0.00

Commission per partner

PARTNER                DEALS     VALUE  COMMISSION
Sieć Partnerska Nowak      6  21000.50     1500.00
Biuro Kowalski             2  18000.00     1200.00

8 deals of 2 partners signed by 2025-11-30 earn 2700.00 in all; each by the commission rule of the workflow version its partner was won under (none: 0)"
# the same rows in CSV; the chart of the totals; one page with both tables
ok kanal report commission --as-of 2025-11-30 --format csv --as manny
expect_out_has "deal,partner,client,value,signed,ended,commission"
expect_out_has "7,Sieć Partnerska Nowak,Eko Ogród,5000.00,2025-02-01,2025-05-01,0.00"
ok kanal report commission --as-of 2025-11-30 --format svg -o "$T/commission.svg" --as manny
checks=$((checks + 1))
grep -q "1500.00 (6 deals worth 21000.50)" "$T/commission.svg" || fail "the chart lacks the totals"
ok kanal report commission --as-of 2025-11-30 --format html --as manny
expect_out_has "<caption>Commission per partner</caption>"
# no deal by then
ok kanal report commission --as-of 2025-01-31 --json --as manny
expect_json '$.rows' '[]'
expect_json '$.totals' '[]'

# ---- the rule's answer must be a finite number of at least 0 ----------------------------------------

# "quick" (v1): won as soon as opened; its rules answer what the client's name asks for
mkdir "$T/quick"
cat >"$T/quick/quick.yaml" <<'EOF'
workflow: quick
name: Quick referrers
partner_types: [consultant]
rules: quick.lua
activity_types:
  - id: call
    name: Call
lost_reasons:
  - id: no
    name: No
stages:
  - id: only
    name: Only
EOF
cat >"$T/quick/quick.lua" <<'EOF'
return {
  commission = function(deal, partner, as_of)
    if deal.client == "minus" then return -1 end
    if deal.client == "nan" then return 0 / 0 end
    if deal.client == "text" then return "150" end
    if deal.client == "nothing" then return nil end
    if deal.client == "huge" then return 1e300 end
    return deal.value * 0.15
  end,
}
EOF
ok kanal workflow apply "$T/quick/quick.yaml" --as admin
expect_out "quick v1"
# won_quick OPP PARTNER: a new consultant PARTNER of marcin, its opportunity OPP won
won_quick() {
    ok kanal partner add "$2" --type consultant --as marcin
    ok kanal opp new --partner "$2" --workflow quick --at 2025-01-02 --as marcin
    ok kanal win "$1" --at 2025-01-03 --as marcin
}
# each bad answer from a partner of its own (opportunities 4 to 8, deals 9 to 13)
opp=4
for bad in "minus:-1" "nan:NaN" "text:a string" "nothing:nothing"; do
    won_quick $opp "K ${bad%%:*}"
    ok kanal deal add --partner "K ${bad%%:*}" --client "${bad%%:*}" --value 100 --signed 2025-02-01 --as marcin
    refuse 4 "rules error in hook 'commission' (quick.lua:2): it must return a finite number of at least 0 (it returned ${bad#*:})" \
        kanal report commission --partner "K ${bad%%:*}" --as manny
    opp=$((opp + 1))
done
won_quick 8 "K huge"
ok kanal deal add --partner "K huge" --client huge --value 100 --signed 2025-02-01 --as marcin
expect_out 13
refuse 4 "rules error in hook 'commission' of quick v1: the commission of deal 13 is 1e+300, more than Kanal counts (10000000000000)" \
    kanal report commission --partner "K huge" --as manny
# one bad deal fails the report of every partner: no total is shown with a deal missing
refuse 4 "rules error in hook 'commission' (quick.lua:2): it must return a finite number of at least 0 (it returned -1)" \
    kanal report commission --as manny
# ... but not before it was signed
ok kanal report commission --as-of 2025-01-31 --as manny

# the 15% rule, rounded to the hundredth half up: 12500.50 x 0.15 = 1875.075 -> 1875.08
# (1875.0749999999998 in the rule's doubles)
won_quick 9 "Konsultant"
ok kanal deal add --partner Konsultant --client "fine" --value 12500.50 --signed 2025-02-01 --as marcin
ok kanal report commission --partner Konsultant --json --as manny
expect_json '$.rows[0].commission' 1875.08

# ---- the version the partner was won under ------------------------------------------------------------

# quick v2 pays 10%: Konsultant, won under v1, keeps v1's 15% (1875.08); a partner
# won under v2 gets 10%: 100.00 x 0.10 = 10.00
cat >"$T/quick/quick.lua" <<'EOF'
return {
  commission = function(deal, partner, as_of)
    return deal.value * 0.10
  end,
}
EOF
ok kanal workflow apply "$T/quick/quick.yaml" --as admin
expect_out "quick v2"
won_quick 10 "Konsultant Dwa"
ok kanal deal add --partner "Konsultant Dwa" --client "fine" --value 100 --signed 2025-02-01 --as marcin
ok kanal report commission --partner Konsultant --json --as manny
expect_json '$.rows[0].commission' 1875.08
ok kanal report commission --partner "Konsultant Dwa" --json --as manny
expect_json '$.rows[0].commission' 10.0

# without a commission hook a deal earns nothing: the tiny workflow has no rules
ok kanal partner add "Dystrybutor" --type distributor --as marcin
run kanal batch --as marcin <<'EOF'
opp new --partner Dystrybutor --workflow tiny --at 2025-01-02T09:00
set 11 form=resale notes=ok --at 2025-01-02T09:30
log 11 call --at 2025-01-02T10:00
log 11 email --at 2025-01-02T10:30
log 11 call --at 2025-01-02T11:00
done 11 classified --at 2025-01-02T11:50
advance 11 --at 2025-01-02T12:00
done 11 signed --set margin=10 --set signed_on=2025-01-02 --at 2025-01-02T12:10
done 11 listed --at 2025-01-02T12:20
win 11 --at 2025-01-02T13:00
EOF
expect_rc 0
ok kanal deal add --partner Dystrybutor --client "Sklep" --value 999.99 --signed 2025-03-01 --as marcin
expect_out 16
ok kanal report commission --partner Dystrybutor --json --as manny
expect_json '$.rows[0].commission' 0.0
expect_json '$.totals' '[{"partner":"Dystrybutor","deals":1,"value":999.99,"commission":0.00}]'

# ---- a partner reassigned after it was won ----------------------------------------------------------

# Biuro Kowalski moves to piotr; its won opportunity stays marcin's. Now piotr
# records its deals (on marcin's won opportunity), and marcin no longer may.
ok kanal reassign --from marcin --to piotr --partner "Biuro Kowalski" --as manny
ok kanal deal add --partner "Biuro Kowalski" --client "Kancelaria Lex" --value 5000 --signed 2025-09-01 --as piotr
expect_out 17
expect_sql "SELECT opp_id FROM deals WHERE id = 17" 1
expect_sql "SELECT seq, actor, type FROM events WHERE opp_id = 1 ORDER BY seq DESC LIMIT 1" "30|piotr|deal_added"
expect_sql "SELECT owner, status, last_seq FROM opportunities WHERE id = 1" "marcin|won|30"
refuse 1 "partner 'Biuro Kowalski' is owned by piotr: only its owner or a manager records its deals (you are 'marcin')" \
    kanal deal end 17 --at 2025-10-01 --as marcin
ok kanal deal end 17 --at 2025-10-01 --as piotr
ok kanal deal list --partner "Biuro Kowalski" --json --as piotr
expect_len '$.deals' 3
# marcin keeps the deals of his other partners: the five K's, both Konsultants, Dystrybutor
ok kanal deal list --json --as marcin
expect_len '$.deals' 8

# ---- export, import, copy ------------------------------------------------------------------------------

# the history export carries the deals (CLIENT=VALUE on the day it signed, the
# client on the day it left), and a replay into a fresh database gives them back
ok kanal export csv events -o "$T/events.csv" --as manny
checks=$((checks + 1))
grep -q "^Biuro Kowalski,referral_partners,marcin,2025-03-01T00:00:00Z,deal,Hotel Mewa=10000.00,," "$T/events.csv" ||
    fail "the export lacks the deal of Hotel Mewa: $(grep ',deal' "$T/events.csv" | head -3)"
checks=$((checks + 1))
grep -q "^Biuro Kowalski,referral_partners,piotr,2025-10-01T00:00:00Z,deal_end,Kancelaria Lex,," "$T/events.csv" ||
    fail "the export lacks the end of Kancelaria Lex"
ok kanal export csv partners -o "$T/partners.csv" --as manny
DEALS="SELECT id, partner_id, opp_id, client, value_cents, signed_on, coalesce(ended_on, '-'), created_by FROM deals ORDER BY id"
sql "$DEALS" >"$T/deals.before"
FIRST=$KANAL_DB
KANAL_DB=$(new_db replay)
export KANAL_DB
setup_db
ok kanal workflow apply "$T/quick/quick.yaml" --as admin
ok kanal import csv partners "$T/partners.csv" --as manny
ok kanal import csv history "$T/events.csv" --as manny
checks=$((checks + 1))
sql "$DEALS" >"$T/deals.after"
cmp -s "$T/deals.before" "$T/deals.after" ||
    fail "the replayed deals differ: $(diff "$T/deals.before" "$T/deals.after" | head -5)"
ok kanal history 1 --json --as manny
expect_json '$.events[28].data' '{"deal_id":1,"client":"Hotel Mewa","ended":"2025-07-01"}'

# kanal db copy copies them, under the same numbers, and says so; the copy's
# commission report is the original's
KANAL_DB=$FIRST
COPY=$(new_db copy)
ok kanal db copy "$KANAL_DB" "$COPY"
expect_out_has " opportunities, 17 deals and "
ok kanal report commission --as-of 2025-11-30 --partner 2 --json --as manny
cp "$T/.out" "$T/commission.original"
ok kanal report commission --as-of 2025-11-30 --partner 2 --json --as manny --db "$COPY"
checks=$((checks + 1))
cmp -s "$T/.out" "$T/commission.original" || fail "the copy's commission report differs"
checks=$((checks + 1))
[ "$(sql_at "$COPY" "$DEALS")" = "$(cat "$T/deals.before")" ] || fail "the copy's deals differ"

finish
