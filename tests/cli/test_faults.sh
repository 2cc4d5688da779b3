#!/bin/sh
# A disk that fails in the middle of a command: for every write and sync a
# command makes to the database (its file, -wal, -journal), a run in which
# that one and all later ones fail with EIO (tests/fault/fault.c, loaded with
# LD_PRELOAD). Each run exits 0 (the failure came after the command was
# durable) or 5 with a message that says what failed — never a crash, a
# sanitizer's report or a hang; and afterwards the database is either exactly
# as before the command or exactly as after it, never in between, and `kanal
# doctor` finds it sound. SQLite only (PostgreSQL's writes are the server's).
# Steps: opp new, log, done, set, lose, note --next, import, workflow apply.
# KANAL_RELIABILITY_LONG=1 tries every N; the quick run every 3rd (and the last).
. "$KANAL_SOURCE_DIR/tests/cli/lifecycle.sh"

FAULT=${KANAL_BUILD_DIR:-build}/test-plugins/libkanalfault.so
case "${KANAL_TEST_BACKEND:-sqlite}" in postgresql)
    echo "note: test_faults is about SQLite's files" >&2; finish; exit 0 ;;
esac
if [ ! -f "$FAULT" ]; then
    fail "the fault injector $FAULT is not built"
    finish
    exit 1
fi
# ASan must come first among the libraries; the injector only wraps write and sync
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
every=3
[ -n "${KANAL_RELIABILITY_LONG:-}" ] && every=1

setup_db
export KANAL_USER=marcin
ok kanal partner add "Agencja Alfa" --type agency
ok kanal opp new --partner "Agencja Alfa" --workflow tiny --at 2026-11-20T09:00:00Z
ok kanal partner add "Agencja Beta" --type agency
ok kanal opp new --partner "Agencja Beta" --workflow referral_partners --at 2026-11-20T09:00:00Z
ok kanal log 1 call --at 2026-11-20T09:30:00Z
cp "$KANAL_DB" base.db
printf 'name,type,owner\nSklep Nowy,agency,marcin\nSklep Stary,agency,marcin\n' >import.csv

runs=0 failed_runs=0
# the database as text, without when each event was recorded (the clock's, not the command's)
dump() {
    db_dump | sed -E "s/'[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z','(marcin|manny|admin)'/'RECORDED','\1'/g"
}
# try LABEL CMD...: the command under every fault it can meet
try() {
    flabel=$1
    shift
    cp base.db "$KANAL_DB"
    rm -f "$KANAL_DB-wal" "$KANAL_DB-shm" "$KANAL_DB-journal"
    # the state after a clean run, and how many writes and syncs it makes
    KANAL_FAULT_COUNT="$T/.count" LD_PRELOAD=$FAULT "$KANAL_BIN" "$@" >"$T/.out" 2>"$T/.err"
    frc=$?
    checks=$((checks + 1))
    [ "$frc" = 0 ] || { fail "$flabel: the clean run failed ($frc): $(cat "$T/.err")"; return; }
    dump >"$T/.after"
    fnum=$(cat "$T/.count")
    cp base.db "$KANAL_DB"
    rm -f "$KANAL_DB-wal" "$KANAL_DB-shm" "$KANAL_DB-journal"
    dump >"$T/.before"
    fidx=1
    while [ "$fidx" -le "$fnum" ]; do
        cp base.db "$KANAL_DB"
        rm -f "$KANAL_DB-wal" "$KANAL_DB-shm" "$KANAL_DB-journal"
        KANAL_FAULT="write:$fidx" LD_PRELOAD=$FAULT "$KANAL_BIN" "$@" >"$T/.out" 2>"$T/.err"
        frc=$?
        runs=$((runs + 1))
        checks=$((checks + 1))
        case $frc in
        0) ;;
        5) grep -q "^kanal: error: " "$T/.err" ||
               fail "$flabel, write $fidx failing: exit 5 without a message: $(head -c 300 "$T/.err")"
           failed_runs=$((failed_runs + 1)) ;;
        *) fail "$flabel, write $fidx failing: exit $frc: $(head -c 300 "$T/.err")" ;;
        esac
        checks=$((checks + 1))
        ! grep -q "Sanitizer\|runtime error" "$T/.err" ||
            fail "$flabel, write $fidx failing: $(grep -m1 "Sanitizer\|runtime error" "$T/.err")"
        # the disk works again: what is in the database now?
        dump >"$T/.now"
        checks=$((checks + 1))
        cmp -s "$T/.now" "$T/.before" || cmp -s "$T/.now" "$T/.after" ||
            fail "$flabel, write $fidx failing (exit $frc): the database is neither as before nor as after: $(diff "$T/.after" "$T/.now" | head -5)"
        checks=$((checks + 1))
        "$KANAL_BIN" doctor --as admin >"$T/.doc" 2>&1 ||
            fail "$flabel, write $fidx failing: doctor: $(head -3 "$T/.doc")"
        if [ "$fidx" -lt "$fnum" ] && [ $((fidx + every)) -gt "$fnum" ]; then
            fidx=$fnum
        else
            fidx=$((fidx + every))
        fi
    done
}
try "opp new" opp new --partner "Agencja Alfa" --workflow referral_partners --at 2026-11-20T10:00:00Z
try "log" log 1 call --note "Dzwoniłem" --at 2026-11-20T10:00:00Z
try "done" done 2 first_contact --at 2026-11-20T10:00:00Z
try "set" set 2 cooperation_form=referral --at 2026-11-20T10:00:00Z
try "lose" lose 1 --reason no_interest --at 2026-11-20T10:00:00Z
try "note" note 2 "Oddzwonić" --next 2026-12-01 --at 2026-11-20T10:00:00Z
try "import" import csv partners import.csv --as manny
try "workflow apply" workflow apply "$WF/wholesale.yaml" --as admin
# ---- allocations: each one from the opening of the database on fails, in turn ------------------
# (AddressSanitizer's allocator cannot be wrapped: a sanitized build leaves this part out)
alloc_runs=0 alloc_refused=0
if ldd "$KANAL_BIN" 2>/dev/null | grep -q libasan; then
    echo "note: $KANAL_BIN is built with AddressSanitizer: allocation faults are left out (a plain build runs them)" >&2
else
    every_alloc=37
    [ -n "${KANAL_RELIABILITY_LONG:-}" ] && every_alloc=1
    FAULT_ALLOC=${KANAL_BUILD_DIR:-build}/test-plugins/libkanalfault_alloc.so
    try_alloc() {
        flabel=$1
        shift
        cp base.db "$KANAL_DB"
        rm -f "$KANAL_DB-wal" "$KANAL_DB-shm" "$KANAL_DB-journal"
        KANAL_FAULT=alloc:0 KANAL_FAULT_COUNT="$T/.count" LD_PRELOAD=$FAULT_ALLOC "$KANAL_BIN" "$@" >/dev/null 2>&1
        dump >"$T/.after"
        fnum=$(cat "$T/.count")
        cp base.db "$KANAL_DB"
        rm -f "$KANAL_DB-wal" "$KANAL_DB-shm" "$KANAL_DB-journal"
        dump >"$T/.before"
        fidx=1
        while [ "$fidx" -le "$fnum" ]; do
            cp base.db "$KANAL_DB"
            rm -f "$KANAL_DB-wal" "$KANAL_DB-shm" "$KANAL_DB-journal"
            KANAL_FAULT="alloc:$fidx" LD_PRELOAD=$FAULT_ALLOC "$KANAL_BIN" "$@" >"$T/.out" 2>"$T/.err"
            frc=$?
            alloc_runs=$((alloc_runs + 1))
            checks=$((checks + 1))
            # refused: out of memory (5); an import's rows refused for it (4); a plugin that
            # could not be loaded for it (3, with a warning) — each saying so
            case $frc in
            0) ;;
            3 | 4 | 5) grep -q "^kanal: error: " "$T/.err" ||
                   fail "$flabel, allocation $fidx failing: exit $frc without a message: $(head -c 300 "$T/.err")"
               alloc_refused=$((alloc_refused + 1)) ;;
            *) fail "$flabel, allocation $fidx failing: exit $frc: $(head -c 300 "$T/.err")" ;;
            esac
            dump >"$T/.now"
            checks=$((checks + 1))
            cmp -s "$T/.now" "$T/.before" || cmp -s "$T/.now" "$T/.after" ||
                fail "$flabel, allocation $fidx failing (exit $frc): the database is neither as before nor as after: $(diff "$T/.after" "$T/.now" | head -5)"
            fidx=$((fidx + every_alloc))
        done
    }
    try_alloc "opp new" opp new --partner "Agencja Alfa" --workflow referral_partners --at 2026-11-20T10:00:00Z
    try_alloc "log" log 2 call --note "Dzwoniłem" --at 2026-11-20T10:00:00Z
    try_alloc "lose" lose 1 --reason no_interest --at 2026-11-20T10:00:00Z
    try_alloc "import" import csv partners import.csv --as manny
    try_alloc "workflow apply" workflow apply "$WF/wholesale.yaml" --as admin
fi
echo "faults: $alloc_runs runs with an allocation failing, $alloc_refused refused cleanly" >&2
echo "faults: $runs runs with a failing disk, $failed_runs refused cleanly, the rest durable before the fault; lost or half-applied: 0 (or each reported above)" >&2
finish
