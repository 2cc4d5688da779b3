#!/bin/sh
# Two backends, one behaviour: the demo month replayed on SQLite and on
# PostgreSQL gives the same answers, byte for byte — every opportunity's
# `opp show --json` and `history --json`, every list, every report (now and
# as of a past moment), the exported history — and the same refusals, with
# the same exit codes and messages. Then what only PostgreSQL can be asked:
# init refuses a database that holds something else, a server that is down
# is an error that names it (exit 5, quickly), the log refuses changes even
# from its owner.
#
# Needs a server: $KANAL_TEST_PG (as scripts/pg-server.sh prints; scripts/test.sh
# starts one). Without it the test says so and passes.
. "$KANAL_SOURCE_DIR/tests/cli/lib.sh"
export TZ=UTC
export KANAL_NOW=2026-03-31T17:00:00Z
WF=$SRC/workflows

if [ -z "${KANAL_TEST_PG:-}" ]; then
    echo "note: \$KANAL_TEST_PG is not set: PostgreSQL is not tested here (scripts/test.sh starts a server)" >&2
    finish
    exit 0
fi
server=$KANAL_TEST_PG
# a database of the server, made empty: its URI
newdb() {
    psql -q -X -v ON_ERROR_STOP=1 "$server" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >&2
    echo "$server" | sed "s|/postgres?|/$1?|"
}
PG=$(newdb "kanal_e2e_$$")
LITE=$T/kanal.db

# the same month on both
for db in "$LITE" "$PG"; do
    ok kanal init --admin admin --name "Ada Admin" --db "$db"
    ok kanal workflow apply "$WF/distributors.yaml" "$WF/referral_partners.yaml" "$WF/wholesale.yaml" \
        --db "$db" --as admin
    ok kanal batch "$SRC/scripts/demo.kanal" --db "$db" --as admin
    ok kanal reassign --from krzysztof --to piotr --partner "Hurtownia Podkarpacie" \
        --at 2026-03-18T09:00:00Z --db "$db" --as anna
done
checks=$((checks + 1))
[ "$(psql -X -At "$(echo "$PG")" -c 'SELECT count(*) FROM kanal.events')" = \
  "$(sqlite3 "$LITE" 'SELECT count(*) FROM events')" ] || fail "the two logs differ in length"

# same CMD...: CMD gives the same exit code, stdout and stderr on both
same() {
    run kanal "$@" --db "$LITE"
    lite_rc=$rc lite_out=$out lite_err=$err
    run kanal "$@" --db "$PG"
    checks=$((checks + 1))
    if [ "$rc" != "$lite_rc" ] || [ "$out" != "$lite_out" ] || [ "$err" != "$lite_err" ]; then
        fail "'kanal $*' differs between SQLite and PostgreSQL:
  sqlite:     rc $lite_rc, out $(printf '%s' "$lite_out" | head -c 300), err $lite_err
  postgresql: rc $rc, out $(printf '%s' "$out" | head -c 300), err $err"
    fi
}

n=$(sqlite3 "$LITE" 'SELECT count(*) FROM opportunities')
checks=$((checks + 1))
[ "$n" -ge 12 ] || fail "the demo has only $n opportunities"
i=1
while [ "$i" -le "$n" ]; do
    same opp show "$i" --json --as anna
    same history "$i" --json --as anna
    same next "$i" --as marcin
    i=$((i + 1))
done
same opp list --json --as anna
same partner list --json --as anna
same user list --json --as anna
same workflow list --json --as anna
same next --json --as marcin
same export csv events --as anna
same export csv partners --as anna
for r in "lost-reasons" "lost-reasons --by stage" "lost-reasons --by owner" "activities" \
    "activities --workflow distributors" "funnel --workflow distributors" \
    "funnel --workflow referral_partners" "stale" "goals --workflow distributors" \
    "goals --workflow referral_partners" "activities --owner piotr"; do
    # shellcheck disable=SC2086
    same report $r --json --as anna
    # shellcheck disable=SC2086
    same report $r --json --as-of 2026-03-10T12:00:00Z --as anna
    # shellcheck disable=SC2086
    same report $r --as anna
done
# the same refusals, to the word
same lose 1 --reason competitor --as marcin
same advance 7 --as marcin
same opp new --partner "Dystrybucja Polna" --workflow referral_partners --as piotr
same user add mallory --name M --role admin --as marcin
same report lost-reasons --as marcin
same done 2 nosuchgoal --as marcin
same partner add "dystrybucja  POLNA" --type distributor --as anna
# and the same next steps, written the same way on both
same log 2 call --note "The call after the materials" --at 2026-03-31T10:00:00Z --as marcin
same done 2 proposal_call --at 2026-03-31T10:05:00Z --as marcin
same history 2 --json --as anna
same opp new --partner "Hurtownia Nowa" --workflow distributors --as piotr
# an opportunity made and then undone (an atomic batch whose last line fails) takes
# no number: the next one is 13 on both (a sequence would have skipped it)
printf 'opp new --partner Agro-Dystrybutor --workflow distributors --as marcin\nlose 999 --reason competitor --as marcin\n' >undone.kanal
same batch --atomic undone.kanal
same opp new --partner Agro-Dystrybutor --workflow distributors --as marcin
expect_out 13
same opp list --json --as anna

# ---- what only PostgreSQL can be asked --------------------------------------------------------
# init refuses a database with anything of someone else in it, and one with Kanal already
OTHER=$(newdb "kanal_other_$$")
psql -q -X "$OTHER" -c "CREATE TABLE invoices(id int)"
run kanal init --admin ada --db "$OTHER"
expect_rc 1
expect_err_has "holds tables of something else: Kanal needs an empty database"
run kanal init --admin ada --db "$PG"
expect_rc 1
expect_err_has "a database already exists at"
# an empty database that Kanal has not made yet: run init
EMPTY=$(newdb "kanal_empty_$$")
run kanal user list --db "$EMPTY" --as ada
expect_rc 3
expect_err_has "no Kanal database at"
expect_err_has "(run 'kanal init')"
# a server that is not there: exit 5, naming it, in well under the timeout
run timeout 20 "$KANAL_BIN" user list --db "postgresql:///x?host=$T/nowhere&port=5999" --as ada
expect_rc 5
expect_err_has "cannot connect to the database server ($T/nowhere:5999/x)"
# the log is append-only, even for the database's owner
checks=$((checks + 1))
! psql -q -X "$PG" -c "UPDATE kanal.events SET actor = 'x'" 2>/dev/null || fail "an event was updated"
checks=$((checks + 1))
! psql -q -X "$PG" -c "DELETE FROM kanal.events" 2>/dev/null || fail "events were deleted"
checks=$((checks + 1))
! psql -q -X "$PG" -c "TRUNCATE kanal.events CASCADE" 2>/dev/null || fail "the log was truncated"
run kanal history 1 --json --db "$PG" --as anna
expect_rc 0
psql -q -X "$server" -c "DROP DATABASE kanal_other_$$" -c "DROP DATABASE kanal_empty_$$" >/dev/null 2>&1
finish
