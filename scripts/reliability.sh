#!/bin/sh
# The long reliability runs (issue 15), on SQLite and, where scripts/pg-server.sh
# can start a throwaway server, on PostgreSQL:
#   tests/cli/test_kill.sh        kanal batch killed with SIGKILL 60 times while it
#                                 steps 5,000 opportunities, then --atomic killed
#                                 12 times on 2,000
#   tests/cli/test_concurrent.sh  8 processes x 300 random commands on shared
#                                 opportunities, and 30 races of two advances
# then, on SQLite's files:
#   tests/cli/test_faults.sh      every write and sync failing, every call into
#                                 SQLite failing, every 5th allocation failing,
#                                 over nine commands (a build without ASan)
#   scripts/fuzz.sh               each libFuzzer target for KANAL_FUZZ_SECONDS
#                                 (default 600), two at a time
# and prints one table of the figures. `scripts/test.sh` runs the quick variants.
#
#   scripts/reliability.sh [BUILD-DIR]     (default build/, built if missing)
# KANAL_TEST_SEED changes the seed (default 15); KANAL_FUZZ_SECONDS=0 leaves the
# fuzzing out. Exit 1 if any check failed.
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
[ -x "$build/kanal" ] || { cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null && cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" >/dev/null; }
export KANAL_BIN="$PWD/$build/kanal" KANAL_SOURCE_DIR="$PWD" NO_COLOR=1 KANAL_RELIABILITY_LONG=1
# test_faults finds its injectors there
export KANAL_BUILD_DIR="$PWD/$build"
logs=$(mktemp -d "${TMPDIR:-/tmp}/kanal-reliability.XXXXXX")
pgdir=
cleanup() {
    [ -z "$pgdir" ] || scripts/pg-server.sh stop "$pgdir"
    rm -rf "$logs"
}
trap cleanup EXIT
status=0

# one BACKEND SCRIPT: runs it, keeps its figures line; says how it went
one() {
    echo "== $2 on $1 ..." >&2
    _start=$(date +%s)
    if KANAL_TEST_BACKEND=$1 sh "tests/cli/$2.sh" >"$logs/$1-$2.log" 2>&1; then
        _how=passed
    else
        _how=FAILED
        status=1
        grep -A3 '^FAIL' "$logs/$1-$2.log" | head -20 >&2
    fi
    echo "== $2 on $1: $_how in $(($(date +%s) - _start)) s" >&2
    echo "$(grep '^figures:' "$logs/$1-$2.log" | tail -1) result=$_how" >"$logs/$1-$2.fig"
}

backends=sqlite
one sqlite test_kill
one sqlite test_concurrent
if command -v psql >/dev/null 2>&1; then
    pgdir=$(mktemp -d "${TMPDIR:-/tmp}/kanal-pg.XXXXXX")
    if KANAL_TEST_PG=$(scripts/pg-server.sh start "$pgdir" | tail -1); then
        export KANAL_TEST_PG
        backends="sqlite postgresql"
        one postgresql test_kill
        one postgresql test_concurrent
    else
        echo "note: no PostgreSQL server could be started: SQLite only" >&2
        pgdir=
    fi
fi

one sqlite test_faults

# the fuzz targets, two at a time (each takes one core)
fuzz_seconds=${KANAL_FUZZ_SECONDS:-600}
fuzz_targets=
if [ "$fuzz_seconds" -gt 0 ]; then
    fuzz_targets="yaml csv batch time"
    # build once, before two runs would build at the same time
    scripts/setup.sh --fuzz-deps >/dev/null
    [ -f build-fuzz/CMakeCache.txt ] || CC=clang cmake -S . -B build-fuzz -DKANAL_FUZZ=ON >/dev/null
    cmake --build build-fuzz -j "$(nproc 2>/dev/null || echo 2)" >/dev/null
    fuzz() {
        echo "== fuzz $1 for $fuzz_seconds s ..." >&2
        if scripts/fuzz.sh "$1" "$fuzz_seconds" >"$logs/fuzz-$1.log" 2>&1; then
            echo passed >"$logs/fuzz-$1.res"
        else
            echo FAILED >"$logs/fuzz-$1.res"
        fi
        echo "== fuzz $1: $(cat "$logs/fuzz-$1.res")" >&2
    }
    fuzz yaml & fuzz csv & wait
    fuzz batch & fuzz time & wait
    for t in $fuzz_targets; do
        grep -q passed "$logs/fuzz-$t.res" || { status=1; tail -20 "$logs/fuzz-$t.log" >&2; }
    done
fi

# field NAME FILE: the value of NAME=VALUE on the figures line
field() {
    _v=$(sed -n "s/.* $1=\([^ ]*\).*/\1/p" "$2")
    echo "${_v:-?}"
}
echo
echo "Reliability, $(date -u +%Y-%m-%d), $(nproc 2>/dev/null || echo '?') cores, seed ${KANAL_TEST_SEED:-15}"
fmt='%-10s | %5s | %9s | %9s | %9s | %9s | %10s | %9s | %6s | %4s | %s\n'
printf "$fmt" backend kills batch confirmed "--atomic" "--atomic" concurrent succeeded races lost result
printf "$fmt" "" "" commands "" commands kills commands "" "once" "" ""
for b in $backends; do
    k="$logs/$b-test_kill.fig" c="$logs/$b-test_concurrent.fig"
    lost="$(field lost "$k")+$(field atomic_lost "$k")+$(field lost "$c")"
    case "$lost" in *'?'*) ;; *) lost=$(($lost)) ;; esac
    res=passed
    grep -q 'result=FAILED' "$k" "$c" && res=FAILED
    printf "$fmt" "$b" \
        "$(field kills "$k")" "$(field commands "$k")" "$(field confirmed "$k")" \
        "$(field atomic_commands "$k")" "$(field atomic_kills "$k")" \
        "$(field concurrent_commands "$c")" "$(field succeeded "$c")" \
        "$(field races_once "$c")/$(field races "$c")" "$lost" "$res"
done
f="$logs/sqlite-test_faults.fig"
echo
printf '%-36s | %7s | %7s | %4s | %s\n' "injected faults (SQLite, nine commands)" runs refused lost result
printf '%-36s | %7s | %7s | %4s | %s\n' "writes, calls into SQLite, allocations" \
    "$(field disk_faults "$f")+$(field sqlite_faults "$f")+$(field alloc_faults "$f")" \
    "$(field refused "$f")" "$(field lost "$f")" "$(sed -n 's/.*result=//p' "$f")"
if [ -n "$fuzz_targets" ]; then
    echo
    printf '%-8s | %12s | %8s | %6s | %s\n' target executions exec/s found result
    for t in $fuzz_targets; do
        line=$(grep "^fuzz_$t:" "$logs/fuzz-$t.log" | tail -1)
        execs=$(echo "$line" | sed -n 's/^fuzz_[a-z]*: \([0-9?]*\) executions.*/\1/p')
        rate=$(echo "$line" | sed -n 's/.*(\([0-9?]*\) exec\/s).*/\1/p')
        found=$(grep -c 'kept .* in tests/fuzz' "$logs/fuzz-$t.log" || true)
        printf '%-8s | %12s | %8s | %6s | %s\n' "$t" "${execs:-?}" "${rate:-?}" "$found" "$(cat "$logs/fuzz-$t.res")"
    done
fi
exit $status
