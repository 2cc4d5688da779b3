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
