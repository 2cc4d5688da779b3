#!/bin/sh
# What goes around the charts: `kanal report` alone and its formats, the
# dashboard in the formats that cannot or can hold it (csv refuses it, the
# example's markdown writes every report, a plugin built before tables had
# parts is refused it rather than writing an empty page), and the same rate
# written the same way in a chart and in its table on one page.
. "$KANAL_SOURCE_DIR/tests/cli/lib.sh"
OLD=${KANAL_TEST_PLUGINS:?}/old
export KANAL_NOW=2026-03-31T17:00:00Z KANAL_USER=admin
ok kanal init --admin admin --name "Ada Admin"
ok kanal workflow apply "$SRC"/workflows/*.yaml
run kanal batch "$SRC/scripts/demo.kanal"
expect_rc 0
export KANAL_USER=anna

# ---- kanal report alone ---------------------------------------------------------------------
ok kanal report --json
expect_out '{"reports":[{"name":"activities","summary":"what each rep does, and what works: outcomes, activity mix, first touch"},{"name":"commission","summary":"what won partners'"'"' clients earn them: each deal'"'"'s commission by the rules, per partner"},{"name":"compare","summary":"did the change help: each version of a workflow, its win rate, days to a win and lost reasons, compared"},{"name":"funnel","summary":"where opportunities get stuck: each stage entered, left, converted, and how long"},{"name":"goals","summary":"which goals matter: done, done out of order, win rate with and without"},{"name":"lost-reasons","summary":"why partners say no: lost reasons, most frequent first"},{"name":"stale","summary":"what waits too long: open opportunities past their stage'"'"'s max_days"},{"name":"dashboard","summary":"every report in one file for the board: --format html -o FILE"}]}'
run kanal report --format svg
expect_rc 2
expect_err "kanal: error: --format svg draws a report: name one (kanal report NAME --format svg), or the dashboard
usage: kanal report [NAME|dashboard] (see 'kanal report --help')"
expect_out ""

# ---- the dashboard in other formats -----------------------------------------------------------
run kanal report dashboard --format csv -o "$T/d.csv"
expect_rc 2
expect_err "kanal: error: format 'csv' (plugin csv): CSV holds one table and the dashboard holds one per report: write each report as CSV (kanal report NAME --format csv), or the dashboard as html or json"
checks=$((checks + 1))
[ ! -e "$T/d.csv" ] || fail "a refused dashboard left a file"
run kanal report dashboard --format svg
expect_rc 2
expect_err "kanal: error: format 'svg' (plugin svg): the dashboard holds a chart per report: write it with --format html (one file with every chart)"
expect_out ""
# markdown (the example plugin, ABI 1.2): each report under its question
ok kanal report dashboard --format markdown
for q in "## Why partners said no" "## What each rep does, and what it wins" "## What waits too long" \
    "## Where opportunities get stuck" "## Which goals go with a win" \
    "| unclear_terms | Terms unclear to the partner | 40% (2 of 5; 12-77%) |" \
    "| 5 | Centrum Dystrybucji Śląsk | piotr | distributors | awareness | 26 | 14 |"; do
    expect_out_has "$q"
done
# a plugin built for ABI 1.1 cannot see a dashboard's reports: refused, not an empty page
export KANAL_PLUGIN_PATH=$OLD
run kanal report dashboard --format tsv
expect_rc 2
expect_err "kanal: error: format 'tsv' (plugin tsv, built for plugin ABI 1.1) cannot see the reports the dashboard holds (ABI 1.2): use --format html or json"
expect_out ""
# and it still writes a report, a list
ok kanal report lost-reasons --format tsv
expect_out "$(printf 'reason\tname\tcount\tlost\tshare\tshare_low\tshare_high\nunclear_terms\tTerms unclear to the partner\t2\t5\t0.4\t0.1176\t0.7693\ncompetitor\tWorks with a competitor\t1\t5\t0.2\t0.0362\t0.6245\nmargin_too_low\tMargin too low\t1\t5\t0.2\t0.0362\t0.6245\nno_shelf_space\tNo shelf space\t1\t5\t0.2\t0.0362\t0.6245')"
unset KANAL_PLUGIN_PATH

# ---- one figure for one rate on a page ----------------------------------------------------------
# the goals of the distributors: 1 of 8 would be 12.5%; the table says 12% (printf rounds
# half to even), so the chart must too. Here: offer_accepted not done, 0 of 3; done 1 of 1.
ok kanal report dashboard --format html -o "$T/d.html"
checks=$((checks + 1))
for p in $(grep -o '[0-9]*% ([0-9]* of [0-9]*' "$T/d.html" | sort -u | sed 's/ /_/g'); do
    pct=${p%%%*}
    k=$(echo "$p" | sed 's/.*(\([0-9]*\)_of_.*/\1/')
    n=$(echo "$p" | sed 's/.*_of_\([0-9]*\)/\1/')
    want=$(awk -v k="$k" -v n="$n" 'BEGIN { printf "%.0f", 100 * k / n }')
    [ "$pct" = "$want" ] || fail "the page writes $pct% for $k of $n, want $want% (as the tables do)"
done
finish
