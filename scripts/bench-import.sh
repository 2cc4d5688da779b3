#!/bin/sh
# Times `kanal import csv history` of N generated rows (default 100,000)
# against a floor measured in the same run: sqlite3 storing the same CSV as a
# plain table, with no engine, rules or events at all.
#
#   scripts/bench-import.sh [ROWS]
set -eu
cd "$(dirname "$0")/.."
rows=${1:-100000}
scripts/setup.sh >/dev/null
kanal="$PWD/build/kanal"
dir=$(mktemp -d "${TMPDIR:-/tmp}/kanal-bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
tests/bench/gen_history.sh "$rows" "$dir"
export KANAL_DB="$dir/bench.db" KANAL_USER=admin KANAL_NOW=2026-03-31T17:00:00Z
"$kanal" init >/dev/null
"$kanal" workflow apply workflows/wholesale.yaml >/dev/null
"$kanal" user add boss --name Boss --role manager >/dev/null
"$kanal" batch "$dir/users.kanal" >/dev/null
"$kanal" import csv partners "$dir/partners.csv" --as boss >/dev/null

now() { date +%s.%N; }
lines=$(($(wc -l <"$dir/history.csv") - 1))

t0=$(now)
sqlite3 "$dir/floor.db" ".mode csv" ".import $dir/history.csv raw" >/dev/null
t1=$(now)
"$kanal" import csv history "$dir/history.csv" --as boss >/dev/null
t2=$(now)

awk -v n="$lines" -v t0="$t0" -v t1="$t1" -v t2="$t2" 'BEGIN {
  floor = t1 - t0; kanal = t2 - t1
  printf "rows:                          %d\n", n
  printf "floor (sqlite3 .import):       %6.2f s  %9.0f rows/s\n", floor, n / floor
  printf "kanal import csv history:      %6.2f s  %9.0f rows/s\n", kanal, n / kanal
  printf "kanal / floor:                 %6.1f\n", kanal / floor
}'
