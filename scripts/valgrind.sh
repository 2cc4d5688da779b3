#!/bin/sh
# The end-to-end tests with every kanal process under valgrind's memcheck: no
# leak (definitely or indirectly lost) and no memory error (invalid read or
# write, use of uninitialised values, bad free...) in any command they run.
#
#   scripts/valgrind.sh [TEST-NAME...]      (default: every test but those below)
#
# A TEST-NAME is test_example1 or tests/cli/test_example1.sh. The build is
# $KANAL_BUILD_DIR (default build/), a plain one (valgrind does not mix with
# AddressSanitizer), built if missing. KANAL_VG_JOBS tests run at once (default:
# the number of cores); KANAL_VG_OPTS adds valgrind options (for instance
# --track-origins=yes, which doubles the time). KANAL_BIN is a wrapper written
# beside the real binary ($BUILD/kanal-valgrind, so that `dirname $KANAL_BIN`
# still finds build/plugins/ as the tests expect) that runs kanal under
#   valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect
# with one log per process. It leaves the exit code alone (no --error-exitcode:
# the tests check exact exit codes), so this script reads the logs afterwards:
# with --quiet a clean run leaves its log empty. tests/valgrind.supp holds the
# few suppressions, each of third-party code and each explained there.
#
# The tests are told that kanal runs slower (KANAL_TEST_SLOW=20, see
# tests/cli/lib.sh): their hang guards, the waits that must outlast a command and
# the rules' time limits of their workflows are that much longer.
#
# Prints, per test, how it went, then every leak and error with the test and
# the command line, then a summary. Exit 1 if any leak or error was found or a
# test failed; the logs stay in the folder it names then.
#
# Left out by default (name one to run it anyway):
#   test_kill            SIGKILLs kanal mid-batch at moments it picks: a killed
#                        process writes no leak report, and the test's timing
#                        (kill after N ms) means nothing at valgrind's speed.
#   test_concurrent      8 processes racing on one database: a test of locking
#                        under contention, whose busy timeouts and races valgrind's
#                        30x slowdown (and serialised threads) would turn into
#                        spurious failures; its commands are the ones the other
#                        tests run one at a time.
#   test_faults          runs kanal hundreds of times with an LD_PRELOAD injector
#                        that wraps write/fsync and malloc: valgrind replaces
#                        malloc itself, and a command cut short by an injected
#                        EIO is tested there for its database, not its memory.
#   test_pg_concurrency  PostgreSQL writers racing, like test_concurrent.
#   test_startup         checks which shared objects kanal loads, with the loader's
#                        LD_DEBUG: under valgrind the loader that runs is valgrind's.
#   test_postgres        needs a PostgreSQL server: run only when $KANAL_TEST_PG
#                        names one (and then KANAL_TEST_BACKEND=postgresql runs
#                        the others on it too).
set -u
cd "$(dirname "$0")/.." || exit 2
SRC=$(pwd -P)
BUILD=${KANAL_BUILD_DIR:-build}
case "$BUILD" in /*) ;; *) BUILD=$SRC/$BUILD ;; esac
JOBS=${KANAL_VG_JOBS:-$(nproc 2>/dev/null || echo 2)}
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is not installed" >&2; exit 2; }
if [ ! -x "$BUILD/kanal" ]; then
    cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null &&
        cmake --build "$BUILD" -j "$JOBS" >/dev/null || exit 2
fi
if nm -D "$BUILD/kanal" 2>/dev/null | grep -q __asan_init; then
    echo "valgrind.sh: $BUILD/kanal is built with AddressSanitizer: use a plain build" >&2
    exit 2
fi

# the tests
if [ $# -eq 0 ]; then
    for f in tests/cli/test_*.sh; do
        t=$(basename "$f" .sh)
        case $t in
        test_kill | test_concurrent | test_faults | test_pg_concurrency | test_startup) continue ;;
        test_postgres) [ -n "${KANAL_TEST_PG:-}" ] || continue ;;
        esac
        set -- "$@" "$t"
    done
fi
tests=
for a in "$@"; do
    t=$(basename "$a" .sh)
    [ -f "tests/cli/$t.sh" ] || { echo "valgrind.sh: no test tests/cli/$t.sh" >&2; exit 2; }
    tests="$tests $t"
done

OUT=${KANAL_VG_OUT:-}
[ -n "$OUT" ] || OUT=$(mktemp -d "${TMPDIR:-/tmp}/kanal-valgrind.XXXXXX")
# the wrapper: one log per process (vg.PID.log), and beside it the test and the
# command line (cmd.PID; exec keeps the PID). A process that cannot write there
# (test_attack_files runs kanal as nobody) runs without valgrind, as it would.
WRAP=$BUILD/kanal-valgrind
[ -n "${KANAL_VG_OUT:-}" ] || cat >"$WRAP.tmp" <<EOF
#!/bin/sh
# kanal under valgrind, for scripts/valgrind.sh (which writes this file).
d=\${KANAL_VG_LOGDIR:-}
if [ -n "\$d" ] && [ -w "\$d" ]; then
    { printf '%s\n' "\${KANAL_VG_TEST:-?}"; printf '%s\n' "kanal \$*" | tr -d '\000-\011\013-\037'; } >"\$d/cmd.\$\$" 2>/dev/null
    exec valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect \\
        --errors-for-leak-kinds=definite,indirect --num-callers=30 \\
        --suppressions="$SRC/tests/valgrind.supp" \${KANAL_VG_OPTS:-} \\
        --log-file="\$d/vg.%p.log" "$BUILD/kanal" "\$@"
fi
exec "$BUILD/kanal" "\$@"
EOF
[ -n "${KANAL_VG_OUT:-}" ] || { chmod +x "$WRAP.tmp" && mv "$WRAP.tmp" "$WRAP"; }

# one TEST: runs it with the wrapper, its logs in $OUT/TEST/; says how it went
one() {
    mkdir -p "$OUT/$1"
    # PostgreSQL's own tests run on it whatever the backend (as in ctest): test_postgres
    # compares the two backends, which KANAL_TEST_BACKEND=postgresql would confuse
    case $1 in test_postgres | test_pg_concurrency) unset KANAL_TEST_BACKEND ;; esac
    _start=$(date +%s)
    KANAL_TEST_SLOW=${KANAL_TEST_SLOW:-20} KANAL_BIN=$WRAP KANAL_SOURCE_DIR=$SRC NO_COLOR=1 KANAL_TEST_PLUGINS=$BUILD/test-plugins \
        KANAL_BUILD_DIR=$BUILD KANAL_VG_LOGDIR=$OUT/$1 KANAL_VG_TEST=$1 \
        sh "tests/cli/$1.sh" >"$OUT/$1.out" 2>&1
    _rc=$?
    _n=$(find "$OUT/$1" -name 'vg.*.log' | wc -l)
    echo "$_rc $(($(date +%s) - _start)) $_n" >"$OUT/$1.rc"
    printf '%-28s %s, %4ss, %4s processes\n' "$1" "$([ $_rc = 0 ] && echo passed || echo "FAILED ($_rc)")" \
        "$(($(date +%s) - _start))" "$_n"
}
# (xargs calls this script back for each test, to run them JOBS at a time)
if [ -n "${KANAL_VG_OUT:-}" ]; then
    OUT=$KANAL_VG_OUT
    one "$1"
    exit 0
fi
start=$(date +%s)
echo "valgrind.sh: $(echo $tests | wc -w) tests, $JOBS at a time; logs in $OUT"
echo $tests | tr ' ' '\n' | KANAL_VG_OUT=$OUT xargs -P "$JOBS" -n 1 sh "$SRC/scripts/valgrind.sh"

# the logs: each record of a non-empty one is a leak ("... are definitely lost",
# "... indirectly lost") or an error (anything else but valgrind's own warnings)
procs=0 leaks=0 errors=0 failed=0
for t in $tests; do
    if [ ! -f "$OUT/$t.rc" ]; then
        failed=$((failed + 1))
        echo "== $t did not finish"
        continue
    fi
    read -r _rc _s _n <"$OUT/$t.rc"
    procs=$((procs + _n))
    if [ "$_rc" != 0 ]; then
        failed=$((failed + 1))
        echo "== $t failed (exit $_rc) under valgrind; its output:"
        grep -A3 '^FAIL' "$OUT/$t.out" | head -40
    fi
    for log in "$OUT/$t"/vg.*.log; do
        [ -s "$log" ] || continue
        pid=${log##*/vg.}
        pid=${pid%.log}
        counts=$(awk '
            { sub(/^==[0-9]+== ?/, "") }
            /^$/ { start = 1; next }
            start && /^Warning:|^ *(by|at) 0x|^ *Address 0x|^ *Block was|^ *Uninitialised/ { start = 0; next }
            start { if (/are (definitely|indirectly) lost/) l++; else e++; start = 0 }
            END { print l + 0, e + 0 }' start=1 "$log")
        set -- $counts
        [ "$1" = 0 ] && [ "$2" = 0 ] && continue
        leaks=$((leaks + $1))
        errors=$((errors + $2))
        echo "== $t: $1 leaks, $2 errors in: $(sed -n 2p "$OUT/$t/cmd.$pid" 2>/dev/null)"
        sed 's/^==[0-9]*== \{0,1\}//' "$log" | sed -n '1,400p'
    done
done
echo "valgrind.sh: $procs kanal processes under valgrind in $(echo $tests | wc -w) tests ($(($(date +%s) - start))s): $leaks leaks, $errors errors, $failed tests failed"
if [ $leaks -gt 0 ] || [ $errors -gt 0 ] || [ $failed -gt 0 ]; then
    echo "valgrind.sh: the logs are in $OUT"
    exit 1
fi
rm -rf "$OUT"
