#!/bin/sh
# PostgreSQL against its floors, measured in the same run on a throwaway
# server (scripts/pg-server.sh, a Unix socket):
#   - latency: one `kanal log` (a process started, a login checked, a
#     transaction with its lock, an activity, an event, the row touched)
#     against the floor of one INSERT of the same activity through psql (a
#     process started, a connection, a statement), both N times in a row;
#   - throughput: 16 clients at once logging activities on their own
#     opportunities, on PostgreSQL and on SQLite on the same machine.
#
#   scripts/bench-pg.sh [N]      (default N = 200)
set -eu
cd "$(dirname "$0")/.."
n=${1:-200}
scripts/setup.sh >/dev/null
kanal="$PWD/build/kanal"
dir=$(mktemp -d "${TMPDIR:-/tmp}/kanal-bench-pg.XXXXXX")
pgdir=$(mktemp -d "${TMPDIR:-/tmp}/kanal-bench-pgsrv.XXXXXX")
trap 'scripts/pg-server.sh stop "$pgdir"; rm -rf "$dir"' EXIT
server=$(scripts/pg-server.sh start "$pgdir")
psql -q -X "$server" -c "CREATE DATABASE bench" >/dev/null
PG=$(echo "$server" | sed 's|/postgres?|/bench?|')
LITE=$dir/bench.db
export KANAL_NOW=2026-03-31T17:00:00Z

now() { date +%s.%N; }
setup() {
    "$kanal" init --admin admin --db "$1" >/dev/null
    "$kanal" workflow apply workflows/distributors.yaml --db "$1" --as admin >/dev/null
    {
        echo "user add boss --name Boss --role manager"
        for r in $(seq 1 16); do echo "user add brep$r --name 'Rep $r' --role channel_rep"; done
        for r in $(seq 1 16); do
            echo "partner add 'Bench $r' --type distributor --as boss"
            echo "opp new --partner 'Bench $r' --workflow distributors --owner brep$r --as boss"
        done
    } | "$kanal" batch - --db "$1" --as admin >/dev/null
}
setup "$LITE"
setup "$PG"

# latency: N commands in a row, against N single inserts through psql
t0=$(now)
for i in $(seq 1 "$n"); do
    "$kanal" log 1 call --note "bench $i" --db "$PG" --as brep1 >/dev/null
done
t1=$(now)
for i in $(seq 1 "$n"); do
    psql -q -X "$PG" -c "INSERT INTO kanal.activities(opp_id, type, at, actor, note)
        VALUES (1, 'call', '2026-03-31T17:00:00Z', 'brep1', 'floor $i')" >/dev/null
done
t2=$(now)

# throughput: 16 clients, each N/4 commands on its own opportunity
burst() {
    for r in $(seq 1 16); do
        (for i in $(seq 1 $((n / 4))); do
            "$kanal" log "$r" email --note "burst $i" --db "$1" --as "brep$r" >/dev/null
        done) &
    done
    wait
}
t3=$(now)
burst "$PG"
t4=$(now)
burst "$LITE"
t5=$(now)

awk -v n="$n" -v t0="$t0" -v t1="$t1" -v t2="$t2" -v t3="$t3" -v t4="$t4" -v t5="$t5" 'BEGIN {
  k = (t1 - t0) / n * 1000; f = (t2 - t1) / n * 1000
  m = 16 * int(n / 4)
  printf "latency, one command after another (%d each):\n", n
  printf "  floor: psql, one INSERT        %7.1f ms\n", f
  printf "  kanal log on PostgreSQL        %7.1f ms   (%.1fx the floor)\n", k, k / f
  printf "throughput, 16 clients at once (%d commands):\n", m
  printf "  kanal log on PostgreSQL        %7.0f commands/s\n", m / (t4 - t3)
  printf "  kanal log on SQLite            %7.0f commands/s\n", m / (t5 - t4)
}'
