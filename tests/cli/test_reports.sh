#!/bin/sh
# kanal report: what the manager learns from the record. The two cases of
# docs/domain.md replayed (Example 2: each rep's activities against his
# results, with the e-mail-first habit tested by Fisher's exact test; Example 1:
# the lost reasons by frequency), the funnel, stale opportunities and goals on
# a small hand-made history with known durations, the filters, who may run
# reports, and the formats.
#
# Every expected figure below was worked out by hand (and checked with
# Python's standard library), never by Kanal; the comment beside each says how.
#   rate      x/n, rounded to 4 decimals
#   Wilson    95% score interval, z = 1.959963984540054, p = x/n:
#             centre = (p + z²/2n) / (1 + z²/n)
#             half   = z / (1 + z²/n) · sqrt(p(1−p)/n + z²/4n²)
#             low, high = centre ∓ half, rounded to 4 decimals
#             Wilson(x of n) values used here:
#               7/10 [0.3968, 0.8922]   2/10 [0.0567, 0.5098]   4/20 [0.0807, 0.4160]
#               5/13 [0.1771, 0.6448]   4/13 [0.1268, 0.5763]   1/13 [0.0137, 0.3331]
#               3/7  [0.1582, 0.7495]   2/7  [0.0822, 0.6411]   1/7  [0.0257, 0.5131]
#               3/6  [0.1876, 0.8124]   2/6  [0.0968, 0.7000]   1/6  [0.0301, 0.5635]
#               4/8  [0.2152, 0.7848]   4/9  [0.1888, 0.7333]   2/4  [0.1500, 0.8500]
#               3/4  [0.3006, 0.9544]   1/3  [0.0615, 0.7923]   1/2  [0.0945, 0.9055]
#               2/2  [0.3424, 1]        1/1  [0.2065, 1]
#               0/1  [0, 0.7935]        0/2  [0, 0.6576]        0/3  [0, 0.5615]
#             (x = n: high = 1 exactly; x = 0: low = 0 exactly)
#   days      (left − entered) seconds / 86400; median = the middle value or
#             the mean of the two middle ones; p90 = the value at position
#             ceil(0.9·n) of the sorted list; both rounded to 2 decimals.
. "$KANAL_SOURCE_DIR/tests/cli/lifecycle.sh"
RX=$SRC/tests/fixtures/reports

# ---- helpers ------------------------------------------------------------------------------------

# is_number V: V is written as a number (digits, a dot, a minus).
is_number() {
    case "$1" in '' | *[!0-9.-]*) return 1 ;; *) return 0 ;; esac
}
# expect_row PATH KEY=VALUE...: in the last command's JSON, the object at PATH
# has each KEY with VALUE: a number is compared as a number (0.7 and 0.7000, 1
# and 1.0 are the same; within 1e-9), null/true/false by JSON type, anything
# else as a string.
expect_row() {
    _p=$1
    shift
    for _kv in "$@"; do
        _k=${_kv%%=*}
        _v=${_kv#*=}
        checks=$((checks + 1))
        _t=$(json_type "$_p.$_k")
        case "$_v" in
        null | true | false)
            [ "$_t" = "$_v" ] || fail "JSON $_p.$_k is '$(json "$_p.$_k")' ($_t), want $_v"
            ;;
        *)
            if is_number "$_v"; then
                _ok=$(sqlite3 :memory: "SELECT json_type(readfile('$T/.out'), '$_p.$_k') IN ('integer', 'real')
                    AND abs(json_extract(readfile('$T/.out'), '$_p.$_k') - ($_v)) < 0.000000001" 2>/dev/null)
                [ "$_ok" = 1 ] || fail "JSON $_p.$_k is '$(json "$_p.$_k")' ($_t), want the number $_v"
            else
                [ "$_t" = text ] && [ "$(json "$_p.$_k")" = "$_v" ] ||
                    fail "JSON $_p.$_k is '$(json "$_p.$_k")' ($_t), want '$_v'"
            fi
            ;;
        esac
    done
}
# expect_map PATH 'KEY=VALUE ...': the object at PATH holds exactly these keys
# (sorted by key in the expectation), numbers written with %g, null as null.
expect_map() {
    checks=$((checks + 1))
    _got=$(sqlite3 :memory: "SELECT json_type(readfile('$T/.out'), '$1') || ':' || coalesce((
        SELECT group_concat(e, ' ') FROM (
            SELECT key || '=' || CASE type WHEN 'null' THEN 'null'
                                           WHEN 'integer' THEN printf('%g', value)
                                           WHEN 'real' THEN printf('%g', value)
                                           ELSE quote(value) END AS e
            FROM json_each(readfile('$T/.out'), '$1') ORDER BY key)), '')" 2>/dev/null)
    [ "$_got" = "object:$2" ] || fail "JSON $1 is '$_got', want 'object:$2'"
}
# expect_len PATH N: the array at PATH has N elements.
expect_len() {
    checks=$((checks + 1))
    _got=$(sqlite3 :memory: "SELECT json_array_length(readfile('$T/.out'), '$1')" 2>/dev/null)
    [ "$_got" = "$2" ] || fail "JSON $1 has '$_got' elements, want $2"
}
# expect_filters KEY=VALUE...: $.filters has exactly the six keys, those
# named with these values, the others null.
expect_filters() {
    checks=$((checks + 1))
    _n=$(sqlite3 :memory: "SELECT count(*) FROM json_each(readfile('$T/.out'), '\$.filters')" 2>/dev/null)
    [ "$_n" = 6 ] || fail "JSON \$.filters has '$_n' keys, want 6 (workflow, version, owner, since, until, by)"
    for _f in workflow version owner since until by; do
        _want=null
        for _kv in "$@"; do
            [ "${_kv%%=*}" = "$_f" ] && _want=${_kv#*=}
        done
        expect_row '$.filters' "$_f=$_want"
    done
}
# expect_filter_set KEY: $.filters.KEY is given (a string, its exact form
# being the engine's: the time as written or normalised).
expect_filter_set() {
    checks=$((checks + 1))
    [ "$(json_type "\$.filters.$1")" = text ] || fail "JSON \$.filters.$1 is not set"
}
# expect_csv_header_has COLUMN...: the first line of stdout (CSV) has each COLUMN.
expect_csv_header_has() {
    _h=$(printf '%s\n' "$out" | head -n 1 | tr -d '\r')
    for _c in "$@"; do
        checks=$((checks + 1))
        case ",$_h," in *",$_c,"*) ;; *) fail "the CSV header lacks the column '$_c': $_h" ;; esac
    done
}
# report_db NAME: a fresh database (lib.sh's new_db NAME) with an admin, a manager
# and three channel reps; it becomes $KANAL_DB.
report_db() {
    KANAL_DB=$(new_db "$1")
    export KANAL_DB
    ok kanal init --admin admin --name "Ada Admin"
    ok kanal user add manny --name "Manny Manager" --role manager --as admin
    ok kanal user add marcin --name "Marcin Zieliński" --role channel_rep --as admin
    ok kanal user add piotr --name "Piotr Kamiński" --role channel_rep --as admin
    ok kanal user add krzysztof --name "Krzysztof Lewandowski" --role channel_rep --as admin
}

# ==== 1. Example 2 replayed: the distributors, each rep's activities against his results ========
# Three reps, ten distributor opportunities each on ten partners of their own.
# marcin e-mails the materials before the first call on every one and wins 7
# of 10; piotr and krzysztof phone first and win 2 of 10 each. Opportunity i
# of a rep (i = 1..10) is created on 2026-03-(i+1) at 08:00 and closed at
# 10:00 the same day; ids: marcin 1-10, piotr 11-20, krzysztof 21-30.
#   won, e-mail first (marcin, i = 1..7): email, call (first_contact), classify,
#     advance, email (send_materials), call (proposal_call), offer_accepted,
#     advance, contract_signed, first_order, activated, win
#     -> 2 e-mails and 2 calls each
#   lost, e-mail first (marcin, i = 8..10): email, call, lose -> 1 e-mail, 1 call
#   won, call first (piotr, krzysztof, i = 1..2): as above without the first
#     e-mail -> 2 calls and 1 e-mail each
#   lost, call first (piotr, krzysztof, i = 3..10): call, lose -> 1 call
#     (krzysztof's i = 10 also logs a meeting before it is lost)
export KANAL_NOW=2026-03-31T17:00:00Z
report_db example2
ok kanal workflow apply "$WF/distributors.yaml" "$WF/referral_partners.yaml" "$WF/wholesale.yaml" --as admin
n=0
for rep in marcin piotr krzysztof; do
    case $rep in marcin) wins=7 ;; *) wins=2 ;; esac
    i=1
    while [ $i -le 10 ]; do
        n=$((n + 1))
        d=$(printf '2026-03-%02d' $((i + 1)))
        p="Dystrybutor $rep $i"
        echo "partner add '$p' --type distributor --as $rep"
        echo "opp new --partner '$p' --workflow distributors --as $rep --at ${d}T08:00:00Z"
        [ $rep = marcin ] && echo "log $n email --note 'Articles and the infographic' --as $rep --at ${d}T08:10:00Z"
        echo "log $n call --as $rep --at ${d}T08:20:00Z"
        if [ $i -le $wins ]; then
            echo "done $n classify --set cooperation_form=resale --as $rep --at ${d}T08:30:00Z"
            echo "advance $n --as $rep --at ${d}T08:40:00Z"
            echo "log $n email --as $rep --at ${d}T08:50:00Z"
            echo "log $n call --as $rep --at ${d}T09:00:00Z"
            echo "done $n offer_accepted --set margin_pct=18 --as $rep --at ${d}T09:10:00Z"
            echo "advance $n --as $rep --at ${d}T09:20:00Z"
            echo "done $n contract_signed --as $rep --at ${d}T09:30:00Z"
            echo "done $n first_order --set first_order_value=10000 --as $rep --at ${d}T09:40:00Z"
            echo "done $n activated --as $rep --at ${d}T09:50:00Z"
            echo "win $n --as $rep --at ${d}T10:00:00Z"
        else
            [ $rep = krzysztof ] && [ $i = 10 ] && echo "log $n meeting --as $rep --at ${d}T08:30:00Z"
            if [ $rep = marcin ]; then r=margin_too_low; else r=competitor; fi
            echo "lose $n --reason $r --as $rep --at ${d}T10:00:00Z"
        fi
        i=$((i + 1))
    done
done >example2.kanal
ok kanal batch example2.kanal
# the setup is what the figures below assume
expect_sql "SELECT owner || ':' || status || ':' || count(*) FROM opportunities GROUP BY owner, status ORDER BY owner, status" \
    "krzysztof:lost:8
krzysztof:won:2
marcin:lost:3
marcin:won:7
piotr:lost:8
piotr:won:2"
expect_sql "SELECT count(*) FROM activities" 63 # 17+17 (marcin) + 12+2 (piotr) + 12+2+1 (krzysztof)

export KANAL_USER=manny
ok kanal report activities --json
expect_err ""
expect_json_valid
expect_json '$.report' activities
expect_json '$.as_of' 2026-03-31T17:00:00Z # the default: now ($KANAL_NOW)
expect_filters
expect_len '$.rows' 3
# rows by owner id: krzysztof, marcin, piotr. The three maps of every row have
# the same keys: each activity type logged on any opportunity the report covers
# (so that the CSV columns and the JSON keys agree from row to row); a type
# the owner never logged counts 0, and a first touch without a closed
# opportunity has a null win rate.
expect_row '$.rows[0]' owner=krzysztof opportunities=10 won=2 lost=8 open=0 \
    win_rate=0.2 win_rate_low=0.0567 win_rate_high=0.5098 # 2/(2+8); Wilson(2 of 10)
expect_map '$.rows[0].activities' 'call=12 email=2 meeting=1'   # 2 won × (2 calls, 1 e-mail) + 8 lost × 1 call; 1 meeting
expect_map '$.rows[0].first_touch' 'call=10 email=0 meeting=0'  # every one began with a call
expect_map '$.rows[0].win_rate_by_first_touch' 'call=0.2 email=null meeting=null' # 2 of 10; 0 of 0; 0 of 0
expect_row '$.rows[1]' owner=marcin opportunities=10 won=7 lost=3 open=0 \
    win_rate=0.7 win_rate_low=0.3968 win_rate_high=0.8922 # 7/(7+3); Wilson(7 of 10)
expect_map '$.rows[1].activities' 'call=17 email=17 meeting=0'  # 7 won × (2 e-mails, 2 calls) + 3 lost × (1 e-mail, 1 call); meeting=0: every type the report covers is a key
expect_map '$.rows[1].first_touch' 'call=0 email=10 meeting=0'  # every one began with an e-mail
expect_map '$.rows[1].win_rate_by_first_touch' 'call=null email=0.7 meeting=null' # 0 of 0; 7 of 10
expect_row '$.rows[2]' owner=piotr opportunities=10 won=2 lost=8 open=0 \
    win_rate=0.2 win_rate_low=0.0567 win_rate_high=0.5098 # 2/(2+8); Wilson(2 of 10)
expect_map '$.rows[2].activities' 'call=12 email=2 meeting=0'   # as krzysztof without the meeting: meeting 0
expect_map '$.rows[2].first_touch' 'call=10 email=0 meeting=0'
expect_map '$.rows[2].win_rate_by_first_touch' 'call=0.2 email=null meeting=null'
# first touch over all 30: call first 20 (4 won, 16 lost), e-mail first 10 (7 won, 3 lost).
# Fisher's exact test, two-sided, on the 2×2 table
#                 won  lost
#   e-mail first    7     3    (10)
#   otherwise       4    16    (20)
#                  11    19    (30)
# P(a) = C(10,a)·C(20,11−a)/C(30,11) for a = 0..10 e-mail-first wins:
#   a=0 .003075  1 .033821  2 .138359  3 .276719  4 .298005  5 .178803
#   6 .059601  7 .010643  8 .000939  9 .0000348  10 .00000037
# tables no more likely than the observed P(7) = .010643: a = 0, 7, 8, 9, 10
# p = 40129/2731365 = 0.0146919 -> 0.0147 (the same table, rows swapped, for call first)
expect_len '$.first_touch_comparison' 2
expect_row '$.first_touch_comparison[0]' type=call opportunities=20 won=4 lost=16 \
    win_rate=0.2 win_rate_low=0.0807 win_rate_high=0.416 p=0.0147 # 4/20; Wilson(4 of 20); Fisher as above
expect_row '$.first_touch_comparison[1]' type=email opportunities=10 won=7 lost=3 \
    win_rate=0.7 win_rate_low=0.3968 win_rate_high=0.8922 p=0.0147 # 7/10; Wilson(7 of 10); Fisher as above
# --format json is --json
cp "$T/.out" activities.json
ok kanal report activities --format json
checks=$((checks + 1))
[ "$out" = "$(cat activities.json)" ] || fail "--format json differs from --json"

# the table: the comparison in words; every rate rests on 10 or more closed
# opportunities, so nothing is a small sample
ok kanal report activities
expect_err ""
expect_out_has krzysztof
expect_out_has marcin
expect_out_has piotr
expect_out_has "7 of 10 won vs 4 of 20 otherwise"  # e-mail first: 7 won of 10; the others 4 won of 20
expect_out_has "4 of 20 won vs 7 of 10 otherwise"  # call first
expect_out_has "p = 0.015"                         # p = 0.0146919, shown as in the issue's example
expect_out_lacks "small sample"

# one owner: the comparison has nothing to compare against, so p is null
ok kanal report activities --owner marcin --json
expect_filters owner=marcin
expect_len '$.rows' 1
expect_row '$.rows[0]' owner=marcin opportunities=10 won=7 lost=3 open=0 win_rate=0.7
expect_len '$.first_touch_comparison' 1
expect_row '$.first_touch_comparison[0]' type=email opportunities=10 won=7 lost=3 \
    win_rate=0.7 win_rate_low=0.3968 win_rate_high=0.8922 p=null # no other first touch: no 2×2 table

# as of 2026-03-02T09:05: only each rep's first opportunity exists, open in
# Proposal, its activities up to 09:00 logged; no closed one, so every rate,
# interval and p is null
ok kanal report activities --as-of 2026-03-02T09:05:00Z --json
expect_json '$.as_of' 2026-03-02T09:05:00Z
expect_len '$.rows' 3
expect_row '$.rows[0]' owner=krzysztof opportunities=1 won=0 lost=0 open=1 win_rate=null win_rate_low=null win_rate_high=null
expect_map '$.rows[0].activities' 'call=2 email=1'  # call 08:20, e-mail 08:50, call 09:00
expect_map '$.rows[0].first_touch' 'call=1 email=0'
expect_map '$.rows[0].win_rate_by_first_touch' 'call=null email=null' # 0 closed
expect_row '$.rows[1]' owner=marcin opportunities=1 won=0 lost=0 open=1 win_rate=null win_rate_low=null win_rate_high=null
expect_map '$.rows[1].activities' 'call=2 email=2'  # e-mail 08:10, call 08:20, e-mail 08:50, call 09:00
expect_map '$.rows[1].first_touch' 'call=0 email=1'
expect_map '$.rows[1].win_rate_by_first_touch' 'call=null email=null'
expect_row '$.rows[2]' owner=piotr opportunities=1 won=0 lost=0 open=1 win_rate=null
expect_map '$.rows[2].activities' 'call=2 email=1'
expect_len '$.first_touch_comparison' 2
expect_row '$.first_touch_comparison[0]' type=call opportunities=2 won=0 lost=0 \
    win_rate=null win_rate_low=null win_rate_high=null p=null # 2 opportunities (piotr's, krzysztof's), none closed
expect_row '$.first_touch_comparison[1]' type=email opportunities=1 won=0 lost=0 \
    win_rate=null win_rate_low=null win_rate_high=null p=null

# ---- --since / --until: bounds on the creation time, inclusive -------------------------------------
# up to 2026-03-03T08:00:00Z exactly: i = 1 (03-02 08:00) and i = 2 (03-03 08:00,
# on the bound) of each rep, all six won
ok kanal report activities --until 2026-03-03T08:00:00Z --json
expect_filter_set until
expect_row '$.filters' since=null workflow=null owner=null
expect_len '$.rows' 3
expect_row '$.rows[0]' owner=krzysztof opportunities=2 won=2 lost=0 open=0 \
    win_rate=1 win_rate_low=0.3424 win_rate_high=1 # 2/2; Wilson(2 of 2)
expect_row '$.rows[1]' owner=marcin opportunities=2 won=2 lost=0 open=0 \
    win_rate=1 win_rate_low=0.3424 win_rate_high=1
expect_map '$.rows[1].activities' 'call=4 email=4'    # 2 won × (2 e-mails, 2 calls)
expect_row '$.rows[2]' owner=piotr opportunities=2 won=2 lost=0 open=0 win_rate=1
# the same in a table: 2 closed opportunities a rep is a small sample
ok kanal report activities --until 2026-03-03T08:00:00Z
expect_out_has "small sample"
# from 2026-03-10 (a date: from its start): i = 9 (03-10 08:00) and i = 10 (03-11), all lost
ok kanal report activities --since 2026-03-10 --json
expect_filter_set since
expect_len '$.rows' 3
expect_row '$.rows[0]' owner=krzysztof opportunities=2 won=0 lost=2 open=0 \
    win_rate=0 win_rate_low=0 win_rate_high=0.6576 # 0/2; Wilson(0 of 2)
expect_map '$.rows[0].activities' 'call=2 email=0 meeting=1'  # a call each; the meeting on i = 10
expect_map '$.rows[0].first_touch' 'call=2 email=0 meeting=0'
expect_row '$.rows[1]' owner=marcin opportunities=2 won=0 lost=2 open=0 win_rate=0 win_rate_low=0 win_rate_high=0.6576
expect_map '$.rows[1].activities' 'call=2 email=2 meeting=0'
expect_map '$.rows[2].activities' 'call=2 email=0 meeting=0'            # piotr: email and meeting 0
expect_map '$.rows[2].first_touch' 'call=2 email=0 meeting=0'
# both bounds: i = 9 only (created 2026-03-10T08:00:00Z, on the upper bound)
ok kanal report activities --since 2026-03-10 --until 2026-03-10T08:00:00Z --json
expect_row '$.rows[0]' owner=krzysztof opportunities=1 won=0 lost=1
expect_map '$.rows[0].activities' 'call=1 email=0'            # the meeting was on i = 10
expect_map '$.rows[0].first_touch' 'call=1 email=0'
expect_row '$.rows[1]' owner=marcin opportunities=1 won=0 lost=1
expect_row '$.rows[2]' owner=piotr opportunities=1 won=0 lost=1

# ---- CSV and -o FILE ---------------------------------------------------------------------------
ok kanal report activities --format csv
expect_err ""
expect_csv_header_has owner opportunities won lost open win_rate win_rate_low win_rate_high \
    activities.call activities.email activities.meeting first_touch.call first_touch.email \
    win_rate_by_first_touch.call win_rate_by_first_touch.email
checks=$((checks + 1))
_owners=$(printf '%s\n' "$out" | tr -d '\r' | sed 1d | cut -d, -f1 | tr '\n' ' ')
[ "$_owners" = "krzysztof marcin piotr " ] || fail "the CSV rows are for '$_owners', want krzysztof, marcin, piotr"
# -o FILE writes what stdout gets, byte for byte
"$KANAL_BIN" report activities --json >stdout.json
"$KANAL_BIN" report activities --format csv >stdout.csv
ok kanal report activities --json -o report.json
expect_out ""
expect_err ""
checks=$((checks + 1))
cmp -s report.json stdout.json || fail "report activities --json -o writes other bytes than stdout"
ok kanal report activities --format csv -o report.csv
expect_out ""
checks=$((checks + 1))
cmp -s report.csv stdout.csv || fail "report activities --format csv -o writes other bytes than stdout"
# (on SQLite the database is a file a report could be written over; on PostgreSQL it is not)
case "$KANAL_DB" in
postgresql://*) ;;
*) refuse 2 "refusing to write to '$KANAL_DB': it is the database" kanal report activities -o "$KANAL_DB" ;;
esac

# ---- an open opportunity without activity, and --as-of before it -----------------------------------
ok kanal partner add "Dystrybutor piotr 11" --type distributor --as piotr
ok kanal opp new --partner "Dystrybutor piotr 11" --workflow distributors --as piotr --at 2026-03-20T08:00:00Z # 31
ok kanal report activities --json
expect_row '$.rows[2]' owner=piotr opportunities=11 won=2 lost=8 open=1 \
    win_rate=0.2 win_rate_low=0.0567 win_rate_high=0.5098 # still 2 of 10 closed
expect_map '$.rows[2].first_touch' 'call=10 email=0 meeting=0'  # no activity: no first touch
expect_map '$.rows[2].activities' 'call=12 email=2 meeting=0'
expect_row '$.first_touch_comparison[0]' type=call opportunities=20 won=4 lost=16 p=0.0147 # as before
ok kanal report activities --as-of 2026-03-19T00:00:00Z --json
expect_row '$.rows[2]' owner=piotr opportunities=10 won=2 lost=8 open=0 # 31 did not exist yet

# ---- who may run reports, and what is refused ------------------------------------------------------
refuse 1 "only a manager or an admin may run reports (you are 'marcin')" kanal report activities --as marcin
refuse 1 "only a manager or an admin may run reports (you are 'piotr')" kanal report stale --json --as piotr
ok kanal report activities --json --as admin
expect_len '$.rows' 3

# the list: one line a report, in this order (a hint may follow them)
ok kanal report
expect_err ""
checks=$((checks + 1))
_got=$(printf '%s\n' "$out" | head -n 7 | awk '{ printf "%s%s", (NR > 1 ? " " : ""), $1 }')
[ "$_got" = "activities commission compare funnel goals lost-reasons stale" ] ||
    fail "the first seven lines begin with '$_got', want activities, commission, compare, funnel, goals, lost-reasons, stale"

# an unknown report: its name and the known ones
db_snapshot
run kanal report revenue
checks=$((checks + 1))
case "$rc" in 2 | 3) ;; *) fail "exit code $rc, want 2 or 3" ;; esac
expect_out ""
expect_err_has "kanal: error: "
expect_err_has "'revenue'"
expect_err_has "activities, commission, compare, funnel, goals, lost-reasons, stale"
expect_db_unchanged
# a near miss: named (the known list or a suggestion, as the house does)
run kanal report lost_reason
checks=$((checks + 1))
case "$rc" in 2 | 3) ;; *) fail "exit code $rc, want 2 or 3" ;; esac
expect_out ""
expect_err_has "'lost-reasons'"

refuse 3 "unknown workflow 'distributor' (did you mean 'distributors'?)" \
    kanal report activities --workflow distributor
refuse 3 "unknown workflow 'nope' (known: distributors, referral_partners, wholesale)" \
    kanal report funnel --workflow nope
# unknown user 'ghost' (a list of the known users may follow)
for _r in activities stale; do
    db_snapshot
    run kanal report $_r --owner ghost --json
    expect_rc 3
    expect_out ""
    expect_err_has "kanal: error: unknown user 'ghost'"
    expect_db_unchanged
done
# distributors has only v1
db_snapshot
run kanal report funnel --workflow distributors --version 2
expect_rc 3
expect_out ""
expect_err_has "version 2"
expect_db_unchanged
# --version needs --workflow
db_snapshot
run kanal report activities --version 1
expect_rc 2
expect_out ""
expect_err_has "--workflow"
expect_db_unchanged
# --by is stage or owner
db_snapshot
run kanal report lost-reasons --by reason
expect_rc 2
expect_out ""
expect_err_has "kanal: error: "
expect_db_unchanged
# --workflow on activities: only distributors opportunities exist, so the same rows
ok kanal report activities --workflow distributors --json
expect_filters workflow=distributors
expect_row '$.rows[1]' owner=marcin opportunities=10 won=7 lost=3
ok kanal report activities --workflow wholesale --json
expect_filters workflow=wholesale
expect_len '$.rows' 0                                  # a known workflow without opportunities: no rows

# ==== 2. Example 1 replayed: referral partners, why they said no =================================
# 13 lost opportunities of two owners in three stages (and one open, which no
# lost-reasons figure counts). Opportunity, owner, stage it was lost in, reason:
#    1 marcin awareness unclear_terms      8 piotr awareness unclear_terms
#    2 marcin awareness unclear_terms      9 piotr proposal  unclear_terms
#    3 marcin proposal  unclear_terms     10 piotr proposal  margin_too_low
#    4 marcin proposal  margin_too_low    11 piotr awareness margin_too_low
#    5 marcin proposal  margin_too_low    12 piotr proposal  no_clients
#    6 marcin training  failed_quiz       13 piotr awareness no_response
#    7 marcin awareness other (a note)    14 piotr awareness (open)
# Totals: unclear_terms 5, margin_too_low 4, failed_quiz 1, no_clients 1,
# no_response 1, other 1 (the four with 1 in reason id order, which is not the
# workflow's order: no_clients comes before failed_quiz there).
export KANAL_NOW=2026-04-30T12:00:00Z
report_db example1
ok kanal workflow apply "$WF/referral_partners.yaml" "$WF/distributors.yaml" --as admin
# leave_awareness N DAY REP / leave_proposal N DAY REP: the steps that take
# opportunity N out of the stage on DAY.
leave_awareness() {
    echo "log $1 call --as $3 --at $2T09:10:00Z"
    echo "log $1 email --as $3 --at $2T09:20:00Z"
    echo "done $1 classify --set cooperation_form=referral --as $3 --at $2T09:30:00Z"
    echo "advance $1 --as $3 --at $2T09:40:00Z"
}
leave_proposal() {
    echo "log $1 email --as $3 --at $2T10:00:00Z"
    echo "log $1 meeting --as $3 --at $2T10:10:00Z"
    echo "done $1 offer_accepted --set referral_fee_pct=18 --set min_client_months=6 --as $3 --at $2T10:20:00Z"
    echo "advance $1 --as $3 --at $2T10:30:00Z"
}
# lost N REP STAGE REASON: a lost opportunity N on partner "Polecający N", on 2026-04-N.
lost() {
    _d=$(printf '2026-04-%02d' "$1")
    echo "partner add 'Polecający $1' --type referrer --as $2"
    echo "opp new --partner 'Polecający $1' --workflow referral_partners --as $2 --at ${_d}T09:00:00Z"
    case $3 in
    proposal) leave_awareness "$1" "$_d" "$2" ;;
    training)
        leave_awareness "$1" "$_d" "$2"
        leave_proposal "$1" "$_d" "$2"
        echo "log $1 training --as $2 --at ${_d}T10:40:00Z"
        ;;
    esac
    if [ "$4" = other ]; then _note="--note 'Moved abroad'"; else _note=""; fi
    echo "lose $1 --reason $4 $_note --as $2 --at ${_d}T11:00:00Z"
}
{
    lost 1 marcin awareness unclear_terms
    lost 2 marcin awareness unclear_terms
    lost 3 marcin proposal unclear_terms
    lost 4 marcin proposal margin_too_low
    lost 5 marcin proposal margin_too_low
    lost 6 marcin training failed_quiz
    lost 7 marcin awareness other
    lost 8 piotr awareness unclear_terms
    lost 9 piotr proposal unclear_terms
    lost 10 piotr proposal margin_too_low
    lost 11 piotr awareness margin_too_low
    lost 12 piotr proposal no_clients
    lost 13 piotr awareness no_response
    echo "partner add 'Polecający 14' --type agency --as piotr"
    echo "opp new --partner 'Polecający 14' --workflow referral_partners --as piotr --at 2026-04-14T09:00:00Z"
} >example1.kanal
ok kanal batch example1.kanal
expect_sql "SELECT id || ':' || stage || ':' || coalesce(lost_reason, '-') FROM opportunities ORDER BY id" \
    "$(printf '%s\n' 1:awareness:unclear_terms 2:awareness:unclear_terms 3:proposal:unclear_terms \
        4:proposal:margin_too_low 5:proposal:margin_too_low 6:training:failed_quiz 7:awareness:other \
        8:awareness:unclear_terms 9:proposal:unclear_terms 10:proposal:margin_too_low \
        11:awareness:margin_too_low 12:proposal:no_clients 13:awareness:no_response 14:awareness:-)"

export KANAL_USER=manny
ok kanal report lost-reasons --json
expect_err ""
expect_json '$.report' lost-reasons
expect_json '$.as_of' 2026-04-30T12:00:00Z
expect_filters
expect_len '$.rows' 6
# count descending, then reason id ascending; lost = 13 (the open one is not counted)
expect_row '$.rows[0]' reason=unclear_terms "name=Terms unclear to the partner" count=5 lost=13 \
    share=0.3846 share_low=0.1771 share_high=0.6448 # 5/13 = 0.384615; Wilson(5 of 13)
expect_row '$.rows[1]' reason=margin_too_low "name=Referral fee too low" count=4 lost=13 \
    share=0.3077 share_low=0.1268 share_high=0.5763 # 4/13 = 0.307692; Wilson(4 of 13)
expect_row '$.rows[2]' reason=failed_quiz "name=Did not pass the knowledge check" count=1 lost=13 \
    share=0.0769 share_low=0.0137 share_high=0.3331 # 1/13 = 0.076923; Wilson(1 of 13)
expect_row '$.rows[3]' reason=no_clients "name=Partner has no matching clients" count=1 lost=13 \
    share=0.0769 share_low=0.0137 share_high=0.3331
expect_row '$.rows[4]' reason=no_response "name=Partner stopped responding" count=1 lost=13 share=0.0769
expect_row '$.rows[5]' reason=other name=Other count=1 lost=13 share=0.0769
# the two reasons of Example 1 come first in the table too
ok kanal report lost-reasons
expect_out_has "unclear_terms"
expect_out_has "Terms unclear to the partner"
checks=$((checks + 1))
_first=$(printf '%s\n' "$out" | grep -o -w -E 'unclear_terms|margin_too_low|failed_quiz|no_clients|no_response|other' | tr '\n' ' ')
[ "$_first" = "unclear_terms margin_too_low failed_quiz no_clients no_response other " ] ||
    fail "the table lists the reasons in the order '$_first'"

# one owner: marcin lost 7 (1-7)
ok kanal report lost-reasons --owner marcin --json
expect_filters owner=marcin
expect_len '$.rows' 4
expect_row '$.rows[0]' reason=unclear_terms count=3 lost=7 share=0.4286 share_low=0.1582 share_high=0.7495 # 3/7; Wilson(3 of 7)
expect_row '$.rows[1]' reason=margin_too_low count=2 lost=7 share=0.2857 share_low=0.0822 share_high=0.6411 # 2/7; Wilson(2 of 7)
expect_row '$.rows[2]' reason=failed_quiz count=1 lost=7 share=0.1429 share_low=0.0257 share_high=0.5131 # 1/7; Wilson(1 of 7)
expect_row '$.rows[3]' reason=other count=1 lost=7 share=0.1429
# piotr lost 6 (8-13): margin_too_low and unclear_terms tie at 2, so by id
ok kanal report lost-reasons --owner piotr --json
expect_len '$.rows' 4
expect_row '$.rows[0]' reason=margin_too_low count=2 lost=6 share=0.3333 share_low=0.0968 share_high=0.7 # 2/6; Wilson(2 of 6)
expect_row '$.rows[1]' reason=unclear_terms count=2 lost=6 share=0.3333 share_low=0.0968 share_high=0.7
expect_row '$.rows[2]' reason=no_clients count=1 lost=6 share=0.1667 share_low=0.0301 share_high=0.5635 # 1/6; Wilson(1 of 6)
expect_row '$.rows[3]' reason=no_response count=1 lost=6 share=0.1667

# by stage, in process order: awareness lost 6 (1, 2, 7, 8, 11, 13), proposal
# lost 6 (3, 4, 5, 9, 10, 12), training lost 1 (6); launch lost none: no rows
ok kanal report lost-reasons --by stage --json
expect_filters by=stage
expect_len '$.rows' 8
expect_row '$.rows[0]' stage=awareness reason=unclear_terms count=3 lost=6 share=0.5 share_low=0.1876 share_high=0.8124 # 1, 2, 8: 3/6; Wilson(3 of 6)
expect_row '$.rows[1]' stage=awareness reason=margin_too_low count=1 lost=6 share=0.1667 share_low=0.0301 share_high=0.5635 # 11: 1/6
expect_row '$.rows[2]' stage=awareness reason=no_response count=1 lost=6 share=0.1667 # 13
expect_row '$.rows[3]' stage=awareness reason=other count=1 lost=6 share=0.1667      # 7
expect_row '$.rows[4]' stage=proposal reason=margin_too_low count=3 lost=6 share=0.5 share_low=0.1876 share_high=0.8124 # 4, 5, 10
expect_row '$.rows[5]' stage=proposal reason=unclear_terms count=2 lost=6 share=0.3333 share_low=0.0968 share_high=0.7 # 3, 9: 2/6
expect_row '$.rows[6]' stage=proposal reason=no_clients count=1 lost=6 share=0.1667  # 12
expect_row '$.rows[7]' stage=training reason=failed_quiz "name=Did not pass the knowledge check" count=1 lost=1 \
    share=1 share_low=0.2065 share_high=1 # 6: 1/1; Wilson(1 of 1)
# the stage is the first key of a row
checks=$((checks + 1))
[ "$(sqlite3 :memory: "SELECT key FROM json_each(readfile('$T/.out'), '\$.rows[0]') LIMIT 1")" = stage ] ||
    fail "the first key of a --by stage row is not 'stage'"

# by owner, owners by id: marcin's 4 rows, then piotr's 4 (as with --owner)
ok kanal report lost-reasons --by owner --json
expect_filters by=owner
expect_len '$.rows' 8
expect_row '$.rows[0]' owner=marcin reason=unclear_terms count=3 lost=7 share=0.4286 share_low=0.1582 share_high=0.7495
expect_row '$.rows[1]' owner=marcin reason=margin_too_low count=2 lost=7 share=0.2857
expect_row '$.rows[2]' owner=marcin reason=failed_quiz count=1 lost=7 share=0.1429
expect_row '$.rows[3]' owner=marcin reason=other count=1 lost=7 share=0.1429
expect_row '$.rows[4]' owner=piotr reason=margin_too_low count=2 lost=6 share=0.3333 share_low=0.0968 share_high=0.7
expect_row '$.rows[5]' owner=piotr reason=unclear_terms count=2 lost=6 share=0.3333
expect_row '$.rows[6]' owner=piotr reason=no_clients count=1 lost=6 share=0.1667 share_low=0.0301 share_high=0.5635
expect_row '$.rows[7]' owner=piotr reason=no_response count=1 lost=6 share=0.1667
checks=$((checks + 1))
[ "$(sqlite3 :memory: "SELECT key FROM json_each(readfile('$T/.out'), '\$.rows[0]') LIMIT 1")" = owner ] ||
    fail "the first key of a --by owner row is not 'owner'"
# by owner, for one owner
ok kanal report lost-reasons --by owner --owner piotr --json
expect_filters by=owner owner=piotr
expect_len '$.rows' 4
expect_row '$.rows[0]' owner=piotr reason=margin_too_low count=2 lost=6
# as of 2026-04-05T12:00: 1-5 lost (the 1st-5th, at 11:00), 6 and later not yet
# created: unclear_terms 3 (1, 2, 3), margin_too_low 2 (4, 5) of 5
ok kanal report lost-reasons --as-of 2026-04-05T12:00:00Z --json
expect_len '$.rows' 2
expect_row '$.rows[0]' reason=unclear_terms count=3 lost=5 share=0.6 # 3/5
expect_row '$.rows[1]' reason=margin_too_low count=2 lost=5 share=0.4 # 2/5

# funnel and goals need one workflow: with opportunities of two workflows, say --workflow
ok kanal partner add "Dystrybucja Beta" --type distributor --as marcin
ok kanal opp new --partner "Dystrybucja Beta" --workflow distributors --as marcin --at 2026-04-20T09:00:00Z
db_snapshot
run kanal report funnel
expect_rc 2
expect_out ""
expect_err_has "--workflow"
expect_db_unchanged
db_snapshot
run kanal report goals --json
expect_rc 2
expect_out ""
expect_err_has "--workflow"
expect_db_unchanged
ok kanal report funnel --workflow referral_partners --json
expect_filters workflow=referral_partners
expect_len '$.rows' 4 # awareness, proposal, training, launch
# and lost-reasons keeps to the workflow asked for (the new one is open anyway)
ok kanal report lost-reasons --workflow referral_partners --json
expect_len '$.rows' 6
expect_row '$.rows[0]' reason=unclear_terms count=5 lost=13

# ==== 3-5. A small hand-made history: funnel, stale, goals ======================================
# tests/fixtures/reports/pipeline.yaml: lead (max 3 days) -> offer (max 7) -> close (max 10).
# Opportunity (partner "Agencja X"), owner, steps (2026-06):
#   1 A marcin  new 01 09:00, call 01 10:00, e-mail 01 11:00, advance 02 09:00 (lead 1 day),
#               offer_sent 03 09:00, demo 03 10:00, advance 04 09:00 (offer 2 days),
#               signed 05 09:00, won 08 09:00 (close 4 days)
#   2 B marcin  new 01 09:00, call 01 10:00, advance 03 09:00 (lead 2 days), offer_sent 04 09:00,
#               advance 07 09:00 (offer 4 days), lost 17 17:00 too_expensive (close 10 d 8 h = 10.3333)
#   3 C piotr   new 01 09:00, call 01 10:00, e-mail 01 11:00, advance 05 09:00 (lead 4 days),
#               lost 15 09:00 no_interest (offer 10 days)
#   4 D piotr   new 01 09:00, lost 11 09:00 no_interest (lead 10 days)
#   5 E piotr   new 10 09:00, call 10 10:00, advance 11 17:00 (lead 1 d 8 h = 1.3333); open in offer
#   6 F marcin  new 20 09:00; reassigned to piotr 28 00:00; e-mail 29 08:00 (by piotr); open in lead
#   7 G piotr   new 25 09:00, e-mail 26 10:00; open in lead
#   8 H marcin  new 27 12:00; open in lead (exactly 3 days at now: not stale)
# Goals done (a call completes contacted, an e-mail brochure):
#   contacted A B C E, brochure A C F G, offer_sent A B, demo A, signed A
export KANAL_NOW=2026-06-30T12:00:00Z
report_db pipeline
ok kanal workflow apply "$RX/pipeline.yaml" --as admin
cat >pipeline.kanal <<'EOF'
partner add "Agencja A" --type agency --as marcin
partner add "Agencja B" --type agency --as marcin
partner add "Agencja C" --type agency --as piotr
partner add "Agencja D" --type agency --as piotr
partner add "Agencja E" --type agency --as piotr
partner add "Agencja F" --type agency --as marcin
partner add "Agencja G" --type agency --as piotr
partner add "Agencja H" --type agency --as marcin
opp new --partner "Agencja A" --workflow pipeline --as marcin --at 2026-06-01T09:00:00Z
opp new --partner "Agencja B" --workflow pipeline --as marcin --at 2026-06-01T09:00:00Z
opp new --partner "Agencja C" --workflow pipeline --as piotr --at 2026-06-01T09:00:00Z
opp new --partner "Agencja D" --workflow pipeline --as piotr --at 2026-06-01T09:00:00Z
opp new --partner "Agencja E" --workflow pipeline --as piotr --at 2026-06-10T09:00:00Z
opp new --partner "Agencja F" --workflow pipeline --as marcin --at 2026-06-20T09:00:00Z
opp new --partner "Agencja G" --workflow pipeline --as piotr --at 2026-06-25T09:00:00Z
opp new --partner "Agencja H" --workflow pipeline --as marcin --at 2026-06-27T12:00:00Z
# A: won
log 1 call --as marcin --at 2026-06-01T10:00:00Z
log 1 email --as marcin --at 2026-06-01T11:00:00Z
advance 1 --as marcin --at 2026-06-02T09:00:00Z
done 1 offer_sent --as marcin --at 2026-06-03T09:00:00Z
done 1 demo --as marcin --at 2026-06-03T10:00:00Z
advance 1 --as marcin --at 2026-06-04T09:00:00Z
done 1 signed --as marcin --at 2026-06-05T09:00:00Z
win 1 --as marcin --at 2026-06-08T09:00:00Z
# B: lost in close
log 2 call --as marcin --at 2026-06-01T10:00:00Z
advance 2 --as marcin --at 2026-06-03T09:00:00Z
done 2 offer_sent --as marcin --at 2026-06-04T09:00:00Z
advance 2 --as marcin --at 2026-06-07T09:00:00Z
lose 2 --reason too_expensive --as marcin --at 2026-06-17T17:00:00Z
# C: lost in offer
log 3 call --as piotr --at 2026-06-01T10:00:00Z
log 3 email --as piotr --at 2026-06-01T11:00:00Z
advance 3 --as piotr --at 2026-06-05T09:00:00Z
lose 3 --reason no_interest --as piotr --at 2026-06-15T09:00:00Z
# D: lost in lead
lose 4 --reason no_interest --as piotr --at 2026-06-11T09:00:00Z
# E: open in offer
log 5 call --as piotr --at 2026-06-10T10:00:00Z
advance 5 --as piotr --at 2026-06-11T17:00:00Z
# F: moves to piotr, who e-mails
reassign --from marcin --to piotr --partner "Agencja F" --at 2026-06-28T00:00:00Z --as manny
log 6 email --as piotr --at 2026-06-29T08:00:00Z
# G
log 7 email --as piotr --at 2026-06-26T10:00:00Z
EOF
ok kanal batch pipeline.kanal
expect_sql "SELECT id || ':' || owner || ':' || status || ':' || stage FROM opportunities ORDER BY id" \
    "$(printf '%s\n' 1:marcin:won:close 2:marcin:lost:close 3:piotr:lost:offer 4:piotr:lost:lead \
        5:piotr:open:offer 6:piotr:open:lead 7:piotr:open:lead 8:marcin:open:lead)"
# what `next` says about days in stage and staleness, which `report stale` must agree with
ok kanal next 8 --json --as marcin
expect_json '$.days_in_stage' 3 # 06-27 12:00 to 06-30 12:00
expect_json '$.stale' 0         # 3 is not more than max_days 3
ok kanal next 6 --json --as piotr
expect_json '$.days_in_stage' 10 # 06-20 09:00 to 06-30 12:00 = 10 d 3 h
expect_json '$.stale' 1

export KANAL_USER=manny
# ---- 3. funnel ---------------------------------------------------------------------------------
ok kanal report funnel --json # pipeline is the only workflow with opportunities
expect_err ""
expect_json '$.report' funnel
expect_json '$.as_of' 2026-06-30T12:00:00Z
expect_len '$.rows' 3
# lead: entered A-H = 8; advanced A B C E = 4; lost here D; open here F G H.
# durations of those that left: A 1, B 2, C 4, D 10, E 1.3333 -> sorted
# [1, 1.3333, 2, 4, 10]: median the 3rd = 2; p90 position ceil(0.9·5) = 5 -> 10
expect_row '$.rows[0]' stage=lead entered=8 advanced=4 won=0 lost_here=1 open_here=3 \
    conversion=0.5 conversion_low=0.2152 conversion_high=0.7848 \
    median_days=2 p90_days=10 # 4/8; Wilson(4 of 8)
# offer: entered A B C E = 4; advanced A B; lost here C; open here E.
# durations A 2, B 4, C 10: median 4; p90 position ceil(2.7) = 3 -> 10
expect_row '$.rows[1]' stage=offer entered=4 advanced=2 won=0 lost_here=1 open_here=1 \
    conversion=0.5 conversion_low=0.15 conversion_high=0.85 \
    median_days=4 p90_days=10 # 2/4; Wilson(2 of 4)
# close (the last stage): entered A B = 2; won A; lost here B; conversion = won/entered.
# durations A 4, B 10.3333: median (4 + 10.3333)/2 = 7.1667 -> 7.17;
# p90 position ceil(1.8) = 2 -> 10.3333 -> 10.33
expect_row '$.rows[2]' stage=close entered=2 advanced=0 won=1 lost_here=1 open_here=0 \
    conversion=0.5 conversion_low=0.0945 conversion_high=0.9055 \
    median_days=7.17 p90_days=10.33 # 1/2; Wilson(1 of 2)
cp "$T/.out" funnel-now.json
ok kanal report funnel --workflow pipeline --json
expect_filters workflow=pipeline
ok kanal report funnel
expect_out_has lead
expect_out_has offer
expect_out_has close

# as of 2026-06-06T00:00: A in close (since 04 09:00), B and C in offer, D in
# lead; E-H not yet created
ok kanal report funnel --as-of 2026-06-06T00:00:00Z --json
expect_json '$.as_of' 2026-06-06T00:00:00Z
expect_len '$.rows' 3
# lead: entered A B C D; advanced A B C (1, 2, 4 days); open D.
# median of [1, 2, 4] = 2; p90 position ceil(2.7) = 3 -> 4
expect_row '$.rows[0]' stage=lead entered=4 advanced=3 won=0 lost_here=0 open_here=1 \
    conversion=0.75 conversion_low=0.3006 conversion_high=0.9544 \
    median_days=2 p90_days=4 # 3/4; Wilson(3 of 4)
# offer: entered A B C; advanced A (2 days); open B C
expect_row '$.rows[1]' stage=offer entered=3 advanced=1 won=0 lost_here=0 open_here=2 \
    conversion=0.3333 conversion_low=0.0615 conversion_high=0.7923 \
    median_days=2 p90_days=2 # 1/3; Wilson(1 of 3); one duration, 2
# close: entered A, still open; nobody left it: no durations
expect_row '$.rows[2]' stage=close entered=1 advanced=0 won=0 lost_here=0 open_here=1 \
    conversion=0 conversion_low=0 conversion_high=0.7935 \
    median_days=null p90_days=null # 0/1; Wilson(0 of 1)

# ---- 4. stale ----------------------------------------------------------------------------------
# now (06-30 12:00): E offer since 11 17:00 = 18 d 19 h -> 18 > 7; F lead since
# 20 09:00 -> 10 > 3; G lead since 25 09:00 -> 5 > 3; H 3, not more than 3
ok kanal report stale --json
expect_err ""
expect_json '$.report' stale
expect_len '$.rows' 3
expect_row '$.rows[0]' id=5 "partner=Agencja E" owner=piotr workflow=pipeline stage=offer \
    days_in_stage=18 max_days=7 last_activity_at=2026-06-10T10:00:00Z
expect_row '$.rows[1]' id=6 "partner=Agencja F" owner=piotr workflow=pipeline stage=lead \
    days_in_stage=10 max_days=3 last_activity_at=2026-06-29T08:00:00Z
expect_row '$.rows[2]' id=7 "partner=Agencja G" owner=piotr workflow=pipeline stage=lead \
    days_in_stage=5 max_days=3 last_activity_at=2026-06-26T10:00:00Z
cp "$T/.out" stale.json
ok kanal report stale --format json
checks=$((checks + 1))
[ "$out" = "$(cat stale.json)" ] || fail "--format json differs from --json"
ok kanal report stale --owner marcin --json
expect_len '$.rows' 0 # H is marcin's and not stale; F is piotr's now
# as of 06-27 00:00: E offer 15 d 7 h -> 15 > 7; F lead 6 d 15 h -> 6 > 3 and
# still marcin's (moved on the 28th), its e-mail (29th) not yet logged;
# G 1 d 15 h -> 1; H not yet created
ok kanal report stale --as-of 2026-06-27T00:00:00Z --json
expect_json '$.as_of' 2026-06-27T00:00:00Z
expect_len '$.rows' 2
expect_row '$.rows[0]' id=5 "partner=Agencja E" owner=piotr workflow=pipeline stage=offer \
    days_in_stage=15 max_days=7 last_activity_at=2026-06-10T10:00:00Z
expect_row '$.rows[1]' id=6 "partner=Agencja F" owner=marcin workflow=pipeline stage=lead \
    days_in_stage=6 max_days=3 last_activity_at=null
ok kanal report stale --as-of 2026-06-27T00:00:00Z --owner marcin --json
expect_filters owner=marcin
expect_len '$.rows' 1
expect_row '$.rows[0]' id=6 owner=marcin days_in_stage=6
ok kanal report stale --as-of 2026-06-27T00:00:00Z --owner piotr --json
expect_len '$.rows' 1
expect_row '$.rows[0]' id=5 owner=piotr days_in_stage=15
# as of 06-06 00:00: D (lost only on the 11th) in lead since 01 09:00 = 4 d 15 h -> 4 > 3;
# A close 1 d, B offer 2 d, C offer 0 d: not stale
ok kanal report stale --as-of 2026-06-06T00:00:00Z --json
expect_len '$.rows' 1
expect_row '$.rows[0]' id=4 "partner=Agencja D" owner=piotr workflow=pipeline stage=lead \
    days_in_stage=4 max_days=3 last_activity_at=null
ok kanal report stale
expect_out_has "Agencja E"
expect_out_lacks "Agencja H"

# ---- 5. goals ----------------------------------------------------------------------------------
# closed: A won; B, C, D lost. done_late is 0 throughout: the engine refuses
# `done` on a goal whose `after` goals are not done, and a logged activity does
# not complete such a goal, so no goal can be done late through the CLI.
ok kanal report goals --json
expect_err ""
expect_json '$.report' goals
expect_len '$.rows' 5
expect_row '$.rows[0]' goal=contacted stage=lead mandatory=true done=4 done_late=0 \
    win_rate_done=0.3333 win_rate_done_low=0.0615 win_rate_done_high=0.7923 \
    win_rate_not_done=0 win_rate_not_done_low=0 win_rate_not_done_high=0.7935
# done A B C E; closed with it A (won) B C: 1/3, Wilson(1 of 3); closed without it D: 0/1, Wilson(0 of 1)
expect_row '$.rows[1]' goal=brochure stage=lead mandatory=false done=4 done_late=0 \
    win_rate_done=0.5 win_rate_done_low=0.0945 win_rate_done_high=0.9055 \
    win_rate_not_done=0 win_rate_not_done_low=0 win_rate_not_done_high=0.6576
# done A C F G; closed with it A (won) C: 1/2, Wilson(1 of 2); without it B D: 0/2, Wilson(0 of 2)
expect_row '$.rows[2]' goal=offer_sent stage=offer mandatory=true done=2 done_late=0 \
    win_rate_done=0.5 win_rate_done_low=0.0945 win_rate_done_high=0.9055 \
    win_rate_not_done=0 win_rate_not_done_low=0 win_rate_not_done_high=0.6576
# done A B: 1/2; without it C D: 0/2
expect_row '$.rows[3]' goal=demo stage=offer mandatory=false done=1 done_late=0 \
    win_rate_done=1 win_rate_done_low=0.2065 win_rate_done_high=1 \
    win_rate_not_done=0 win_rate_not_done_low=0 win_rate_not_done_high=0.5615
# done A: 1/1, Wilson(1 of 1); without it B C D: 0/3, Wilson(0 of 3)
expect_row '$.rows[4]' goal=signed stage=close mandatory=true done=1 done_late=0 \
    win_rate_done=1 win_rate_done_low=0.2065 win_rate_done_high=1 \
    win_rate_not_done=0 win_rate_not_done_low=0 win_rate_not_done_high=0.5615
# done A: 1/1; without it B C D: 0/3
# every rate here rests on fewer than 5 closed opportunities
ok kanal report goals
expect_out_has contacted
expect_out_has "small sample"
# as of 06-06 00:00 nothing is closed yet: the rates are null;
# contacted done by A B C (E's call is on the 10th), brochure by A C
ok kanal report goals --as-of 2026-06-06T00:00:00Z --json
expect_row '$.rows[0]' goal=contacted done=3 done_late=0 win_rate_done=null win_rate_done_low=null \
    win_rate_done_high=null win_rate_not_done=null win_rate_not_done_low=null win_rate_not_done_high=null
expect_row '$.rows[1]' goal=brochure done=2 win_rate_done=null win_rate_not_done=null
expect_row '$.rows[3]' goal=demo done=1 # A, on the 3rd

# ---- 6. --version --------------------------------------------------------------------------------
# version 2 adds an optional goal to lead; I, on v2, lost in lead an hour after it was created
ok kanal workflow apply "$RX/pipeline_v2.yaml" --as admin
expect_out "pipeline v2"
ok kanal partner add "Agencja I" --type agency --as marcin
ok kanal opp new --partner "Agencja I" --workflow pipeline --as marcin --at 2026-06-29T09:00:00Z # 9
ok kanal lose 9 --reason no_interest --as marcin --at 2026-06-29T10:00:00Z
# --version 1: the figures of before
ok kanal report funnel --workflow pipeline --version 1 --json
expect_filters workflow=pipeline version=1
checks=$((checks + 1))
[ "$(json '$.rows')" = "$(sqlite3 :memory: "SELECT json_extract(readfile('$T/funnel-now.json'), '\$.rows')")" ] ||
    fail "funnel --version 1 differs from the funnel before version 2"
# --version 2: I alone; lead 1 h = 0.041667 days -> 0.04; nobody entered offer or close
ok kanal report funnel --workflow pipeline --version 2 --json
expect_filters workflow=pipeline version=2
expect_len '$.rows' 3
expect_row '$.rows[0]' stage=lead entered=1 advanced=0 won=0 lost_here=1 open_here=0 \
    conversion=0 conversion_low=0 conversion_high=0.7935 \
    median_days=0.04 p90_days=0.04 # 0/1; Wilson(0 of 1)
expect_row '$.rows[1]' stage=offer entered=0 advanced=0 won=0 lost_here=0 open_here=0 \
    conversion=null conversion_low=null conversion_high=null median_days=null p90_days=null # 0/0
expect_row '$.rows[2]' stage=close entered=0 conversion=null median_days=null p90_days=null
# both versions: lead entered 9, advanced 4, lost here D and I, open F G H;
# durations [0.0417, 1, 1.3333, 2, 4, 10]: median (1.3333 + 2)/2 = 1.6667 -> 1.67;
# p90 position ceil(5.4) = 6 -> 10
ok kanal report funnel --workflow pipeline --json
expect_row '$.rows[0]' stage=lead entered=9 advanced=4 won=0 lost_here=2 open_here=3 \
    conversion=0.4444 conversion_low=0.1888 conversion_high=0.7333 \
    median_days=1.67 p90_days=10 # 4/9; Wilson(4 of 9)
expect_row '$.rows[1]' stage=offer entered=4 advanced=2 lost_here=1 open_here=1 conversion=0.5
# goals of version 2: the new optional goal after brochure, in lead
ok kanal report goals --workflow pipeline --version 2 --json
expect_len '$.rows' 6
expect_row '$.rows[2]' goal=visit stage=lead mandatory=false done=0 done_late=0 \
    win_rate_done=null win_rate_not_done=0 win_rate_not_done_low=0 win_rate_not_done_high=0.7935 # I lost: 0/1
db_snapshot
run kanal report funnel --workflow pipeline --version 3
expect_rc 3
expect_out ""
expect_err_has "version 3"
expect_db_unchanged


# a plugin's format renders the rows like any list (the example plugin's Markdown),
# and a report never writes over the database
ok kanal report funnel --workflow pipeline --format markdown
expect_out_has "| stage | entered | advanced | won | lost here | open here | conversion |"
expect_out_has "| lead | 9 | 4 | 0 | 2 | 3 | 0.4444 |"
# (on SQLite only: on PostgreSQL the database is no file a report could be written over)
case "$KANAL_DB" in
postgresql://*) ;;
*)
    run kanal report funnel --workflow pipeline -o "$KANAL_DB"
    expect_rc 2
    expect_err "kanal: error: refusing to write to '$KANAL_DB': it is the database"
    expect_db_unchanged
    ;;
esac
# reports read a snapshot: while a writer holds the lock, a report answers at
# once (a write would wait for it). The writer holds it until the report is done
# (released), 3 seconds at most: a report that waited for the lock would outlast
# its 2 seconds. On PostgreSQL the writers' lock is the advisory lock kanal's
# writers take (WRITE_LOCK in postgres.c).
hold() {
    _n=0
    while [ ! -f released ] && [ $_n -lt $((30 * SLOW)) ]; do sleep 0.1; _n=$((_n + 1)); done
}
case "$KANAL_DB" in
postgresql://*)
    { echo "BEGIN; SELECT pg_advisory_xact_lock(1263422513);"
      echo "INSERT INTO kanal.users(id, name, created_at) VALUES ('w', 'w', 'x');"
      hold; echo "ROLLBACK;"; } | psql -q -X "$KANAL_DB" >/dev/null & ;;
*)
    { echo "BEGIN IMMEDIATE; INSERT INTO users(id, name, created_at) VALUES ('w', 'w', 'x');"
      hold; echo "ROLLBACK;"; } | sqlite3 "$KANAL_DB" & ;;
esac
sleep 0.5
run timeout $((2 * SLOW)) "$KANAL_BIN" report lost-reasons
expect_rc 0
touch released
wait


# a database with no workflow yet: the funnel says what is missing, once
E=$(new_db empty)
ok kanal init --admin solo --db "$E"
run kanal report funnel --db "$E" --as solo
expect_rc 3
expect_err "kanal: error: the funnel report follows a workflow's stages (no workflow is applied yet: an admin runs 'kanal workflow apply')"
ok kanal report lost-reasons --db "$E" --as solo
expect_out_has "no lost reasons"

finish
