#!/bin/sh
# Kanal's speed and memory against the floor of the machine (issue 16): builds
# a Release build, runs the benchmarks of tests/bench/ on histories made by the
# seeded generator (tests/bench/bench_gen.h, workflow referral_partners), and
# prints one table: each measurement, its floor measured in the same run, the
# ratio and the goal, met or missed by how much.
#
#   scripts/bench.sh [--quick] [--build DIR] [--opps N] [--full-opps N]
#                    [--rows N] [--seed S] [--keep DIR] [--no-pg]
#
#   --quick        everything at a small size, in seconds (ctest runs this)
#   --build DIR    use the build already in DIR (no configure, no build)
#   --opps N       opportunities stepped (default 100,000; memory and the
#                  reports also at N/10)
#   --full-opps N  opportunities stepped with synchronous=FULL (default N:
#                  every step waits for the disk, about 3 ms each here)
#   --rows N       CSV history rows imported (default 100,000; memory also
#                  at 10 N)
#   --keep DIR     keep the databases and files in DIR
#   --no-pg        leave out the reports on PostgreSQL (they run on a
#                  throwaway server, scripts/pg-server.sh, when one starts)
#
# Every sub-benchmark prints rows on stdout as
#   ROW<TAB>measurement<TAB>value<TAB>floor<TAB>floor value<TAB>ratio<TAB>goal<TAB>verdict
# and its progress on stderr; this script gathers the rows into the table.
# tests/bench/cli.sh BUILD_DIR [--quick], when present, adds the rows of one
# CLI command run as a process. Exits 0 when every row was produced, goals met
# or not (the table says which); 1 when a benchmark failed.
set -eu
cd "$(dirname "$0")/.."
src=$PWD

pg=1 quick=0 build="" opps=100000 full_opps="" rows=100000 seed=1 keep=""
while [ $# -gt 0 ]; do
    case "$1" in
    --quick) quick=1 ;;
    --build) build=$2; shift ;;
    --opps) opps=$2; shift ;;
    --full-opps) full_opps=$2; shift ;;
    --rows) rows=$2; shift ;;
    --seed) seed=$2; shift ;;
    --keep) keep=$2; shift ;;
    --no-pg) pg=0 ;;
    -h | --help) sed -n '2,29p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown option '$1'" >&2; exit 2 ;;
    esac
    shift
done
batch_lines=5000
if [ "$quick" -eq 1 ]; then
    opps=60 full_opps=15 rows=1000 batch_lines=200
fi
[ -n "$full_opps" ] || full_opps=$opps
small_opps=$((opps / 10))
[ "$small_opps" -ge 1 ] || small_opps=1

say() { echo "bench: $*" >&2; }

if [ -z "$build" ]; then
    build=$src/build-bench
    say "building a Release build in $build"
    cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$build" -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
fi
build=$(cd "$build" && pwd)
kanal=$build/kanal
steps=$build/bench_steps
gen=$build/bench_gen
for f in "$kanal" "$steps" "$gen"; do
    [ -x "$f" ] || { echo "bench.sh: $f is missing (build the tree first)" >&2; exit 2; }
done
command -v /usr/bin/time >/dev/null || { echo "bench.sh: /usr/bin/time is missing (apt-get install time)" >&2; exit 2; }

if [ -n "$keep" ]; then
    mkdir -p "$keep"
    work=$(cd "$keep" && pwd)
else
    work=$(mktemp -d "${TMPDIR:-/tmp}/kanal-bench.XXXXXX")
fi
pgdir=""
cleanup() {
    [ -z "$pgdir" ] || "$src/scripts/pg-server.sh" stop "$pgdir" || true
    [ -n "$keep" ] || rm -rf "$work"
}
trap cleanup EXIT
out=$work/rows.tsv
: >"$out"
status=0
started=$(date +%s)

# verdict RATIO OP GOAL: "met", or "missed by N%" (OP: le, the ratio at most
# GOAL; ge, at least GOAL)
verdict() {
    awk -v r="$1" -v op="$2" -v g="$3" 'BEGIN {
        if ((op == "le" && r <= g) || (op == "ge" && r >= g)) { print "met"; exit }
        m = op == "le" ? (r - g) / g : (g - r) / g
        printf "missed by %.0f%%\n", m * 100 + 0.5
    }'
}

# row MEASUREMENT VALUE FLOOR FLOOR_VALUE RATIO OP GOAL GOAL_TEXT [WHY]
row() {
    v=$(verdict "$5" "$6" "$7")
    case "$v" in missed*) [ -z "${9:-}" ] || v="$v: $9" ;; esac
    printf 'ROW\t%s\t%s\t%s\t%s\t%.2fx\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$8" "$v" >>"$out"
}

# memrow MEASUREMENT KIB FLOOR FLOOR_KIB [WHY]: under 64 MiB, and at most 1.2x the smaller size
memrow() {
    v=$(awk -v m="$2" -v s="$4" 'BEGIN {
        if (m > 64 * 1024) { printf "missed by %.0f%%: over 64 MiB\n", (m / 65536 - 1) * 100 + 0.5; exit }
        if (m <= 1.2 * s) { print "met"; exit }
        printf "missed by %.0f%%\n", (m / s / 1.2 - 1) * 100 + 0.5
    }')
    case "$v" in "missed by"*) [ -z "${5:-}" ] || v="$v; $5" ;; esac
    printf 'ROW\t%s\t%s\t%s\t%s\t%.2fx\t%s\t%s\n' "$1" "$(mib "$2")" "$3" "$(mib "$4")" \
        "$(ratio "$2" "$4")" "< 64 MiB, <= 1.20x" "$v" >>"$out"
}

# field NAME LINE: the number after NAME in "steps N seconds S floor F"
field() { echo "$2" | awk -v k="$1" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }'; }
# ratio A B: A / B
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f\n", (b > 0 ? a / b : 0) }'; }
# rate N S: "1234 steps/s"
rate() { awk -v n="$1" -v s="$2" -v u="${3:-steps/s}" 'BEGIN { printf "%.0f %s\n", (s > 0 ? n / s : 0), u }'; }
secs() { awk -v s="$1" 'BEGIN { printf "%.2f s\n", s }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB\n", k / 1024 }'; }
now() { date +%s.%N; }
# peak KiB of a command (its stdout to FILE): /usr/bin/time's %M on the last line of stderr
peak_to() {
    file=$1; shift
    /usr/bin/time -f 'PEAK %M' "$@" >"$file" 2>"$file.err" || { cat "$file.err" >&2; return 1; }
    sed -n 's/^PEAK //p' "$file.err" | tail -1
}
# a fresh database for the CLI: workflow, users, one partner per opportunity (dir DIR)
cli_db() {
    db=$1 dir=$2
    rm -f "$db" "$db-wal" "$db-shm"
    KANAL_DB=$db KANAL_USER=admin "$kanal" init >/dev/null
    KANAL_DB=$db KANAL_USER=admin "$kanal" workflow apply "$wf" >/dev/null
    KANAL_DB=$db KANAL_USER=admin "$kanal" batch "$dir/setup.kanal" >/dev/null
    KANAL_DB=$db KANAL_USER=boss "$kanal" import csv partners "$dir/partners.csv" >/dev/null
}
export KANAL_NOW=2026-06-30T12:00:00Z

# The workflow as it ships: its rules run on every step, with their default limits
# (the time limit is for one step; it was once for a whole import, which refused
# an import of more than about 800 opportunities of referral_partners).
wf=$src/workflows/referral_partners.yaml

fmt_n() { awk -v n="$1" 'BEGIN { s = sprintf("%d", n); o = ""; while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) }; print s o }'; }

# ---- 1. stepping through the library against the floor, FULL and NORMAL ----
say "stepping $full_opps opportunities, synchronous=FULL, with the floor interleaved"
r=$("$steps" pair "$work/full.db" "$full_opps" "$seed" --workflow "$wf" --sync full)
n=$(field steps "$r") s=$(field seconds "$r") f=$(field floor "$r")
row "stepping $(fmt_n "$full_opps") opps ($(fmt_n "$n") steps), library, synchronous=FULL" \
    "$(rate "$n" "$s")" "event rows, one prepared INSERT, 1 tx each" "$(rate "$n" "$f" rows/s)" \
    "$(ratio "$f" "$s")" ge 0.5 ">= 0.50x the floor's rate" \
    "a step writes ~13 WAL pages to the floor's 2, and each flush waits on them"

say "stepping $opps opportunities, synchronous=NORMAL, with the floor interleaved"
r=$("$steps" pair "$work/normal.db" "$opps" "$seed" --workflow "$wf" --sync normal)
n=$(field steps "$r") s=$(field seconds "$r") f=$(field floor "$r")
row "stepping $(fmt_n "$opps") opps ($(fmt_n "$n") steps), library, synchronous=NORMAL" \
    "$(rate "$n" "$s")" "event rows, one prepared INSERT, 1 tx each" "$(rate "$n" "$f" rows/s)" \
    "$(ratio "$f" "$s")" ge 0.5 ">= 0.50x the floor's rate" \
    "~13 WAL pages written a step (the event, its indexes, the opportunity, goals, fields) to the floor's 2, and a fresh Lua state for each step's hooks"

# ---- 2. the rules on every step, and the peak memory of stepping ----
say "stepping $opps opportunities with the rules, and without (synchronous=NORMAL)"
m_big=$(peak_to "$work/rules.out" "$steps" lib "$work/big.db" "$opps" "$seed" --workflow "$wf" --sync normal)
r=$(cat "$work/rules.out")
n=$(field steps "$r") s_rules=$(field seconds "$r")
r=$("$steps" lib "$work/norules.db" "$opps" "$seed" --workflow "$wf" --sync normal --norules)
s_plain=$(field seconds "$r")
row "the same with the Lua rules on every step (NORMAL)" "$(secs "$s_rules")" \
    "the same without rules" "$(secs "$s_plain")" "$(ratio "$s_rules" "$s_plain")" le 1.15 \
    "<= 1.15x the time" "a fresh sandboxed Lua state in every step that calls a hook (nothing a hook keeps survives a command); the rules are compiled once a process"

say "stepping $small_opps opportunities (memory)"
m_small=$(peak_to "$work/small.out" "$steps" lib "$work/small.db" "$small_opps" "$seed" --workflow "$wf" --sync normal)
c_big=$(field cache_kib "$(cat "$work/rules.out")") c_small=$(field cache_kib "$(cat "$work/small.out")")
memrow "peak memory, stepping $(fmt_n "$opps") opps" "$m_big" \
    "stepping $(fmt_n "$small_opps") opps" "$m_small" \
    "SQLite's page cache grows with the database up to its 32 MiB cache_size: $(mib "$c_small") then $(mib "$c_big") at the end"

# ---- 3. kanal batch --atomic against the library in one transaction ----
say "kanal batch --atomic of $opps opportunities' steps, and the library in one transaction"
mkdir -p "$work/gen"
"$gen" "$opps" "$seed" "$work/gen" >/dev/null
cli_db "$work/atomic.db" "$work/gen"
t0=$(now)
KANAL_DB=$work/atomic.db KANAL_USER=boss "$kanal" batch --atomic "$work/gen/steps.kanal" >/dev/null 2>&1
t1=$(now)
r=$("$steps" lib "$work/onetx.db" "$opps" "$seed" --workflow "$wf" --one-tx)
n=$(field steps "$r") s=$(field seconds "$r")
k=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
row "kanal batch --atomic, $(fmt_n "$n") steps (one process, one tx)" "$(secs "$k")" \
    "the library, the same steps in one tx" "$(secs "$s")" "$(ratio "$k" "$s")" le 1.5 \
    "<= 1.50x the time" "parsing each line, the command's reads to print its result, and its events kept for the plugins"

# ---- 4. kanal batch, one transaction a line, against one-row transactions ----
say "kanal batch of $batch_lines steps, one transaction a line (synchronous=FULL)"
head -n "$batch_lines" "$work/gen/steps.kanal" >"$work/gen/head.kanal"
cli_db "$work/batch.db" "$work/gen"
# in chunks, the floor's after each, so that both see the same disk
chunks=5
per=$(((batch_lines + chunks - 1) / chunks))
split -l "$per" "$work/gen/head.kanal" "$work/gen/chunk."
kb=0 fb=0
for c in "$work"/gen/chunk.*; do
    lines=$(wc -l <"$c")
    t0=$(now)
    KANAL_DB=$work/batch.db KANAL_USER=boss "$kanal" batch "$c" >/dev/null 2>&1
    t1=$(now)
    r=$("$steps" floor "$work/batch-floor.db" "$lines" --sync full)
    kb=$(awk -v a="$kb" -v t0="$t0" -v t1="$t1" 'BEGIN { print a + t1 - t0 }')
    fb=$(awk -v a="$fb" -v b="$(field seconds "$r")" 'BEGIN { print a + b }')
done
row "kanal batch, $(fmt_n "$batch_lines") steps, 1 tx a line (FULL)" "$(secs "$kb")" \
    "$(fmt_n "$batch_lines") one-row txs, one process" "$(secs "$fb")" "$(ratio "$kb" "$fb")" le 1.2 \
    "<= 1.20x" "CPU as the library's; the wait is the flush of ~13 WAL pages a step to the floor's 2"

# ---- 5. import of the CSV history against stepping the same events ----
gen_rows() { # gen_rows ROWS DIR: a history of about ROWS rows; prints the rows
    mkdir -p "$2"
    o=$(($1 * 10 / 127))
    [ "$o" -ge 1 ] || o=1
    echo "$o" >"$2/opps"
    "$gen" "$o" "$seed" "$2" --only-history
}
say "importing about $rows CSV history rows, and stepping the same events (one transaction)"
nr=$(gen_rows "$rows" "$work/imp")
cli_db "$work/import.db" "$work/imp"
t0=$(now)
m_imp=$(peak_to "$work/import.out" env KANAL_DB="$work/import.db" KANAL_USER=boss \
    "$kanal" import csv history "$work/imp/history.csv")
t1=$(now)
r=$("$steps" lib "$work/import-lib.db" "$(cat "$work/imp/opps")" "$seed" --workflow "$wf" --one-tx)
s=$(field seconds "$r")
k=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
row "kanal import csv history, $(fmt_n "$nr") rows" "$(secs "$k")" \
    "the library stepping the same events, one tx" "$(secs "$s")" "$(ratio "$k" "$s")" le 1.5 \
    "<= 1.50x the time" "reading and checking each row, finding its partner and opportunity, keeping its events for the plugins"

big_rows=$((rows * 10))
say "importing about $big_rows CSV history rows (memory)"
nr_big=$(gen_rows "$big_rows" "$work/imp-big")
cli_db "$work/import-big.db" "$work/imp-big"
m_imp_big=$(peak_to "$work/import-big.out" env KANAL_DB="$work/import-big.db" KANAL_USER=boss \
    "$kanal" import csv history "$work/imp-big/history.csv")
memrow "peak memory, importing $(fmt_n "$nr_big") rows" "$m_imp_big" \
    "importing $(fmt_n "$nr") rows" "$m_imp" "every event of the transaction kept for the plugins' listeners until commit (kanal.c keep_pending), and SQLite's page cache of up to 32 MiB"

# ---- 6. the reports against hand-written queries, and their memory ----
say "reports on $opps and $small_opps opportunities"
"$src/tests/bench/reports.sh" "$build" "$work/big.db" "$work/small.db" >>"$out" || status=1

# the same on PostgreSQL: copies of the two databases on a throwaway server
if [ "$pg" -eq 1 ]; then
    pgdir=$(mktemp -d "${TMPDIR:-/tmp}/kanal-bench-pg.XXXXXX")
    if server=$("$src/scripts/pg-server.sh" start "$pgdir" 2>"$work/pg.err"); then
        say "reports on PostgreSQL (copies of the same databases)"
        psql -q -X "$server" -c "CREATE DATABASE bench_big" -c "CREATE DATABASE bench_small" >/dev/null
        pg_big=$(echo "$server" | sed 's|/postgres?|/bench_big?|')
        pg_small=$(echo "$server" | sed 's|/postgres?|/bench_small?|')
        if KANAL_USER=admin "$kanal" db copy "$work/big.db" "$pg_big" >/dev/null &&
            KANAL_USER=admin "$kanal" db copy "$work/small.db" "$pg_small" >/dev/null; then
            "$src/tests/bench/reports.sh" "$build" "$pg_big" "$pg_small" --pg >>"$out" || status=1
        else
            status=1
        fi
        "$src/scripts/pg-server.sh" stop "$pgdir"
        pgdir=""
    else
        say "no PostgreSQL server ($(tail -1 "$work/pg.err")): the reports on PostgreSQL are skipped"
        rm -rf "$pgdir"
        pgdir=""
    fi
fi

# ---- 7. one CLI command run as a process (tests/bench/cli.sh, when present) ----
if [ -f "$src/tests/bench/cli.sh" ]; then
    say "one CLI command as a process (tests/bench/cli.sh)"
    if [ "$quick" -eq 1 ]; then
        sh "$src/tests/bench/cli.sh" "$build" --quick >"$work/cli.out" || status=1
    else
        sh "$src/tests/bench/cli.sh" "$build" >"$work/cli.out" || status=1
    fi
    grep '^ROW	' "$work/cli.out" >>"$out" || true
else
    say "tests/bench/cli.sh is not here: no row for one CLI command as a process"
fi

# ---- the table ----
ended=$(date +%s)
expected=18 # 8 of this script's, 10 of reports.sh; cli.sh's come on top
got=$(grep -c '^ROW' "$out" || true)
if [ "$got" -lt "$expected" ]; then
    echo "bench.sh: $got rows, expected at least $expected" >&2
    status=1
fi
echo
awk -F '\t' -v head="measurement	value	floor	floor value	ratio	goal	verdict" '
    BEGIN { n = split(head, h, "\t"); for (i = 1; i <= n; i++) { w[i] = length(h[i]); c[0, i] = h[i] } }
    $1 == "ROW" { r++; for (i = 2; i <= NF; i++) { c[r, i - 1] = $i; if (length($i) > w[i - 1]) w[i - 1] = length($i) } }
    END {
        for (j = 0; j <= r; j++) {
            line = "|"
            for (i = 1; i <= n; i++) line = line sprintf(" %-*s |", w[i], c[j, i])
            print line
            if (j == 0) { line = "|"; for (i = 1; i <= n; i++) { d = ""; for (k = 0; k < w[i] + 2; k++) d = d "-"; line = line d "|" }; print line }
        }
    }' "$out"
echo
echo "$got rows, $((ended - started)) s; $(uname -m), $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)"
exit $status
