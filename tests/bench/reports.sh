#!/bin/sh
# The reports against hand-written queries (the logic of scripts/bench-reports.sh,
# on the referral_partners history of scripts/bench.sh): each `kanal report`
# on BIG, best of three, against a floor run by the sqlite3 shell on the same
# database, the same figure by hand; and its peak memory on BIG and on SMALL
# (a tenth of the opportunities). Prints ROW lines (scripts/bench.sh).
#
#   tests/bench/reports.sh BUILD_DIR BIG_DB SMALL_DB [--pg]
#
# With --pg, BIG_DB and SMALL_DB are postgresql:// URIs (copies of the SQLite
# ones, kanal db copy) and the floor's queries run through psql.
#
# Goals (the reports issue): under 1 s, within 2x the floor; peak memory under
# 64 MiB and at most 1.2x the peak at a tenth of the size.
set -eu
build=$1 big=$2 small=$3 pg=${4:-}
kanal=$build/kanal
command -v sqlite3 >/dev/null || { echo "reports.sh: sqlite3 is missing" >&2; exit 2; }
backend="" floor_name="hand-written SQL (sqlite3)"
if [ "$pg" = --pg ]; then
    backend=" on PostgreSQL" floor_name="hand-written SQL (psql)"
    export PGOPTIONS="-c search_path=kanal"
fi
export KANAL_NOW=${KANAL_NOW:-2026-06-30T12:00:00Z} KANAL_USER=boss
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kanal-bench-reports.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

now() { date +%s.%N; }
best() { # best of three wall-clock times of a command, in seconds
    b=""
    for _ in 1 2 3; do
        t0=$(now)
        "$@" >/dev/null
        t1=$(now)
        b=$(awk -v a="$t0" -v c="$t1" -v b="$b" 'BEGIN { d = c - a; print (b == "" || d < b) ? d : b }')
    done
    echo "$b"
}
peak() { # peak resident memory of a command, in KiB
    /usr/bin/time -f 'PEAK %M' "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; return 1; }
    sed -n 's/^PEAK //p' "$tmp/err" | tail -1
}
# sql DB QUERY: the floor, by the backend's own shell
sql() {
    if [ -n "$backend" ]; then psql -q -X -A -t "$1" -c "$2"; else sqlite3 "$1" "$2"; fi
}
opps() { sql "$1" 'SELECT count(*) FROM opportunities'; }
n_big=$(opps "$big") n_small=$(opps "$small")

# NAME|ARGS|the floor's SQL (the main figure, by hand)
cat >"$tmp/reports" <<'EOF'
lost-reasons||SELECT lost_reason, count(*) FROM opportunities WHERE status = 'lost' GROUP BY lost_reason ORDER BY 2 DESC;
activities||SELECT o.owner, (SELECT a.type FROM activities a WHERE a.opp_id = o.id ORDER BY a.at, a.id LIMIT 1) AS first, o.status, count(*) FROM opportunities o GROUP BY 1, 2, 3;
funnel|--workflow referral_partners|SELECT CASE type WHEN 'created' THEN json_extract(data, '$.stage') ELSE json_extract(data, '$.to') END AS stage, count(*) FROM events WHERE type IN ('created', 'advanced') GROUP BY stage;
stale||SELECT o.id, p.name, o.owner, o.stage, o.stage_entered_at, (SELECT max(a.at) FROM activities a WHERE a.opp_id = o.id) FROM opportunities o JOIN partners p ON p.id = o.partner_id WHERE o.status = 'open' AND unixepoch('2026-06-30T12:00:00Z') - unixepoch(o.stage_entered_at) >= 86400 * (1 + CASE o.stage WHEN 'awareness' THEN 21 WHEN 'launch' THEN 14 ELSE 30 END) ORDER BY o.stage_entered_at;
goals|--workflow referral_partners|SELECT g.goal, count(*), sum(o.status = 'won') FROM goals_done g JOIN opportunities o ON o.id = g.opp_id GROUP BY g.goal;
EOF
if [ -n "$backend" ]; then # the same figures in PostgreSQL's words
    sed -i -e "s/json_extract(data, '\$\.\([a-z]*\)')/(data->>'\1')/g" \
        -e "s/unixepoch('\([^']*\)')/extract(epoch from timestamptz '\1')/" \
        -e "s/unixepoch(o.stage_entered_at)/extract(epoch from o.stage_entered_at::timestamptz)/" \
        -e "s/sum(o.status = 'won')/sum((o.status = 'won')::int)/" "$tmp/reports"
fi

while IFS='|' read -r name args sql; do
    echo "reports.sh: $name" >&2
    # shellcheck disable=SC2086
    k=$(best env KANAL_DB="$big" "$kanal" report "$name" $args --json)
    f=$(best sql "$big" "$sql")
    # shellcheck disable=SC2086
    m=$(peak env KANAL_DB="$big" "$kanal" report "$name" $args --json)
    # shellcheck disable=SC2086
    ms=$(peak env KANAL_DB="$small" "$kanal" report "$name" $args --json)
    awk -v n="$name$backend" -v fl="$floor_name" -v nb="$n_big" -v ns="$n_small" -v f="$f" -v k="$k" -v m="$m" -v ms="$ms" 'BEGIN {
        r = k / f
        v = r <= 2 ? "met" : sprintf("missed by %.0f%%", (r / 2 - 1) * 100 + 0.5)
        if (k >= 1) v = v (v == "met" ? "" : ";") " over 1 s"
        if (v == "met over 1 s") v = sprintf("missed by %.0f%%: over 1 s", (k - 1) * 100 + 0.5)
        printf "ROW\treport %s, %d opps\t%.3f s\t%s\t%.3f s\t%.2fx\t<= 2x, < 1 s\t%s\n", \
            n, nb, k, fl, f, r, v
        mr = m / ms
        if (m > 65536) v = sprintf("missed by %.0f%%: over 64 MiB", (m / 65536 - 1) * 100 + 0.5)
        else if (mr <= 1.2) v = "met"
        else v = sprintf("missed by %.0f%%", (mr / 1.2 - 1) * 100 + 0.5)
        printf "ROW\tpeak memory, report %s, %d opps\t%.1f MiB\tthe same, %d opps\t%.1f MiB\t%.2fx\t< 64 MiB, <= 1.20x\t%s\n", \
            n, nb, m / 1024, ns, ms / 1024, mr, v
    }'
done <"$tmp/reports"
