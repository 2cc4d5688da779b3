#!/bin/sh
# The reports and the manager's lists read the history through indexes: the
# plan of every statement they prepare (captured by tests/fault/fault.c's
# KANAL_SQL_LOG), asked with EXPLAIN QUERY PLAN, never reads a whole table
# once per row of another (tests/cli/query_plans.py), so that their cost
# grows with the history, not with its square. The checker itself is shown to
# find such a plan: without the index of activities, it must complain.
# SQLite only (PostgreSQL plans by statistics, at run time).
. "$KANAL_SOURCE_DIR/tests/cli/lib.sh"

case "$BACKEND" in postgresql)
    echo "note: test_query_plans asks SQLite's planner" >&2; finish; exit 0 ;;
esac
FAULT=${KANAL_BUILD_DIR:-build}/test-plugins/libkanalfault.so
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
export KANAL_USER=admin KANAL_NOW=2026-03-31T17:00:00Z

# a history of about 500 opportunities of the wholesale workflow (tests/bench/gen_history.sh)
sh "$SRC/tests/bench/gen_history.sh" 3000 "$T" >/dev/null
ok kanal init
ok kanal workflow apply "$SRC/workflows/wholesale.yaml" "$SRC/workflows/referral_partners.yaml"
ok kanal user add boss --name Boss --role manager
ok kanal batch "$T/users.kanal"
ok kanal import csv partners "$T/partners.csv" --as boss
ok kanal import csv history "$T/history.csv" --as boss

# plan NAME CMD...: the command, its statements written to NAME.sql
plan() {
    _name=$1
    shift
    rm -f "$T/$_name.sql"
    run env KANAL_SQL_LOG="$T/$_name.sql" LD_PRELOAD="$FAULT" "$KANAL_BIN" "$@"
    expect_rc 0
    checks=$((checks + 1))
    grep -q -- '-- end --' "$T/$_name.sql" 2>/dev/null || fail "$_name: no statement was captured"
}
for r in lost-reasons activities stale; do
    plan "$r-all" report "$r" --as boss
done
for r in lost-reasons activities funnel stale goals; do
    plan "$r" report "$r" --workflow wholesale --as boss
    plan "$r-wf" report "$r" --workflow wholesale --owner rep3 --since 2026-02-01 --as boss
    plan "$r-asof" report "$r" --workflow wholesale --as-of 2026-02-15 --as boss
done
plan compare report compare --workflow wholesale --as boss
plan commission report commission --as boss
plan dashboard report dashboard --format html -o "$T/dash.html" --as boss
plan team next --team --as boss
plan rep next --as rep3
plan opps opp list --stale --overdue --sort -days --as boss
plan partners partner list --owner rep3 --as boss
plan history history 7 --as boss
plan search search "Sklep 0001" --as boss

run python3 "$SRC/tests/cli/query_plans.py" "$KANAL_DB" "$T"/*.sql
expect_rc 0
expect_out_has "reading a table once per row"

# the checker finds what it looks for: without the index of activities by opportunity,
# the last activity of each opportunity is a scan of every activity
cp "$KANAL_DB" "$T/noindex.db"
sqlite3 "$T/noindex.db" "DROP INDEX activities_opp"
run python3 "$SRC/tests/cli/query_plans.py" "$T/noindex.db" "$T"/*.sql
expect_rc 1
expect_out_has "SCAN x: scanned once per row of a correlated subquery"
finish
