# lib.sh — helpers for the end-to-end tests: each test runs the real kanal
# binary in a fresh temporary folder and checks exit codes, stdout and stderr.
#
#   . "$KANAL_SOURCE_DIR/tests/cli/lib.sh"
#   run kanal workflow check x.yaml     # runs, keeps $out, $err, $rc
#   expect_rc 4
#   expect_out 'exact stdout'           # exact match (trailing newline ignored)
#   expect_err_has 'some text'          # substring
#   finish
set -u
: "${KANAL_BIN:?KANAL_BIN must name the kanal binary}"
: "${KANAL_SOURCE_DIR:?KANAL_SOURCE_DIR must name the source tree}"
SRC=$KANAL_SOURCE_DIR
T=$(mktemp -d "${TMPDIR:-/tmp}/kanal-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T"
export NO_COLOR=1
export KANAL_DB="$T/kanal.db"
unset KANAL_USER KANAL_PLUGIN_PATH KANAL_NOW 2>/dev/null || true
# the operating-system login that runs the tests: Kanal records it on every event
LOGIN=$(id -un)
# KANAL_TEST_BACKEND=postgresql: the same test on a fresh PostgreSQL database of
# the server $KANAL_TEST_PG names (a test without one says so and passes). Events
# there record the database role, which then is the LOGIN the test expects.
BACKEND=${KANAL_TEST_BACKEND:-sqlite}
if [ "$BACKEND" = postgresql ]; then
    if [ -z "${KANAL_TEST_PG:-}" ]; then
        echo "note: \$KANAL_TEST_PG is not set: this test's PostgreSQL run is skipped" >&2
        exit 0
    fi
    _pgdb="kanal_t_$$_$(date +%s)"
    psql -q -X -v ON_ERROR_STOP=1 "$KANAL_TEST_PG" -c "CREATE DATABASE $_pgdb" >&2
    export KANAL_DB=$(echo "$KANAL_TEST_PG" | sed "s|/postgres?|/$_pgdb?|")
    # the tests' own checks are written in SQLite's words: the few functions they use,
    # for the checks only, in the test database's public schema (never Kanal's)
    psql -q -X -v ON_ERROR_STOP=1 "$KANAL_DB" -f "$SRC/tests/cli/pg_shims.sql" >&2
    LOGIN=$(echo "$KANAL_TEST_PG" | sed -n 's/.*user=\([^&]*\).*/\1/p')
    trap 'rm -rf "$T"; psql -q -X "$KANAL_TEST_PG" -c "DROP DATABASE IF EXISTS $_pgdb" >/dev/null 2>&1' EXIT
fi
failures=0
checks=0
step=""

kanal() { "$KANAL_BIN" "$@"; }

# run CMD...: runs it, capturing stdout in $out, stderr in $err, status in $rc.
run() {
    step="$*"
    "$@" >"$T/.out" 2>"$T/.err"
    rc=$?
    out=$(cat "$T/.out")
    err=$(cat "$T/.err")
}

fail() {
    failures=$((failures + 1))
    printf 'FAIL: %s\n  step: %s\n' "$1" "$step" >&2
    printf '  stdout: %s\n  stderr: %s\n' "$out" "$err" >&2
}

expect_rc() {
    checks=$((checks + 1))
    [ "$rc" = "$1" ] || fail "exit code $rc, want $1"
}
expect_out() {
    checks=$((checks + 1))
    [ "$out" = "$1" ] || fail "stdout differs; want: $1"
}
expect_err() {
    checks=$((checks + 1))
    [ "$err" = "$1" ] || fail "stderr differs; want: $1"
}
expect_out_has() {
    checks=$((checks + 1))
    case "$out" in *"$1"*) ;; *) fail "stdout lacks: $1" ;; esac
}
expect_err_has() {
    checks=$((checks + 1))
    case "$err" in *"$1"*) ;; *) fail "stderr lacks: $1" ;; esac
}
expect_out_lacks() {
    checks=$((checks + 1))
    case "$out" in *"$1"*) fail "stdout has: $1" ;; esac
}
# ok CMD...: runs it and expects exit 0.
ok() {
    run "$@"
    expect_rc 0
}

finish() {
    echo "$checks checks, $failures failed" >&2
    [ "$failures" = 0 ]
}
