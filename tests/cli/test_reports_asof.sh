#!/bin/sh
# A report --as-of a past moment gives exactly what the same report gave at
# that moment. Checked without trusting the report's own reconstruction: the
# demo month (plus a reassignment in its middle) is exported as a history,
# cut after each moment T, and imported into a fresh database whose clock
# reads T; there every report reads the opportunities' rows as they are
# now, which is the state of the record at T. Both must give the same JSON,
# byte for byte, for every report and every split, at moments between
# events, on an event's exact time, and now.
. "$KANAL_SOURCE_DIR/tests/cli/lib.sh"
export TZ=UTC
export KANAL_NOW=2026-03-31T17:00:00Z
WF=$SRC/workflows

fresh() {
    ok kanal init --admin admin --name "Ada Admin" --db "$1"
    ok kanal workflow apply "$WF/distributors.yaml" "$WF/referral_partners.yaml" "$WF/wholesale.yaml" \
        --db "$1" --as admin
}

A=$(new_db month)
fresh "$A"
export KANAL_DB=$A
ok kanal batch "$SRC/scripts/demo.kanal" --as admin
# in the middle of the month, opportunity 7 changes hands: as of before it,
# krzysztof owns it; after, piotr
ok kanal reassign --from krzysztof --to piotr --partner "Hurtownia Podkarpacie" \
    --at 2026-03-18T09:00:00Z --as anna
expect_out "moved 1 partner and 1 open opportunity from krzysztof to piotr"
# and piotr works on it after: as of 03-19, opportunity 7 has changed since, and
# its owner then must come from the log, not from its row
ok kanal log 7 call --note "Took over from krzysztof" --as piotr --at 2026-03-20T10:00:00Z
ok kanal export csv partners -o partners.csv --as anna
ok kanal export csv events -o events.csv --as anna
# the partners as they were before anyone claimed them: the history claims them
sqlite3 :memory: ".import --csv partners.csv p" "UPDATE p SET owner = ''" \
    ".headers on" ".mode csv" ".once partners0.csv" "SELECT * FROM p ORDER BY rowid"
sqlite3 :memory: ".import --csv events.csv e" "CREATE TABLE keep AS SELECT * FROM e"

# every report, every split: the label and the arguments, a line each
cat >reports.txt <<'EOF'
lost-reasons
lost-reasons --by stage
lost-reasons --by owner
lost-reasons --workflow distributors --by stage
activities
activities --workflow distributors
activities --owner piotr
funnel --workflow distributors
funnel --workflow referral_partners
funnel --workflow wholesale
stale
stale --owner piotr
goals --workflow distributors
goals --workflow referral_partners
EOF

n_cuts=0
for cut in 2026-03-02T10:07:00Z 2026-03-04T10:45:00Z 2026-03-09T12:00:00Z 2026-03-13T17:00:00Z \
    2026-03-16T09:25:00Z 2026-03-18T09:00:00Z 2026-03-19T00:00:00Z 2026-03-24T00:00:00Z \
    2026-03-31T17:00:00Z; do
    n_cuts=$((n_cuts + 1))
    B=$(new_db cut-$n_cuts)
    # the history up to the cut, rows in their order (sqlite3 writes RFC 4180 CSV)
    sqlite3 "$T/cut.tmp.db" "DROP TABLE IF EXISTS e" ".import --csv events.csv e" \
        ".headers on" ".mode csv" ".once $T/events-$n_cuts.csv" \
        "SELECT * FROM e WHERE at <= '$cut' ORDER BY rowid"
    KANAL_NOW=$cut fresh "$B"
    grep "^user add" "$SRC/scripts/demo.kanal" >users.kanal
    KANAL_NOW=$cut run kanal batch - --db "$B" --as admin <users.kanal
    expect_rc 0
    KANAL_NOW=$cut run kanal import csv partners partners0.csv --db "$B" --as anna
    expect_rc 0
    KANAL_NOW=$cut run kanal import csv history "$T/events-$n_cuts.csv" --db "$B" --as anna
    expect_rc 0
    # every step up to the cut went in
    rows=$(($(sqlite3 "$T/cut.tmp.db" "SELECT count(*) FROM e WHERE at <= '$cut'")))
    expect_out "imported $rows of $rows rows"
    printf '%s %s\n' "$cut" "$rows" >>"$T/cut-sizes"
    while IFS= read -r args; do
        # shellcheck disable=SC2086
        KANAL_NOW=$cut run kanal report $args --json --db "$B" --as anna
        expect_rc 0
        then_json=$out
        # shellcheck disable=SC2086
        run kanal report $args --as-of "$cut" --json --db "$A" --as anna
        expect_rc 0
        checks=$((checks + 1))
        [ "$out" = "$then_json" ] ||
            fail "report $args --as-of $cut differs from the record cut at $cut:
  as of: $out
  then:  $then_json"
    done <reports.txt
done

# the cuts grow through the month, from a few steps to all of them
checks=$((checks + 1))
[ "$(cut -d' ' -f2 "$T/cut-sizes" | sort -n | uniq | wc -l)" = "$n_cuts" ] ||
    fail "two cuts hold the same steps: $(cat "$T/cut-sizes")"
# the cuts are not all empty: the figures move through the month
run kanal report activities --as-of 2026-03-02T10:07:00Z --json --as anna
expect_out_has '"owner":"marcin","opportunities":1,'
# krzysztof: opportunities 6, 7 (created 03-16 09:00) and 10; from 03-18 09:00, 7 is piotr's
run kanal report activities --as-of 2026-03-16T09:25:00Z --owner krzysztof --json --as anna
expect_out_has '"owner":"krzysztof","opportunities":3,'
run kanal report activities --as-of 2026-03-19T00:00:00Z --owner krzysztof --json --as anna
expect_out_has '"owner":"krzysztof","opportunities":2,'
run kanal report activities --owner piotr --json --as anna
expect_out_has '"owner":"piotr","opportunities":5,'
finish
