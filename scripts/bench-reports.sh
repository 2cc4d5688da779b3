#!/bin/sh
# Times every `kanal report` on a generated history of OPPS opportunities
# (default 100,000: about 1.1 million imported steps, 1.5 million events),
# each against a floor measured in the same run on the same database: a
# hand-written SQL query, run by the sqlite3 shell, that computes the
# report's main figure. Also the peak memory of each report, at OPPS and at
# a tenth of it, to show that it stays flat as the history grows.
#
#   scripts/bench-reports.sh [OPPS [DIR]]
#
# With DIR, the generated databases are kept there and reused by the next
# run with the same DIR (building 100,000 opportunities takes a few minutes).
#
# Goals (the reports issue): each report under 1 s at 100,000 opportunities,
# within 2x its floor, peak memory under 64 MiB and no more than 1.2x the
# peak at a tenth of the size.
set -eu
cd "$(dirname "$0")/.."
opps=${1:-100000}
scripts/setup.sh >/dev/null
kanal="$PWD/build/kanal"
if [ $# -ge 2 ]; then
    dir=$2
    mkdir -p "$dir"
else
    dir=$(mktemp -d "${TMPDIR:-/tmp}/kanal-bench.XXXXXX")
    trap 'rm -rf "$dir"' EXIT
fi
export KANAL_USER=admin KANAL_NOW=2026-03-31T17:00:00Z
command -v /usr/bin/time >/dev/null || { echo "bench-reports: /usr/bin/time is missing (apt-get install time)" >&2; exit 2; }

now() { date +%s.%N; }

# build DB OPPS: a database of about OPPS wholesale opportunities
build() {
    db=$1 n=$2
    if [ -f "$db" ] && [ "$(sqlite3 "$db" 'SELECT count(*) FROM opportunities')" -ge $((n * 9 / 10)) ]; then
        echo "reusing $db"
        return
    fi
    rm -f "$db" "$db-wal" "$db-shm"
    mkdir -p "$dir/gen-$n"
    tests/bench/gen_history.sh $((n * 112 / 10)) "$dir/gen-$n"
    KANAL_DB=$db "$kanal" init >/dev/null
    KANAL_DB=$db "$kanal" workflow apply workflows/wholesale.yaml >/dev/null
    KANAL_DB=$db "$kanal" user add boss --name Boss --role manager >/dev/null
    KANAL_DB=$db "$kanal" batch "$dir/gen-$n/users.kanal" >/dev/null
    KANAL_DB=$db "$kanal" import csv partners "$dir/gen-$n/partners.csv" --as boss >/dev/null
    t0=$(now)
    KANAL_DB=$db "$kanal" import csv history "$dir/gen-$n/history.csv" --as boss >/dev/null
    t1=$(now)
    printf 'built %s: %s opportunities, %s events (import %.1f s)\n' "$(basename "$db")" \
        "$(sqlite3 "$db" 'SELECT count(*) FROM opportunities')" \
        "$(sqlite3 "$db" 'SELECT count(*) FROM events')" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')"
}

# best of three wall-clock times of a command, in seconds
best() {
    b=""
    for _ in 1 2 3; do
        t0=$(now)
        "$@" >/dev/null
        t1=$(now)
        b=$(awk -v a="$t0" -v c="$t1" -v b="$b" 'BEGIN { d = c - a; print (b == "" || d < b) ? d : b }')
    done
    echo "$b"
}

# peak resident memory of a command, in KiB
peak() {
    /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1
}

big=$dir/big-$opps.db
small=$dir/small-$opps.db
build "$big" "$opps"
build "$small" $((opps / 10))

# each report: NAME|ARGS|the floor's SQL (the main figure, by hand)
cat >"$dir/reports" <<'EOF'
lost-reasons||SELECT lost_reason, count(*) FROM opportunities WHERE status = 'lost' GROUP BY lost_reason ORDER BY 2 DESC;
activities||SELECT o.owner, (SELECT a.type FROM activities a WHERE a.opp_id = o.id ORDER BY a.at, a.id LIMIT 1) AS first, o.status, count(*) FROM opportunities o GROUP BY 1, 2, 3;
funnel|--workflow wholesale|SELECT CASE type WHEN 'created' THEN json_extract(data, '$.stage') ELSE json_extract(data, '$.to') END AS stage, count(*) FROM events WHERE type IN ('created', 'advanced') GROUP BY stage;
stale||SELECT o.id, p.name, o.owner, o.stage, o.stage_entered_at, (SELECT max(a.at) FROM activities a WHERE a.opp_id = o.id) FROM opportunities o JOIN partners p ON p.id = o.partner_id WHERE o.status = 'open' AND unixepoch('2026-03-31T17:00:00Z') - unixepoch(o.stage_entered_at) >= 86400 * (1 + CASE o.stage WHEN 'contact' THEN 10 ELSE 30 END) ORDER BY o.stage_entered_at;
goals|--workflow wholesale|SELECT g.goal, count(*), sum(o.status = 'won') FROM goals_done g JOIN opportunities o ON o.id = g.opp_id GROUP BY g.goal;
EOF

printf '\n%-13s %9s %9s %7s %12s %12s %7s\n' report floor kanal ratio "peak MiB" "at 1/10" ratio
status=0
while IFS='|' read -r name args sql; do
    # shellcheck disable=SC2086
    k=$(best env KANAL_DB="$big" "$kanal" report "$name" $args --json --as boss)
    f=$(best sqlite3 "$big" "$sql")
    # shellcheck disable=SC2086
    m=$(peak env KANAL_DB="$big" "$kanal" report "$name" $args --json --as boss)
    # shellcheck disable=SC2086
    ms=$(peak env KANAL_DB="$small" "$kanal" report "$name" $args --json --as boss)
    line=$(awk -v n="$name" -v f="$f" -v k="$k" -v m="$m" -v ms="$ms" 'BEGIN {
        printf "%-13s %8.3fs %8.3fs %6.2fx %11.1f %12.1f %6.2fx", n, f, k, k / f, m / 1024, ms / 1024, m / ms
        bad = ""
        if (k >= 1) bad = bad " over 1 s;"
        if (k > 2 * f) bad = bad " over 2x the floor;"
        if (m > 64 * 1024) bad = bad " over 64 MiB;"
        if (m > 1.2 * ms) bad = bad " memory grows;"
        if (bad != "") printf "  MISSED:%s", bad
    }')
    echo "$line"
    case "$line" in *MISSED*) status=1 ;; esac
done <"$dir/reports"
# and a report of the past: --as-of rebuilds the opportunities changed since from the log
k=$(best env KANAL_DB="$big" "$kanal" report lost-reasons --as-of 2026-02-15 --json --as boss)
printf '%-13s %9s %8.3fs   (--as-of 2026-02-15: every opportunity changed since, rebuilt from the log)\n' \
    lost-reasons - "$k"
exit $status
