#!/bin/sh
# Failures in the middle of a command (tests/fault/fault.c, loaded with
# LD_PRELOAD), for opp new, log, done, advance, set, lose, note --next,
# import and workflow apply:
#   - a disk that fails: for every write and sync the command makes to the
#     database (its file, -wal, -journal), a run in which that one and all later
#     ones fail with EIO; and a disk that is full (ENOSPC), which must say so;
#   - SQLite that fails: for every call into SQLite that can fail (prepare,
#     step, exec, bind), a run in which that one returns an error (I/O error,
#     or out of memory for a bind);
#   - memory that runs out: every allocation from the opening of the database on
#     (a build without AddressSanitizer only: its allocator cannot be wrapped).
# Each run exits 0 with the database exactly as after a clean run, or 3/4/5
# with a message that says what failed and the database exactly as before —
# never a crash, a sanitizer's report, a hang, a success that lost the step or
# a refusal that kept it; and `kanal doctor` finds it sound afterwards. SQLite
# only (PostgreSQL's writes and memory are the server's).
# KANAL_RELIABILITY_LONG=1 tries every write and every SQLite call, and every
# 5th allocation (each command makes over a thousand); the quick run every 3rd
# disk fault, every 7th SQLite call and every 53rd allocation (and the last).
. "$KANAL_SOURCE_DIR/tests/cli/lifecycle.sh"

FAULT=${KANAL_BUILD_DIR:-build}/test-plugins/libkanalfault.so
case "${KANAL_TEST_BACKEND:-sqlite}" in postgresql)
    echo "note: test_faults is about SQLite's files" >&2; finish; exit 0 ;;
esac
if [ ! -f "$FAULT" ]; then
    fail "the fault injector $FAULT is not built"
    echo "figures: disk_faults=$runs sqlite_faults=$sq_runs alloc_faults=$alloc_runs refused=$((failed_runs + sq_refused + alloc_refused)) lost=$lost"
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
# opportunity 3 is ready to advance
ok kanal partner add "Agencja Gamma" --type agency
ok kanal opp new --partner "Agencja Gamma" --workflow tiny --at 2026-11-20T09:00:00Z
ok kanal log 3 email --at 2026-11-20T09:10:00Z
ok kanal set 3 notes=ok form=resale --at 2026-11-20T09:20:00Z
ok kanal log 3 call --at 2026-11-20T09:30:00Z
ok kanal done 3 classified --at 2026-11-20T09:40:00Z
cp "$KANAL_DB" base.db
printf 'name,type,owner\nSklep Nowy,agency,marcin\nSklep Stary,agency,marcin\n' >import.csv

lost=0 runs=0 failed_runs=0 sq_runs=0 sq_refused=0 alloc_runs=0 alloc_refused=0
FAULT_ALLOC=${KANAL_BUILD_DIR:-build}/test-plugins/libkanalfault_alloc.so
# the database as text, without when each event was recorded (the clock's, not the command's)
dump() {
    db_dump | sed -E "s/'[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z','(marcin|manny|admin)'/'RECORDED','\1'/g"
}
fresh() {
    cp base.db "$KANAL_DB"
    rm -f "$KANAL_DB-wal" "$KANAL_DB-shm" "$KANAL_DB-journal"
}
# judge LABEL RC [CODES]: after a run with a fault, what it said and what it left;
# CODES: the exit codes a refusal may have (default 3, 4 or 5)
judge() {
    checks=$((checks + 1))
    if [ "$2" != 0 ]; then
        case " ${3:-3 4 5} " in
        *" $2 "*) grep -q "^kanal: error: " "$T/.err" ||
               fail "$1: exit $2 without a message: $(head -c 300 "$T/.err")" ;;
        *) fail "$1: exit $2: $(head -c 300 "$T/.err")" ;;
        esac
    fi
    checks=$((checks + 1))
    ! grep -q "Sanitizer\|runtime error" "$T/.err" ||
        fail "$1: $(grep -m1 "Sanitizer\|runtime error" "$T/.err")"
    # the disk works again: what is in the database now?
    dump >"$T/.now"
    checks=$((checks + 1))
    if [ "$2" = 0 ]; then
        cmp -s "$T/.now" "$T/.after" || {
            lost=$((lost + 1))
            fail "$1: exit 0, but the database is not as after a clean run: $(diff "$T/.after" "$T/.now" | head -5)"
        }
    else
        cmp -s "$T/.now" "$T/.before" || {
            lost=$((lost + 1))
            fail "$1: refused (exit $2), but the database changed: $(diff "$T/.before" "$T/.now" | head -5)"
        }
    fi
    checks=$((checks + 1))
    "$KANAL_BIN" doctor --as admin >"$T/.doc" 2>&1 || fail "$1: doctor: $(head -3 "$T/.doc")"
}
# try MODE EVERY LABEL CMD...: the command under every fault of MODE (write: the
# disk; sqlite: calls into SQLite) it can meet, every EVERYth and the last
try() {
    fmode=$1 fevery=$2 flabel=$3
    shift 3
    flib=$FAULT
    [ "$fmode" = alloc ] && flib=$FAULT_ALLOC
    fresh
    # the state after a clean run, and how many writes (or calls) it makes
    KANAL_FAULT=$fmode:0 KANAL_FAULT_COUNT="$T/.count" LD_PRELOAD=$flib "$KANAL_BIN" "$@" >"$T/.out" 2>"$T/.err"
    frc=$?
    checks=$((checks + 1))
    [ "$frc" = 0 ] || { fail "$flabel: the clean run failed ($frc): $(cat "$T/.err")"; return; }
    dump >"$T/.after"
    fnum=$(cat "$T/.count")
    fresh
    dump >"$T/.before"
    fidx=1
    while [ "$fidx" -le "$fnum" ]; do
        fresh
        KANAL_FAULT="$fmode:$fidx" LD_PRELOAD=$flib "$KANAL_BIN" "$@" >"$T/.out" 2>"$T/.err"
        frc=$?
        # a failure of the machine is no one's mistake: exit 5 (not "not found", not a bad
        # row); or 3 when a plugin could not be loaded for want of memory (with a warning)
        codes=5
        case $fmode in
        write | full) runs=$((runs + 1)); [ "$frc" = 0 ] || failed_runs=$((failed_runs + 1)) ;;
        sqlite) sq_runs=$((sq_runs + 1)); [ "$frc" = 0 ] || sq_refused=$((sq_refused + 1)) ;;
        alloc) alloc_runs=$((alloc_runs + 1)); [ "$frc" = 0 ] || alloc_refused=$((alloc_refused + 1))
            codes="3 5" ;;
        esac
        judge "$flabel, $fmode $fidx failing" "$frc" "$codes"
        if [ "$fmode" = full ] && [ "$frc" != 0 ]; then
            checks=$((checks + 1))
            grep -q "the disk is full" "$T/.err" ||
                fail "$flabel, disk full at write $fidx: the message does not say so: $(head -c 300 "$T/.err")"
        fi
        if [ "$fidx" -lt "$fnum" ] && [ $((fidx + fevery)) -gt "$fnum" ]; then
            fidx=$fnum
        else
            fidx=$((fidx + fevery))
        fi
    done
}
# steps MODE EVERY: every step under every EVERYth fault of MODE
steps() {
    mode=$1 e=$2
    try $mode $e "opp new" opp new --partner "Agencja Alfa" --workflow referral_partners --at 2026-11-20T10:00:00Z
    try $mode $e "log" log 1 call --note "Dzwoniłem" --at 2026-11-20T10:00:00Z
    try $mode $e "done" done 2 first_contact --at 2026-11-20T10:00:00Z
    try $mode $e "advance" advance 3 --at 2026-11-20T10:00:00Z
    try $mode $e "set" set 2 cooperation_form=referral --at 2026-11-20T10:00:00Z
    try $mode $e "lose" lose 1 --reason no_interest --at 2026-11-20T10:00:00Z
    try $mode $e "note" note 2 "Oddzwonić" --next 2026-12-01 --at 2026-11-20T10:00:00Z
    try $mode $e "import" import csv partners import.csv --as manny
    try $mode $e "workflow apply" workflow apply "$WF/wholesale.yaml" --as admin
}
steps write $every
# a full disk (ENOSPC from every write from the Nth on): said as such
try full 1 "log, disk full" log 1 call --note "Dzwoniłem" --at 2026-11-20T10:00:00Z
try full 1 "import, disk full" import csv partners import.csv --as manny
sq_every=7
[ -n "${KANAL_RELIABILITY_LONG:-}" ] && sq_every=1
steps sqlite $sq_every
# ---- allocations: each one from the opening of the database on fails, in turn ------------------
# (AddressSanitizer's allocator cannot be wrapped: a sanitized build leaves this part out)
if ldd "$KANAL_BIN" 2>/dev/null | grep -q libasan; then
    echo "note: $KANAL_BIN is built with AddressSanitizer: allocation faults are left out (a plain build runs them)" >&2
else
    every_alloc=53
    [ -n "${KANAL_RELIABILITY_LONG:-}" ] && every_alloc=5
    steps alloc $every_alloc
fi
echo "faults: $alloc_runs runs with an allocation failing, $alloc_refused refused cleanly" >&2
echo "faults: $sq_runs runs with a call into SQLite failing, $sq_refused refused cleanly, the rest unharmed by it" >&2
echo "faults: $runs runs with a failing disk, $failed_runs refused cleanly, the rest durable before the fault; lost or half-applied: $lost" >&2
echo "figures: disk_faults=$runs sqlite_faults=$sq_runs alloc_faults=$alloc_runs refused=$((failed_runs + sq_refused + alloc_refused)) lost=$lost"
finish
