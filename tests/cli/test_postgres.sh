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

# same CMD...: CMD gives the same exit code, stdout and stderr on both. Only the
# login an event records may differ: the operating-system login on SQLite, the
# database role on PostgreSQL (both are read as LOGIN here).
pg_role=$(echo "$server" | sed -n 's/.*user=\([^&]*\).*/\1/p')
logins() {
    printf '%s' "$1" | sed "s/\"login\":\"\($LOGIN\|$pg_role\)\"/\"login\":\"LOGIN\"/g; s/\[login: \($LOGIN\|$pg_role\)\]/[login: LOGIN]/g; s/,\($LOGIN\|$pg_role\)\r\{0,1\}\$/,LOGIN/"
}
same() {
    run kanal "$@" --db "$LITE"
    lite_rc=$rc lite_out=$(logins "$out") lite_err=$err
    run kanal "$@" --db "$PG"
    out=$(logins "$out")
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
    "goals --workflow referral_partners" "activities --owner piotr" \
    "compare --workflow distributors" "compare --workflow referral_partners --versions 1"; do
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

# ---- who acts is who logged in; the database enforces who may see and change what ---------
# every Kanal user is a login role of the same name (this server trusts local logins:
# a real one asks for a password or a certificate)
as_role() {
    echo "$PG" | sed "s/user=$pg_role/user=$1/"
}
MARCIN=$(as_role marcin)
ANNA=$(as_role anna)
ADMIN=$(as_role admin)
# marcin sees his own opportunities, and only them, without saying who he is
ok kanal opp list --json --db "$MARCIN"
expect_out_has '"owner":"marcin"'
expect_out_lacks '"owner":"piotr"'
expect_out_lacks '"owner":"krzysztof"'
# and cannot be anyone else, by flag or by environment
run kanal opp list --as piotr --db "$MARCIN"
expect_rc 1
expect_err "kanal: error: you are logged in to the database as 'marcin': you cannot act as 'piotr'"
run env KANAL_USER=anna "$KANAL_BIN" report lost-reasons --db "$MARCIN"
expect_rc 1
expect_err "kanal: error: you are logged in to the database as 'marcin': you cannot act as 'anna'"
# piotr's opportunity 4 is not there for him
run kanal lose 4 --reason competitor --db "$MARCIN"
expect_rc 3
expect_err_has "no opportunity 4"
# his own work is recorded under his role
ok kanal log 2 call --note "Logged in as myself" --at 2026-03-31T11:00:00Z --db "$MARCIN"
checks=$((checks + 1))
[ "$(psql -X -At "$PG" -c "SELECT actor || ' ' || login FROM kanal.events ORDER BY id DESC LIMIT 1")" = "marcin marcin" ] ||
    fail "the event does not record the role that wrote it"
# the manager sees every opportunity
ok kanal opp list --json --db "$ANNA"
expect_out_has '"owner":"piotr"'
expect_out_has '"owner":"marcin"'
ok kanal report lost-reasons --json --db "$ANNA"
# from psql, bypassing kanal, a rep can do no more than kanal lets him
rep_sql() {
    psql -X -At -v ON_ERROR_STOP=1 "$MARCIN" -c "$1" 2>&1
}
refused_sql() {
    checks=$((checks + 1))
    _got=$(rep_sql "$1") && fail "psql as marcin was allowed: $1 -> $_got"
    case "$_got" in *"$2"*) ;; *) fail "psql as marcin: $1 -> $_got, want: $2" ;; esac
}
checks=$((checks + 1))
[ "$(rep_sql "SELECT count(*) FROM kanal.opportunities WHERE owner <> 'marcin'")" = 0 ] ||
    fail "marcin reads other reps' opportunities"
checks=$((checks + 1))
[ "$(rep_sql "SELECT count(*) FROM kanal.events e JOIN kanal.opportunities o ON o.id = e.opp_id")" -gt 0 ] ||
    fail "marcin does not read his own events"
checks=$((checks + 1))
[ "$(rep_sql "SELECT count(*) FROM kanal.events WHERE opp_id = 4")" = 0 ] ||
    fail "marcin reads the events of piotr's opportunity"
checks=$((checks + 1))
[ "$(rep_sql "UPDATE kanal.opportunities SET owner = 'marcin' WHERE id = 4")" = "UPDATE 0" ] ||
    fail "marcin changed piotr's opportunity"
refused_sql "UPDATE kanal.events SET actor = 'x' WHERE opp_id = 2" "permission denied"
refused_sql "DELETE FROM kanal.events WHERE opp_id = 2" "permission denied"
refused_sql "TRUNCATE kanal.events" "permission denied"
refused_sql "INSERT INTO kanal.users(id, name, created_at) VALUES ('hacker', 'H', 'x')" "permission denied"
refused_sql "INSERT INTO kanal.user_roles VALUES ('marcin', 'admin')" "permission denied"
refused_sql "SELECT kanal.add_login('hacker', '{admin}')" "permission denied"
refused_sql "SELECT kanal.set_groups('marcin', '{admin}')" "permission denied"
refused_sql "DELETE FROM kanal.user_roles WHERE user_id = 'marcin'" "permission denied"
refused_sql "INSERT INTO kanal.events(opp_id, seq, at, recorded_at, actor, type, data)
             VALUES (4, 99, 'x', 'x', 'marcin', 'note', '{}')" "row-level security"
refused_sql "UPDATE kanal.opportunities SET owner = 'piotr' WHERE id = 2" "row-level security"
# an admin who logs in adds users, and each user is a login of its own
ok kanal user add nadia --name "Nadia Nowa" --role channel_rep --db "$ADMIN"
NADIA=$(as_role nadia)
ok kanal opp list --json --db "$NADIA"
expect_out '{"opportunities":[]}'
# roles changed by an admin change what the login may do, at once
ok kanal user edit nadia --add-role manager --db "$ADMIN"
ok kanal opp list --json --db "$NADIA"
expect_out_has '"owner":"piotr"'
expect_out_has '"owner":"marcin"'
ok kanal user edit nadia --role channel_rep --db "$ADMIN"
ok kanal opp list --json --db "$NADIA"
expect_out '{"opportunities":[]}'
checks=$((checks + 1))
[ "$(psql -X -At "$PG" -c "SELECT string_agg(g.rolname, ',' ORDER BY g.rolname) FROM pg_auth_members m
       JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
       WHERE u.rolname = 'nadia' AND g.rolname LIKE 'kanal\_e2e\_$$\_kanal\_%'")" = "kanal_e2e_$$_kanal_rep" ] ||
    fail "nadia's login is not in the rep group alone after her roles changed"
run kanal user edit nadia --add-role admin --db "$NADIA"
expect_rc 1
expect_err "kanal: error: only an admin may edit users (you are 'nadia')"
# a deactivated user cannot log in any more
ok kanal user deactivate nadia --db "$ADMIN"
run kanal opp list --db "$NADIA"
expect_rc 5
expect_err_has "cannot connect to the database server"
# the database's owner may act as anyone (it could anyway): a replay, an import
ok kanal opp list --as piotr --json --db "$PG"

# ---- kanal db copy: the whole record, both ways ---------------------------------------------
COPY=$(newdb "kanal_copy_$$")
ok kanal db copy "$LITE" "$COPY"
expect_out_has "copied 6 users, 3 workflow versions, 12 partners, 13 opportunities and 157 events"
# the copy has its planner's statistics at once (a report planned without them took 4x its time)
checks=$((checks + 1))
[ "$(psql -X -At "$COPY" -c "SELECT count(*) FROM pg_stat_user_tables WHERE schemaname = 'kanal' AND relname IN ('events', 'opportunities', 'activities') AND last_analyze IS NOT NULL")" = 3 ] ||
    fail "the copy's tables were not analyzed"
# the copy answers as the original, logins included (the log is copied as it was)
copied_same() {
    run kanal "$@" --db "$LITE"
    _a_rc=$rc _a=$out
    run kanal "$@" --db "$COPY"
    checks=$((checks + 1))
    [ "$rc" = "$_a_rc" ] && [ "$out" = "$_a" ] || fail "'kanal $*' differs in the copy"
}
i=1
while [ "$i" -le 13 ]; do
    copied_same opp show "$i" --json --as anna
    copied_same history "$i" --json --as anna
    i=$((i + 1))
done
copied_same export csv events --as anna
copied_same user list --json --as anna
for r in "lost-reasons --by stage" "activities" "funnel --workflow distributors" "stale" \
    "goals --workflow distributors"; do
    # shellcheck disable=SC2086
    copied_same report $r --json --as anna
    # shellcheck disable=SC2086
    copied_same report $r --json --as-of 2026-03-10T12:00:00Z --as anna
done
# and back to a file: every table as it was in the original (activities are numbered
# by opportunity in a copy: the same rows, in the same order within each opportunity)
ok kanal db copy "$COPY" "$T/back.db"
for q in "* FROM users ORDER BY 1" "* FROM user_roles ORDER BY 1, 2" \
    "* FROM workflow_versions ORDER BY 1, 2" "* FROM partners ORDER BY 1" \
    "* FROM opportunities ORDER BY 1" "* FROM goals_done ORDER BY 1, 2" \
    "* FROM field_values ORDER BY 1, 2" \
    "opp_id, type, at, actor, note FROM activities ORDER BY opp_id, at, id" \
    "* FROM events ORDER BY id" "* FROM stage_visits ORDER BY id"; do
    checks=$((checks + 1))
    [ "$(sqlite3 "$LITE" "SELECT $q" | md5sum)" = "$(sqlite3 "$T/back.db" "SELECT $q" | md5sum)" ] ||
        fail "'SELECT $q' differs after SQLite -> PostgreSQL -> SQLite"
done
# never over anything: a target that exists is refused and left as it was
run kanal db copy "$LITE" "$COPY"
expect_rc 1
expect_err_has "a database already exists at"
cp "$T/back.db" "$T/back.kept"
run kanal db copy "$COPY" "$T/back.db"
expect_rc 1
expect_err_has "a database already exists at"
checks=$((checks + 1))
cmp -s "$T/back.db" "$T/back.kept" || fail "the existing file was changed"
run kanal db copy "$T/nothing-here.db" "$T/new.db"
expect_rc 3
checks=$((checks + 1))
[ ! -e "$T/new.db" ] || fail "a copy from nothing left a file"

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
# a rep's own closed opportunity stays his to read when its partner goes to
# another rep: before, its history failed with 'unknown error' and his list
# left it out, the partner hidden from him by row-level security
CLOSED=$(psql -X -At "$PG" -c "SELECT id || ' ' || partner_id FROM kanal.opportunities o WHERE owner = 'marcin' AND status <> 'open' AND NOT EXISTS (SELECT 1 FROM kanal.opportunities x WHERE x.partner_id = o.partner_id AND x.status = 'open') ORDER BY id LIMIT 1")
ok kanal reassign --from marcin --to piotr --partner "${CLOSED#* }" --db "$ANNA"
ok kanal history "${CLOSED% *}" --db "$MARCIN"
expect_out_has "created"
ok kanal opp list --json --db "$MARCIN"
expect_out_has "{\"id\":${CLOSED% *},"
# kanal's sessions plan without JIT: compiling a report's plan took 1.4 s of a
# 1.7 s goals report on 10,000 opportunities. What a session of kanal's runs
# with is seen by a trigger (the test's own, in its own schema's table)
psql -q -X -v ON_ERROR_STOP=1 "$PG" >/dev/null <<'SQL'
CREATE TABLE public.jit_seen(setting text);
GRANT INSERT ON public.jit_seen TO PUBLIC;
CREATE FUNCTION public.note_jit() RETURNS trigger LANGUAGE plpgsql AS
  $$BEGIN INSERT INTO public.jit_seen VALUES (current_setting('jit')); RETURN NEW; END$$;
CREATE TRIGGER note_jit AFTER INSERT ON kanal.partners FOR EACH ROW EXECUTE FUNCTION public.note_jit();
SQL
ok kanal partner add "Sprawdzian JIT" --type distributor --db "$ANNA"
checks=$((checks + 1))
[ "$(psql -X -At "$PG" -c "SELECT string_agg(setting, ',') FROM public.jit_seen")" = off ] ||
    fail "kanal's session runs with jit = $(psql -X -At "$PG" -c "SELECT string_agg(setting, ',') FROM public.jit_seen")"
psql -q -X "$PG" -c "DROP TRIGGER note_jit ON kanal.partners" >/dev/null
psql -q -X "$server" -c "DROP DATABASE kanal_other_$$" -c "DROP DATABASE kanal_empty_$$" >/dev/null 2>&1
finish
