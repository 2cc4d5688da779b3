# lifecycle.sh — helpers shared by the lifecycle tests (the rep's work on
# SQLite or PostgreSQL through the CLI). Sourced after lib.sh is; not a test by itself
# (ctest runs only test_*.sh).
#
#   . "$KANAL_SOURCE_DIR/tests/cli/lifecycle.sh"
#   setup_db                       # admin, manager, reps, sample workflows
#   refuse 1 'message' kanal ...   # exit code, exact stderr, db unchanged
#   json '$.goals[0].id'           # a value out of the last command's stdout
. "$KANAL_SOURCE_DIR/tests/cli/lib.sh"

# Times are read in UTC and "now" is fixed, so that times and day counts are
# the same on every machine and every day.
export TZ=UTC
export KANAL_NOW=2026-11-28T12:00:00Z
WF=$SRC/workflows
FX=$SRC/tests/fixtures/lifecycle

# setup_db: a database with an admin, a manager, two channel reps, a
# direct-sales rep, and the three sample workflows plus tests' tiny one, all v1.
setup_db() {
    ok kanal init --admin admin --name "Ada Admin"
    export KANAL_USER=admin
    ok kanal user add manny --name "Manny Manager" --role manager
    ok kanal user add marcin --name "Marcin Nowak" --role channel_rep
    ok kanal user add piotr --name "Piotr Wiśniewski" --role channel_rep
    ok kanal user add dario --name "Dario Direct" --role direct_sales
    ok kanal workflow apply "$WF/distributors.yaml" "$WF/referral_partners.yaml" \
        "$WF/wholesale.yaml" "$FX/tiny.yaml"
    unset KANAL_USER
}

# db_snapshot / expect_db_unchanged: the whole database, as SQL, before and
# after a command.
# db_dump [LOC]: the whole database as text (on PostgreSQL, the rows of the schema
# kanal, without the counters a refused command may have moved)
db_dump() {
    case "${1:-$KANAL_DB}" in
    postgresql://*)
        pg_dump -a -n kanal "${1:-$KANAL_DB}" | grep -v '^SELECT pg_catalog.setval\|^\\restrict\|^\\unrestrict' ;;
    *) sqlite3 "${1:-$KANAL_DB}" .dump ;;
    esac
}
db_snapshot() {
    db_dump >"$T/.dump.before"
}
expect_db_unchanged() {
    checks=$((checks + 1))
    db_dump >"$T/.dump.after"
    cmp -s "$T/.dump.before" "$T/.dump.after" ||
        fail "the database changed: $(diff "$T/.dump.before" "$T/.dump.after" | head -5)"
}
expect_db_changed() {
    checks=$((checks + 1))
    db_dump >"$T/.dump.after"
    cmp -s "$T/.dump.before" "$T/.dump.after" && fail "the database did not change"
}

# refuse RC MESSAGE CMD...: CMD exits RC, prints exactly "kanal: error:
# MESSAGE" on stderr and nothing on stdout, and leaves the database as it was.
refuse() {
    _want_rc=$1
    _want_msg=$2
    shift 2
    db_snapshot
    run "$@"
    expect_rc "$_want_rc"
    expect_err "kanal: error: $_want_msg"
    expect_out ""
    expect_db_unchanged
}

# refuse_usage MESSAGE CMD...: a usage error (exit 2): the message, then a
# usage line; the database as it was.
refuse_usage() {
    _want_msg=$1
    shift
    db_snapshot
    run "$@"
    expect_rc 2
    case "$err" in
    "kanal: error: $_want_msg
usage: kanal "*) checks=$((checks + 1)) ;;
    *) checks=$((checks + 1)); fail "stderr is not 'kanal: error: $_want_msg' and a usage line" ;;
    esac
    expect_out ""
    expect_db_unchanged
}

# json PATH: the value at PATH (SQLite JSON path, such as '$.goals[0].id') in
# the last command's stdout; objects and arrays come back as JSON text.
json() {
    sqlite3 :memory: "SELECT json_extract(readfile('$T/.out'), '$1')" 2>/dev/null
}
# json_type PATH: 'null', 'text', 'integer', 'array'... or empty when absent.
json_type() {
    sqlite3 :memory: "SELECT json_type(readfile('$T/.out'), '$1')" 2>/dev/null
}
# expect_json PATH VALUE: the value at PATH is VALUE.
expect_json() {
    checks=$((checks + 1))
    _got=$(json "$1")
    [ "$_got" = "$2" ] || fail "JSON $1 is '$_got', want '$2'"
}
# expect_json_keys PATH KEY...: the object at PATH has each KEY.
expect_json_keys() {
    _path=$1
    shift
    for _k in "$@"; do
        checks=$((checks + 1))
        [ -n "$(json_type "$_path.$_k")" ] || fail "JSON $_path lacks the key '$_k'"
    done
}
# expect_json_valid: stdout is one valid JSON document.
expect_json_valid() {
    checks=$((checks + 1))
    [ "$(sqlite3 :memory: "SELECT json_valid(readfile('$T/.out'))" 2>/dev/null)" = 1 ] ||
        fail "stdout is not valid JSON"
}

# sql QUERY: runs a query on the database (for checks only, never to change it).
sql() {
    sql_at "$KANAL_DB" "$1"
}
# expect_sql_file QUERY FILE: the query's one value is the text of FILE, byte for
# byte (both sqlite3 and psql end a row with a newline).
expect_sql_file() {
    checks=$((checks + 1))
    sql "$1" >"$T/.sql.got"
    { cat "$2" && echo; } >"$T/.sql.want"
    cmp -s "$T/.sql.got" "$T/.sql.want" || fail "SQL '$1' does not give the text of $2"
}
# expect_sql QUERY VALUE: the query returns VALUE.
expect_sql() {
    checks=$((checks + 1))
    _got=$(sql "$1")
    [ "$_got" = "$2" ] || fail "SQL '$1' gives '$_got', want '$2'"
}
