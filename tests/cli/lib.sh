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
# what Kanal caches (which plugins listen) stays in the test's folder, out of $HOME
export XDG_CACHE_HOME="$T/.cache"
# KANAL_TEST_SLOW: how many times slower than usual kanal runs (scripts/valgrind.sh
# sets it): the tests' hang guards, the waits that must outlast a command and the
# rules' time limits of their workflows are multiplied by it.
SLOW=${KANAL_TEST_SLOW:-1}
case "$SLOW" in '' | *[!0-9]* | 0) echo "KANAL_TEST_SLOW must be a whole number from 1, not '$SLOW'" >&2; exit 2 ;; esac
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
    # _pg_make NAME: an empty database NAME of the server, with the checks' shims: its URI
    _pg_make() {
        psql -q -X -v ON_ERROR_STOP=1 "$KANAL_TEST_PG" -c "CREATE DATABASE $1" >&2
        # the tests' own checks are written in SQLite's words: the few functions they
        # use, for the checks only, in the test database's public schema (never Kanal's)
        echo "$KANAL_TEST_PG" | sed "s|/postgres?|/$1?|"
        psql -q -X -v ON_ERROR_STOP=1 "$(echo "$KANAL_TEST_PG" | sed "s|/postgres?|/$1?|")" \
            -f "$SRC/tests/cli/pg_shims.sql" >&2
    }
    export KANAL_DB=$(_pg_make "$_pgdb")
    LOGIN=$(echo "$KANAL_TEST_PG" | sed -n 's/.*user=\([^&]*\).*/\1/p')
    # at the end, the test's database and every other it made (new_db), by their names,
    # then the roles named after them: each database's group roles (DB_kanal_admin...),
    # and those the test made for itself (test_role)
    _pg_drop_all() {
        psql -q -X "$KANAL_TEST_PG" >/dev/null 2>&1 <<EOF
SELECT format('DROP DATABASE IF EXISTS %I WITH (FORCE)', datname) FROM pg_database
 WHERE datname = '$_pgdb' OR starts_with(datname, '${_pgdb}_')
\\gexec
SELECT format('DROP ROLE IF EXISTS %I', rolname) FROM pg_roles
 WHERE starts_with(rolname, '${_pgdb}_')
\\gexec
EOF
    }
    trap '_pg_drop_all; rm -rf "$T"' EXIT
fi

# ---- databases, on either backend -------------------------------------------------
# A location is a file on SQLite and a postgresql:// URI of the test server on
# PostgreSQL; these helpers take one (the test's $KANAL_DB when left out).
#
# new_db NAME: the location of a new, empty place for a database (kanal init makes
# it): $T/NAME.db, or on PostgreSQL a fresh database of the server, dropped at the end.
new_db() {
    if [ "$BACKEND" = postgresql ]; then
        _pg_make "${_pgdb}_$(echo "$1" | tr -c 'a-z0-9\n' _)"
    else
        echo "$T/$1.db"
    fi
}
# test_role NAME: on PostgreSQL, a role name of this test's own (dropped at its end,
# never shared with a test running at the same time), to log in as with db_as.
test_role() {
    echo "${_pgdb}_$1"
}
# db_as ROLE [LOC]: the PostgreSQL location, logged in as ROLE instead of the
# server's user (the test server trusts its local logins).
db_as() {
    echo "${2:-$KANAL_DB}" | sed "s/user=[^&]*/user=$1/"
}
# db_where [LOC]: how kanal names the database in its messages: the file as given,
# or host:port/database (never the password).
db_where() {
    case "${1:-$KANAL_DB}" in
    postgresql://*)
        psql -X -At "${1:-$KANAL_DB}" -c '\echo :HOST' -c '\echo :PORT' -c '\echo :DBNAME' |
            { read -r _h; read -r _p; read -r _d; echo "$_h:$_p/$_d"; } ;;
    *) echo "${1:-$KANAL_DB}" ;;
    esac
}
# no_db [LOC]: what kanal says where there is no database yet: "no database at 'FILE'",
# or on PostgreSQL, where the database is there but empty, "no Kanal database at
# 'host:port/db'" (followed by " (run 'kanal init')").
no_db() {
    case "${1:-$KANAL_DB}" in
    postgresql://*) echo "no Kanal database at '$(db_where "$@")'" ;;
    *) echo "no database at '$(db_where "$@")'" ;;
    esac
}
# db_exists [LOC]: whether a Kanal database is there: the file, or the schema kanal.
db_exists() {
    case "${1:-$KANAL_DB}" in
    postgresql://*)
        [ "$(psql -X -At "${1:-$KANAL_DB}" -c "SELECT count(*) FROM pg_namespace WHERE nspname = 'kanal'")" = 1 ] ;;
    *) [ -e "${1:-$KANAL_DB}" ] ;;
    esac
}
# db_remove [LOC]: the database gone, as if never made: the file (and its -wal and
# -shm), or on PostgreSQL the database dropped and made again empty.
db_remove() {
    _loc=${1:-$KANAL_DB}
    case "$_loc" in
    postgresql://*)
        _name=$(psql -X -At "$_loc" -c 'SELECT current_database()')
        psql -q -X -v ON_ERROR_STOP=1 "$KANAL_TEST_PG" -c "DROP DATABASE $_name WITH (FORCE)" >&2
        _pg_make "$_name" >/dev/null ;;
    *) rm -f "$_loc" "$_loc-wal" "$_loc-shm" ;;
    esac
}
# sql_at LOC QUERY: runs a query on the database at LOC, through sqlite3 or psql
# (with Kanal's schema first on the search path); psql's errors stop it.
sql_at() {
    case "$1" in
    postgresql://*) psql -q -X -At -v ON_ERROR_STOP=1 "$1" -c "SET search_path = kanal, public" -c "$2" ;;
    *) sqlite3 "$1" "$2" ;;
    esac
}
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
