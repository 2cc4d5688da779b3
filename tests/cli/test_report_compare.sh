#!/bin/sh
# kanal report compare: did the change help? Example 1 of the domain over three
# versions of one referral process (tests/fixtures/reports/terms*.yaml): v1
# explains the terms by phone and wins 3 of 13 closed; v2 adds the infographic
# and wins 7 of 10, a difference Fisher's exact test finds rarely happens by
# chance; v3 has 1 of 2 closed. Each version's figures, the test of each
# against the version before it, --versions, the filters and --as-of (a
# version with open opportunities only: 0 of 0, no rate, no p), a workflow of
# one version, the refusals, every format, the chart and the dashboard.
#
# Every expected figure below was worked out by hand (and checked with
# Python's standard library: fractions, math.comb, math.sqrt), never by Kanal;
# the comment beside each says how.
#   rate      won / (won + lost), a share count / lost; rounded to 4 decimals
#   Wilson    95% score interval, z = 1.959963984540054, p = x/n:
#             centre = (p + z²/2n) / (1 + z²/n)
#             half   = z / (1 + z²/n) · sqrt(p(1−p)/n + z²/4n²)
#             low, high = centre ∓ half, rounded to 4 decimals
#             Wilson(x of n) values used here:
#               3/13 [0.0818, 0.5026]   7/10 [0.3968, 0.8922]   1/2 [0.0945, 0.9055]
#               5/10 [0.2366, 0.7634]   3/10 [0.1078, 0.6032]   1/10 [0.0179, 0.4042]
#               2/3  [0.2077, 0.9385]   1/3  [0.0615, 0.7923]   1/1 [0.2065, 1]
#               4/4  [0.5101, 1]        1/5  [0.0362, 0.6245]   0/1 [0, 0.7935]
#               4/4 as the table writes it: 100% (4 of 4; 51-100%)
#   Fisher    two-sided, on the 2×2 table of won and lost of two versions: the
#             sum of P(a) = C(r1,a)·C(r2,c1−a)/C(n,c1) over every table with the
#             same margins no more likely than the one observed
#   days      (won at − created at) seconds / 86400; the median is the middle
#             value or the mean of the two middle ones, rounded to 2 decimals
. "$KANAL_SOURCE_DIR/tests/cli/lifecycle.sh"
RX=$SRC/tests/fixtures/reports
PY=$SRC/tests/cli/charts_check.py
export KANAL_NOW=2026-06-30T12:00:00Z

# ---- helpers (as in test_reports.sh) ------------------------------------------------------------

is_number() {
    case "$1" in '' | *[!0-9.-]*) return 1 ;; *) return 0 ;; esac
}
# expect_row PATH KEY=VALUE...: in the last command's JSON, the object at PATH
# has each KEY with VALUE: a number compared as a number (within 1e-9),
# null/true/false by JSON type, anything else as a string.
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
# expect_len PATH N: the array at PATH has N elements.
expect_len() {
    checks=$((checks + 1))
    _got=$(sqlite3 :memory: "SELECT json_array_length(readfile('$T/.out'), '$1')" 2>/dev/null)
    [ "$_got" = "$2" ] || fail "JSON $1 has '$_got' elements, want $2"
}
# expect_keys PATH 'KEY ...': the object at PATH has exactly these keys, in this order.
expect_keys() {
    checks=$((checks + 1))
    _got=$(sqlite3 :memory: "SELECT group_concat(key, ' ') FROM json_each(readfile('$T/.out'), '$1')" 2>/dev/null)
    [ "$_got" = "$2" ] || fail "JSON $1 has the keys '$_got', want '$2'"
}
# expect_out_line TEXT: a line of stdout is TEXT, but for the spaces that align it.
expect_out_line() {
    checks=$((checks + 1))
    printf '%s\n' "$out" | tr -s ' ' | grep -qxF "$1" || fail "no line of stdout reads: $1"
}
# pycheck ARGS...: charts_check.py ARGS, each line it prints a check (as in test_charts.sh).
pycheck() {
    step="charts_check.py $*"
    python3 "$PY" "$@" >"$T/.py" 2>"$T/.pyerr"
    _rc=$?
    _n=$(grep -c '^ok: \|^FAIL: ' "$T/.py")
    _f=$(grep -c '^FAIL: ' "$T/.py")
    checks=$((checks + _n))
    failures=$((failures + _f))
    grep '^FAIL: ' "$T/.py" | while IFS= read -r _l; do
        printf '%s\n  step: %s\n' "$_l" "$step" >&2
    done
    if { [ "$_rc" != 0 ] && [ "$_f" = 0 ]; } || grep -q '^Traceback' "$T/.pyerr"; then
        checks=$((checks + 1))
        failures=$((failures + 1))
        printf 'FAIL: charts_check.py failed (exit %s)\n  step: %s\n  %s\n' "$_rc" "$step" "$(tail -5 "$T/.pyerr")" >&2
    fi
}

# ==== the record =================================================================================
# Opportunity N is on partner "Polecający N", created at 09:00 on its day; every
# one of v1 and of v3 is piotr's, v2's wins alternate between marcin and piotr.
#   v1, #1-#16 created 2026-05-01 to 05-16 (#N on 05-N):
#     #1 won 05-11 (10 days), #2 won 05-06 (4 days), #3 won 05-10 (7 days);
#     #4-#13 lost the next day: #4-#8 unclear_terms, #9-#11 fee_too_low,
#       #12 no_clients, #13 no_response; #14-#16 open
#   v2, #17-#28 created 2026-06-01 to 06-12 (#N on 06-(N−16)):
#     won: #17 marcin 1 day, #18 piotr 2 days, #19 marcin 3 days, #20 piotr 3.5
#       days (won at 21:00), #21 marcin 5 days, #22 piotr 6 days, #23 marcin 8 days;
#     lost the next day: #24, #25 fee_too_low, #26 no_response; #27, #28 open
#   v3, #29 created 06-15 won 06-20 (5 days), #30 created 06-16 lost 06-17
#     fee_too_low, #31 created 06-17 open
#   pipeline (one version): #32 created 06-20 lost 06-21 no_interest, #33 created 06-22 open
KANAL_DB=$(new_db compare)
export KANAL_DB
ok kanal init --admin admin --name "Ada Admin"
ok kanal user add manny --name "Manny Manager" --role manager --as admin
ok kanal user add marcin --name "Marcin Zieliński" --role channel_rep --as admin
ok kanal user add piotr --name "Piotr Kamiński" --role channel_rep --as admin
ok kanal workflow apply "$RX/terms.yaml" "$RX/pipeline.yaml" --as admin

# opp N REP DAY [WORKFLOW TYPE]: a new opportunity N of REP on workflow terms (or
# WORKFLOW, for a partner of TYPE), created on DAY at 09:00
opp() {
    echo "partner add 'Polecający $1' --type ${5:-referrer} --as $2"
    echo "opp new --partner 'Polecający $1' --workflow ${4:-terms} --as $2 --at $3T09:00:00Z"
}
{
    for n in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
        opp $n piotr "$(printf '2026-05-%02d' $n)"
    done
    # a call on the first of each version: the activities report has a type to count
    echo "log 1 call --as piotr --at 2026-05-01T09:30:00Z"
    echo "win 1 --as piotr --at 2026-05-11T09:00:00Z"
    echo "win 2 --as piotr --at 2026-05-06T09:00:00Z"
    echo "win 3 --as piotr --at 2026-05-10T09:00:00Z"
    for n in 4 5 6 7 8 9 10 11 12 13; do
        case $n in 4 | 5 | 6 | 7 | 8) r=unclear_terms ;; 9 | 10 | 11) r=fee_too_low ;; 12) r=no_clients ;; *) r=no_response ;; esac
        echo "lose $n --reason $r --as piotr --at $(printf '2026-05-%02d' $((n + 1)))T09:00:00Z"
    done
} >v1.kanal
ok kanal batch v1.kanal
ok kanal workflow apply "$RX/terms_v2.yaml" --as admin
expect_out "terms v2"
{
    for n in 17 18 19 20 21 22 23 24 25 26 27 28; do
        case $n in 17 | 19 | 21 | 23) rep=marcin ;; *) rep=piotr ;; esac
        opp $n $rep "$(printf '2026-06-%02d' $((n - 16)))"
    done
    echo "log 17 call --as marcin --at 2026-06-01T09:30:00Z"
    echo "win 17 --as marcin --at 2026-06-02T09:00:00Z"
    echo "win 18 --as piotr --at 2026-06-04T09:00:00Z"
    echo "win 19 --as marcin --at 2026-06-06T09:00:00Z"
    echo "win 20 --as piotr --at 2026-06-07T21:00:00Z"
    echo "win 21 --as marcin --at 2026-06-10T09:00:00Z"
    echo "win 22 --as piotr --at 2026-06-12T09:00:00Z"
    echo "win 23 --as marcin --at 2026-06-15T09:00:00Z"
    echo "lose 24 --reason fee_too_low --as piotr --at 2026-06-09T09:00:00Z"
    echo "lose 25 --reason fee_too_low --as piotr --at 2026-06-10T09:00:00Z"
    echo "lose 26 --reason no_response --as piotr --at 2026-06-11T09:00:00Z"
} >v2.kanal
ok kanal batch v2.kanal
ok kanal workflow apply "$RX/terms_v3.yaml" --as admin
expect_out "terms v3"
{
    opp 29 piotr 2026-06-15
    opp 30 piotr 2026-06-16
    opp 31 piotr 2026-06-17
    echo "win 29 --as piotr --at 2026-06-20T09:00:00Z"
    echo "lose 30 --reason fee_too_low --as piotr --at 2026-06-17T09:00:00Z"
    opp 32 piotr 2026-06-20 pipeline agency
    opp 33 piotr 2026-06-22 pipeline agency
    echo "lose 32 --reason no_interest --as piotr --at 2026-06-21T09:00:00Z"
} >v3.kanal
ok kanal batch v3.kanal
# the setup is what the figures below assume
expect_sql "SELECT version || ':' || status || ':' || count(*) FROM opportunities WHERE workflow = 'terms'
            GROUP BY version, status ORDER BY version, status" \
    "1:lost:10
1:open:3
1:won:3
2:lost:3
2:open:2
2:won:7
3:lost:1
3:open:1
3:won:1"
export KANAL_USER=manny

# ==== 1. every version, now =======================================================================
ok kanal report compare --workflow terms --json
expect_err ""
expect_json_valid
expect_json '$.report' compare
expect_json '$.as_of' 2026-06-30T12:00:00Z
expect_keys '$.filters' "workflow version owner since until by versions"
expect_row '$.filters' workflow=terms version=null owner=null since=null until=null by=null versions=null
expect_len '$.rows' 3
expect_keys '$.rows[0]' "version opportunities won lost open win_rate win_rate_low win_rate_high median_days_to_win top_lost_reasons compared_with p"
# v1: 16 opportunities, 3 won, 10 lost, 3 open; 3/13 = 0.230769; Wilson(3 of 13);
# days to a win [4, 7, 10]: the median 7; compared with nothing (the first)
expect_row '$.rows[0]' version=1 opportunities=16 won=3 lost=10 open=3 \
    win_rate=0.2308 win_rate_low=0.0818 win_rate_high=0.5026 median_days_to_win=7 \
    compared_with=null p=null
# its lost reasons by count, then id: unclear_terms 5, fee_too_low 3, then
# no_clients and no_response 1 each: no_clients first by its id, no_response left out
expect_len '$.rows[0].top_lost_reasons' 3
expect_row '$.rows[0].top_lost_reasons[0]' reason=unclear_terms "name=Terms unclear to the partner" \
    count=5 share=0.5 share_low=0.2366 share_high=0.7634 # 5/10; Wilson(5 of 10)
expect_row '$.rows[0].top_lost_reasons[1]' reason=fee_too_low "name=Referral fee too low" \
    count=3 share=0.3 share_low=0.1078 share_high=0.6032 # 3/10, v1's name; Wilson(3 of 10)
expect_row '$.rows[0].top_lost_reasons[2]' reason=no_clients "name=Partner has no matching clients" \
    count=1 share=0.1 share_low=0.0179 share_high=0.4042 # 1/10; Wilson(1 of 10)
expect_keys '$.rows[0].top_lost_reasons[0]' "reason name count share share_low share_high"
# v2: 12 opportunities, 7 won, 3 lost, 2 open; 7/10; Wilson(7 of 10); days
# [1, 2, 3, 3.5, 5, 6, 8]: the median, the 4th, 3.5.
# Fisher's exact test of v2 against v1:
#                 won  lost
#   v2              7     3    (10)
#   v1              3    10    (13)
#                  10    13    (23)
# P(a) = C(10,a)·C(13,10−a)/C(23,10) for a = 0..10 wins of v2:
#   a=0 .000250  1 .006250  2 .050622  3 .179990  4 .314982  5 .283484
#   6 .131242  7 .029998  8 .003068  9 .000114  10 .0000010
# no more likely than the observed P(7) = .029998: a = 0, 1, 7, 8, 9, 10
# p = 0.0396804 -> 0.0397 (written "p = 0.04")
expect_row '$.rows[1]' version=2 opportunities=12 won=7 lost=3 open=2 \
    win_rate=0.7 win_rate_low=0.3968 win_rate_high=0.8922 median_days_to_win=3.5 \
    compared_with=1 p=0.0397
# its lost reasons: fee_too_low 2 (named as v2 names it), no_response 1: two, not three
expect_len '$.rows[1].top_lost_reasons' 2
expect_row '$.rows[1].top_lost_reasons[0]' reason=fee_too_low "name=Fee paid too late (after six months)" \
    count=2 share=0.6667 share_low=0.2077 share_high=0.9385 # 2/3; Wilson(2 of 3)
expect_row '$.rows[1].top_lost_reasons[1]' reason=no_response "name=Partner stopped responding" \
    count=1 share=0.3333 share_low=0.0615 share_high=0.7923 # 1/3; Wilson(1 of 3)
# v3: 3 opportunities, 1 won, 1 lost, 1 open; 1/2; Wilson(1 of 2); days [5].
# Against v2, the version before it (not v1):
#                 won  lost
#   v3              1     1    (2)
#   v2              7     3    (10)
#                   8     4    (12)
# P(a) = C(2,a)·C(10,8−a)/C(12,8): a=0 .090909  1 .484848  2 .424242;
# every table is no more likely than P(1): p = 1
# (against v1 it would be 0.4762: the 2×2 of 1 1 / 3 10, below)
expect_row '$.rows[2]' version=3 opportunities=3 won=1 lost=1 open=1 \
    win_rate=0.5 win_rate_low=0.0945 win_rate_high=0.9055 median_days_to_win=5 \
    compared_with=2 p=1
expect_len '$.rows[2].top_lost_reasons' 1
expect_row '$.rows[2].top_lost_reasons[0]' reason=fee_too_low "name=Fee paid too late (after six months)" \
    count=1 share=1 share_low=0.2065 share_high=1 # 1/1; Wilson(1 of 1)
cp "$T/.out" compare-now.json
# --format json is --json
ok kanal report compare --workflow terms --format json
checks=$((checks + 1))
[ "$out" = "$(cat compare-now.json)" ] || fail "--format json differs from --json"

# the table, for people: counts with every rate, the lost reasons, the tests in words
ok kanal report compare --workflow terms
expect_err ""
expect_out_has "Versions compared, as of 2026-06-30 12:00 UTC"
expect_out_has "23% (3 of 13; 8-50%)"  # v1: Wilson(3 of 13) in whole percent
expect_out_has "70% (7 of 10; 40-89%)" # v2
expect_out_has "50% (1 of 2; 9-91%)*"  # v3: 2 closed, a small sample
expect_out_has "unclear_terms 50% (5 of 10), fee_too_low 30% (3 of 10), no_clients 10% (1 of 10)"
expect_out_has "fee_too_low 67% (2 of 3)*, no_response 33% (1 of 3)*" # 3 lost: small
expect_out_lacks "no_response 10%"                                    # v1's fourth reason
expect_out_has "p = 0.04 vs v1"
expect_out_has "p = 1 vs v2"
expect_out_line "v2: 7 of 10 won vs 3 of 13 under v1; p = 0.04: a difference this large would rarely happen by chance"
# 2 closed under v3: too few to tell, whatever p says
expect_out_line "v3: 1 of 2 won vs 7 of 10 under v2; p = 1: too few closed opportunities to tell anything from chance"
expect_out_has "small sample"
expect_out_has "7.00" # v1's median days to a win, as the funnel writes days
expect_out_has "3.50"

# ==== 2. --versions ==============================================================================
# the pair: v3 against v1, whatever the order given (a change follows what it changed)
ok kanal report compare --workflow terms --versions 3,1 --json
expect_row '$.filters' workflow=terms
checks=$((checks + 1))
[ "$(json '$.filters.versions')" = "[1,3]" ] || fail "filters.versions is '$(json '$.filters.versions')', want [1,3]"
expect_len '$.rows' 2
expect_row '$.rows[0]' version=1 won=3 lost=10 compared_with=null p=null
# Fisher of v3 against v1:  1 1 / 3 10, margins 2 and 13; 4 won of 15:
# P(a) = C(2,a)·C(13,4−a)/C(15,4) = 715, 572, 78 / 1365: a=0 .523810  1 .419048  2 .057143;
# no more likely than P(1): a = 1, 2: p = 650/1365 = 0.476190 -> 0.4762
expect_row '$.rows[1]' version=3 won=1 lost=1 compared_with=1 p=0.4762
ok kanal report compare --workflow terms --versions 1,3
expect_out_line "v3: 1 of 2 won vs 3 of 13 under v1; p = 0.48: too few closed opportunities to tell anything from chance"
# one version: its figures, nothing to compare
ok kanal report compare --workflow terms --versions 2 --json
expect_len '$.rows' 1
expect_row '$.rows[0]' version=2 won=7 lost=3 compared_with=null p=null
ok kanal report compare --workflow terms --versions 2
expect_out_has "one version chosen: nothing to compare it with"
# unknown versions: the versions the workflow has (exit 3), nothing written
refuse 3 "workflow 'terms' has no version 4 (its versions are 1 to 3)" \
    kanal report compare --workflow terms --versions 1,4
refuse 3 "workflow 'terms' has no version 9 (its versions are 1 to 3)" \
    kanal report compare --workflow terms --versions 9,1 --json
# what --versions takes, and who takes it
refuse_usage "--versions takes version numbers separated by commas (1,2), not '1,two'" \
    kanal report compare --workflow terms --versions 1,two
refuse_usage "--versions takes version numbers separated by commas (1,2), not '0,1'" \
    kanal report compare --workflow terms --versions 0,1
refuse_usage "--versions takes version numbers separated by commas (1,2), not '1,,2'" \
    kanal report compare --workflow terms --versions 1,,2
refuse 2 "version 2 is named twice" kanal report compare --workflow terms --versions 2,1,2
refuse 2 "only the compare report takes the versions to compare" \
    kanal report funnel --workflow terms --versions 1,2
refuse 2 "the compare report compares versions: name the versions to compare, not one version to narrow it to" \
    kanal report compare --workflow terms --version 2

# ==== 3. the filters and the moment ===============================================================
# --owner marcin: his four wins of v2 alone (#17 1 day, #19 3, #21 5, #23 8):
# 4/4; Wilson(4 of 4); the median of an even count, (3 + 5) / 2 = 4
ok kanal report compare --workflow terms --owner marcin --json
expect_row '$.filters' owner=marcin
expect_len '$.rows' 1
expect_row '$.rows[0]' version=2 opportunities=4 won=4 lost=0 open=0 \
    win_rate=1 win_rate_low=0.5101 win_rate_high=1 median_days_to_win=4 compared_with=null p=null
expect_len '$.rows[0].top_lost_reasons' 0
ok kanal report compare --workflow terms --owner marcin
expect_out_has "only v2 holds opportunities of this scope: nothing to compare it with"
expect_out_has "100% (4 of 4; 51-100%)*"
# asked for, v1 is there with nothing of marcin's: 0 of 0, no rate, no days, no test
ok kanal report compare --workflow terms --owner marcin --versions 1,2 --json
expect_len '$.rows' 2
expect_row '$.rows[0]' version=1 opportunities=0 won=0 lost=0 open=0 \
    win_rate=null win_rate_low=null win_rate_high=null median_days_to_win=null compared_with=null p=null
expect_len '$.rows[0].top_lost_reasons' 0
expect_row '$.rows[1]' version=2 won=4 compared_with=1 p=null
ok kanal report compare --workflow terms --owner marcin --versions 1,2
expect_out_line "v2: 4 of 4 won, but v1 has no closed opportunity to compare with"
# --since 2026-06-01: v2 and v3 (v1's were created in May); v2 is now the first
ok kanal report compare --workflow terms --since 2026-06-01 --json
expect_len '$.rows' 2
expect_row '$.rows[0]' version=2 opportunities=12 won=7 lost=3 compared_with=null p=null
expect_row '$.rows[1]' version=3 opportunities=3 compared_with=2 p=1
# --until 2026-05-31 (a date: its end): v1 alone
ok kanal report compare --workflow terms --until 2026-05-31 --json
expect_len '$.rows' 1
expect_row '$.rows[0]' version=1 opportunities=16 won=3 lost=10
# --since 2026-06-25: no opportunity of terms at all: no rows, and the text says so
ok kanal report compare --workflow terms --since 2026-06-25 --json
expect_len '$.rows' 0
ok kanal report compare --workflow terms --since 2026-06-25
expect_out_has "no version of 'terms' holds an opportunity of this scope by 2026-06-30T12:00:00Z"

# as of 2026-05-08 (its end): #1-#8 exist; #2 won (05-06), #4-#7 lost (05-05 to
# 05-08), #1 and #3 not yet won, #8 not yet lost: 8 opportunities, 1 won, 4
# lost, 3 open; 1/5; Wilson(1 of 5); days [4]; unclear_terms 4 of 4, Wilson(4 of 4)
ok kanal report compare --workflow terms --as-of 2026-05-08 --json
expect_json '$.as_of' 2026-05-08T23:59:59Z
expect_len '$.rows' 1
expect_row '$.rows[0]' version=1 opportunities=8 won=1 lost=4 open=3 \
    win_rate=0.2 win_rate_low=0.0362 win_rate_high=0.6245 median_days_to_win=4
expect_len '$.rows[0].top_lost_reasons' 1
expect_row '$.rows[0].top_lost_reasons[0]' reason=unclear_terms count=4 share=1 share_low=0.5101 share_high=1
# as of 2026-06-16 12:00: v1 and v2 as now; v3 has #29 (won only on 06-20) and
# #30 (lost only on 06-17), both open: 0 of 0, no rate, no days, no p
ok kanal report compare --workflow terms --as-of 2026-06-16T12:00:00Z --json
expect_len '$.rows' 3
expect_row '$.rows[1]' version=2 won=7 lost=3 open=2 p=0.0397
expect_row '$.rows[2]' version=3 opportunities=2 won=0 lost=0 open=2 \
    win_rate=null win_rate_low=null win_rate_high=null median_days_to_win=null compared_with=2 p=null
expect_len '$.rows[2].top_lost_reasons' 0
ok kanal report compare --workflow terms --as-of 2026-06-16T12:00:00Z
expect_out_line "v3: no closed opportunity yet: nothing to compare with v2"

# ==== 4. a workflow of one version, and who may ask =============================================
# pipeline: #32 lost (no_interest), #33 open: 0/1; Wilson(0 of 1)
ok kanal report compare --workflow pipeline --json
expect_len '$.rows' 1
expect_row '$.rows[0]' version=1 opportunities=2 won=0 lost=1 open=1 \
    win_rate=0 win_rate_low=0 win_rate_high=0.7935 median_days_to_win=null compared_with=null p=null
expect_row '$.rows[0].top_lost_reasons[0]' reason=no_interest "name=No interest" count=1 share=1
ok kanal report compare --workflow pipeline
expect_out_has "'pipeline' has one version: nothing to compare it with yet"
refuse 3 "workflow 'pipeline' has no version 2 (its only version is 1)" \
    kanal report compare --workflow pipeline --versions 1,2
refuse 3 "unknown workflow 'term' (did you mean 'terms'?)" kanal report compare --workflow term
# two workflows: which one to compare is not guessed
db_snapshot
run kanal report compare
expect_rc 2
expect_out ""
expect_err_has "kanal: error: the compare report follows the versions of one workflow: choose one of pipeline, terms"
expect_db_unchanged
# a rep may not, in any format; nothing written
refuse 1 "only a manager or an admin may run reports (you are 'marcin')" \
    kanal report compare --workflow terms --as marcin
rm -f rep.svg
run kanal report compare --workflow terms --format svg -o rep.svg --as piotr
expect_rc 1
checks=$((checks + 1))
[ ! -e rep.svg ] || fail "a rep's refused chart left a file"
ok kanal report compare --workflow terms --json --as admin
expect_len '$.rows' 3

# ==== 5. every format ============================================================================
# CSV and the plugins' formats: the lost reasons as columns lost_reason_K.FIELD
ok kanal report compare --workflow terms --format csv
expect_err ""
checks=$((checks + 1))
[ "$(printf '%s\n' "$out" | head -n 1 | tr -d '\r')" = "version,opportunities,won,lost,open,win_rate,win_rate_low,win_rate_high,median_days_to_win,lost_reason_1.reason,lost_reason_1.name,lost_reason_1.count,lost_reason_1.share,lost_reason_1.share_low,lost_reason_1.share_high,lost_reason_2.reason,lost_reason_2.name,lost_reason_2.count,lost_reason_2.share,lost_reason_2.share_low,lost_reason_2.share_high,lost_reason_3.reason,lost_reason_3.name,lost_reason_3.count,lost_reason_3.share,lost_reason_3.share_low,lost_reason_3.share_high,compared_with,p" ] ||
    fail "the CSV header is '$(printf '%s\n' "$out" | head -n 1)'"
checks=$((checks + 1))
[ "$(printf '%s\n' "$out" | sed -n 3p | tr -d '\r')" = "2,12,7,3,2,0.7,0.3968,0.8922,3.5,fee_too_low,Fee paid too late (after six months),2,0.6667,0.2077,0.9385,no_response,Partner stopped responding,1,0.3333,0.0615,0.7923,,,,,,,1,0.0397" ] ||
    fail "the CSV row of v2 is '$(printf '%s\n' "$out" | sed -n 3p)'"
ok kanal report compare --workflow terms --format markdown
expect_out_has "| 2 | 12 | 7 | 3 | 2 | 0.7 | 0.3968 | 0.8922 | 3.5 | fee_too_low |"
# -o FILE writes what stdout gets
"$KANAL_BIN" report compare --workflow terms --json >stdout.json
ok kanal report compare --workflow terms --json -o report.json
expect_out ""
checks=$((checks + 1))
cmp -s report.json stdout.json || fail "report compare --json -o writes other bytes than stdout"

# the chart, checked as test_charts.sh checks every chart: valid XML, rendered
# silently by rsvg-convert, nothing from elsewhere, a title that says what and
# when, each version's figures as its JSON has them, nothing off the canvas
kanal workflow list --json >wf.json
kanal user list --json >users.json
python3 "$PY" aliases wf.json users.json >aliases
# chart BASE FILTER...: the JSON and the SVG of compare with FILTER, and every check
chart() {
    _b=$1
    shift
    run kanal report compare "$@" --json
    expect_rc 0
    printf '%s\n' "$out" >"$T/$_b.json"
    rm -f "$T/$_b.svg"
    run kanal report compare "$@" --format svg -o "$T/$_b.svg"
    expect_rc 0
    expect_out ""
    expect_err ""
    pycheck svg "$T/$_b.svg" --report compare --json "$T/$_b.json" --aliases "$T/aliases"
}
chart cmp-all --workflow terms
chart cmp-pair --workflow terms --versions 1,3 --since 2026-05-01 --until 2026-06-30
chart cmp-owner --workflow terms --owner marcin --versions 1,2
chart cmp-past --workflow terms --as-of 2026-06-16T12:00:00Z
chart cmp-one --workflow pipeline
chart cmp-none --workflow terms --since 2026-06-25 # no rows: "no data"
# what the chart draws, in words a reader checks
checks=$((checks + 1))
grep -q '<title>Did the change help? — Referral partners, terms compared, as of 2026-06-30</title>' "$T/cmp-all.svg" ||
    fail "the chart's title: $(grep -o '<title>[^<]*' "$T/cmp-all.svg" | head -1)"
checks=$((checks + 1))
grep -q '(versions 1, 3)' "$T/cmp-pair.svg" || fail "the chart of --versions 1,3 does not say the versions"
for s in 'p = 0.04 against version 1' 'p = 1 against version 2' 'median 3.5 days from creation to a win' \
    'Fee paid too late (after six months)' 'Referral fee too low' 'version 3: 1 lost' 'none won yet'; do
    checks=$((checks + 1))
    case $s in
    'none won yet') f=cmp-past ;;
    *) f=cmp-all ;;
    esac
    grep -qF "$s" "$T/$f.svg" || fail "the chart $f.svg does not say '$s'"
done
checks=$((checks + 1))
grep -q 'width="12.0" height="12.0"' "$T/cmp-all.svg" ||
    fail "the chart has no legend of the versions"

# html: the report alone is a page with its chart, its table and its notes
rm -f cmp.html
ok kanal report compare --workflow terms --format html -o cmp.html
expect_out ""
pycheck html "$T/cmp.html" --aliases "$T/aliases" "$T/cmp-all.json"
checks=$((checks + 1))
grep -qF 'v2: 7 of 10 won vs 3 of 13 under v1; p = 0.04: a difference this large would rarely happen by chance' cmp.html ||
    fail "the page lacks the comparison in words"
checks=$((checks + 1))
grep -q 'unclear_terms 50% (5 of 10)<br/>fee_too_low 30% (3 of 10)<br/>no_clients 10% (1 of 10)' cmp.html ||
    fail "the page's table does not list v1's lost reasons a line each"

# ==== 6. the dashboard: compare for each workflow with more than one version ======================
# pipeline has one version: its funnel and goals, no compare; terms has three
ok kanal report dashboard --json
checks=$((checks + 1))
_got=$(python3 -c 'import json,sys
d = json.load(sys.stdin)
print(" ".join(r["report"] + (":" + r["filters"]["workflow"] if r["filters"]["workflow"] else "") for r in d["reports"]))' <"$T/.out")
[ "$_got" = "lost-reasons activities stale funnel:pipeline goals:pipeline funnel:terms goals:terms compare:terms" ] ||
    fail "the dashboard holds '$_got'"
# its compare is `report compare --workflow terms --json` exactly
checks=$((checks + 1))
python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
r = [x for x in d["reports"] if x["report"] == "compare"][0]
sys.exit(0 if r == json.load(open(sys.argv[2])) else 1)' "$T/.out" compare-now.json ||
    fail "the dashboard's compare differs from report compare --workflow terms --json"
# --workflow terms: its funnel, goals and compare; --version narrows to one: no compare
ok kanal report dashboard --workflow terms --json
checks=$((checks + 1))
_got=$(python3 -c 'import json,sys; print(" ".join(r["report"] for r in json.load(sys.stdin)["reports"]))' <"$T/.out")
[ "$_got" = "lost-reasons activities stale funnel goals compare" ] || fail "the dashboard of terms holds '$_got'"
ok kanal report dashboard --workflow terms --version 2 --json
checks=$((checks + 1))
_got=$(python3 -c 'import json,sys; print(" ".join(r["report"] for r in json.load(sys.stdin)["reports"]))' <"$T/.out")
[ "$_got" = "lost-reasons activities stale funnel goals" ] || fail "the dashboard of terms v2 holds '$_got'"
refuse 2 "the dashboard compares every version of a workflow that has more than one: the versions to compare are the compare report's" \
    kanal report dashboard --versions 1,2
# the text: the compare section of terms
ok kanal report dashboard
expect_out_has "== compare of terms =="
expect_out_has "v2: 7 of 10 won vs 3 of 13 under v1"
# the page: every report as its chart with its table, the compare section among them
for r in lost-reasons activities stale; do
    run kanal report $r --json
    printf '%s\n' "$out" >"$T/d-$r.json"
done
for w in pipeline terms; do
    for r in funnel goals; do
        run kanal report $r --workflow $w --json
        printf '%s\n' "$out" >"$T/d-$r-$w.json"
    done
done
rm -f dash.html
ok kanal report dashboard --format html -o dash.html
pycheck html "$T/dash.html" --aliases "$T/aliases" "$T/d-lost-reasons.json" "$T/d-activities.json" \
    "$T/d-stale.json" "$T/d-funnel-pipeline.json" "$T/d-goals-pipeline.json" "$T/d-funnel-terms.json" \
    "$T/d-goals-terms.json" "$T/compare-now.json"
checks=$((checks + 1))
grep -q '<h2 id="h[0-9]*">Did the change help? — Referral partners, terms compared</h2>' dash.html ||
    fail "the dashboard page has no section 'Did the change help?' of terms"

# ==== 7. a workflow of nine versions ============================================================
# each version loaded at once: the report (and goals, which loads them too)
# holds the first while the ninth is read (they crashed when the engine's cache
# of definitions moved as it grew). Version N has one opportunity, #33+N,
# created on 2026-06-2N at 08:00 and lost an hour later for unclear_terms.
n=0
while [ $n -lt 9 ]; do
    n=$((n + 1))
    sed "s/^workflow: terms/workflow: many/; s/^name: .*/name: Nine versions, this the $n./" \
        "$RX/terms.yaml" >many.yaml
    ok kanal workflow apply many.yaml --as admin
    expect_out "many v$n"
    ok kanal partner add "Polecający $((33 + n))" --type referrer --as piotr
    ok kanal opp new --partner "Polecający $((33 + n))" --workflow many --as piotr --at 2026-06-2${n}T08:00:00Z
    ok kanal lose $((33 + n)) --reason unclear_terms --as piotr --at 2026-06-2${n}T09:00:00Z
done
ok kanal report compare --workflow many --json
expect_len '$.rows' 9
expect_row '$.rows[8]' version=9 opportunities=1 won=0 lost=1 compared_with=8 p=1 # 0 of 1 vs 0 of 1: no win to tell apart
expect_row '$.rows[8].top_lost_reasons[0]' reason=unclear_terms "name=Terms unclear to the partner" count=1
ok kanal report goals --workflow many --json
expect_len '$.rows' 1

# KANAL_CHARTS_KEEP=DIR keeps every chart, page and JSON of the run there
[ -n "${KANAL_CHARTS_KEEP:-}" ] && mkdir -p "$KANAL_CHARTS_KEEP" && cp -r "$T"/. "$KANAL_CHARTS_KEEP"/
finish
