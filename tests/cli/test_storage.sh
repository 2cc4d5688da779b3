#!/bin/sh
# Storage: where the database is, its schema and version, what a newer or a
# foreign file does, the append-only log, and two processes writing at once.
# On PostgreSQL (KANAL_TEST_BACKEND=postgresql) the same, asked of the
# server's catalog where SQLite's is asked; the checks of SQLite's own file
# (its journal, STRICT tables, integrity_check) are SQLite's only, and files
# that are not Kanal databases are files on both runs.
. "$KANAL_SOURCE_DIR/tests/cli/lifecycle.sh"
PG_WRITE_LOCK=1263422513 # the advisory lock kanal's writers take (WRITE_LOCK in postgres.c)

# ---- which file ------------------------------------------------------------------------------------
for cmd in "log 1 call" "done 1 classified" "next 1" "history 1" "reassign --from a --to b"; do
    # shellcheck disable=SC2086
    run kanal $cmd --as admin </dev/null
    expect_rc 3
    expect_err "kanal: error: $(no_db) (run 'kanal init')"
done
checks=$((checks + 1))
! db_exists || fail "a command on a missing database created it"

# --db, else $KANAL_DB, else ./kanal.db
mkdir sub
ok sh -c "cd sub && unset KANAL_DB && \"\$KANAL_BIN\" init --admin admin"
expect_out "created kanal.db with admin 'admin'"
checks=$((checks + 1))
[ -f sub/kanal.db ] && ! db_exists || fail "init without --db or \$KANAL_DB did not use ./kanal.db"
ok kanal init --admin admin --db "$T/flag.db"
checks=$((checks + 1))
[ -f "$T/flag.db" ] && ! db_exists || fail "--db did not win over \$KANAL_DB"
ok kanal init --admin admin
checks=$((checks + 1))
db_exists || fail "\$KANAL_DB was not used"
rm -rf sub "$T"/flag.db*

# ---- the schema -----------------------------------------------------------------------------------
setup_db_rest() {
    export KANAL_USER=admin
    ok kanal user add marcin --name "Marcin Nowak" --role channel_rep
    ok kanal user add piotr --name "Piotr Wiśniewski" --role channel_rep
    ok kanal workflow apply "$FX/tiny.yaml"
    unset KANAL_USER
}
setup_db_rest
case "$KANAL_DB" in
postgresql://*)
    # schema 3 in Kanal's own schema; the log's triggers: append-only, and the login
    expect_sql "SELECT value FROM meta WHERE key = 'schema_version'" 8
    expect_sql "SELECT tgname FROM pg_trigger WHERE tgrelid = 'kanal.events'::regclass AND NOT tgisinternal ORDER BY tgname" \
        "events_login
events_no_delete
events_no_truncate
events_no_update"
    ;;
*)
    expect_sql "PRAGMA journal_mode" wal
    expect_sql "PRAGMA user_version" 8
    # every table is STRICT
    expect_sql "SELECT count(*) FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%' AND strict = 0" 0
    expect_sql "SELECT count(*) > 5 FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND strict = 1" 1
    expect_sql "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_schema WHERE type = 'trigger' AND tbl_name = 'events' ORDER BY name)" \
        "events_no_delete events_no_replace events_no_update"
    expect_sql "PRAGMA integrity_check" ok
    ;;
esac

# ---- a database from a newer Kanal is refused, and left as it is ------------------------------------------
# (the schema's version: SQLite's user_version, or on PostgreSQL the row in kanal.meta)
case "$KANAL_DB" in
postgresql://*)
    N=$(new_db newer)
    ok kanal init --admin admin --db "$N"
    sql_at "$N" "UPDATE meta SET value = '99' WHERE key = 'schema_version'"
    newer_version() { sql_at "$N" "SELECT value FROM meta WHERE key = 'schema_version'"; }
    ;;
*)
    N=$T/newer.db
    cp "$T/kanal.db" "$N"
    sqlite3 "$N" "PRAGMA user_version = 99"
    newer_version() { sqlite3 "$N" 'PRAGMA user_version'; }
    ;;
esac
db_dump "$N" >"$T/newer.before"
run kanal user list --db "$N" --as admin
expect_rc 5
expect_err "kanal: error: the database at '$(db_where "$N")' was written by a newer Kanal (schema 99; this one knows up to 8): upgrade kanal"
run kanal user add x --name X --role channel_rep --db "$N" --as admin
expect_rc 5
expect_err_has "was written by a newer Kanal (schema 99"
checks=$((checks + 1))
db_dump "$N" >"$T/newer.after"
cmp -s "$T/newer.before" "$T/newer.after" || fail "the newer database was changed"
checks=$((checks + 1))
[ "$(newer_version)" = 99 ] || fail "the newer database's version was changed"

# ---- files that are not Kanal databases ----------------------------------------------------------------
printf 'not a database, just text\n' >"$T/junk.db"
run kanal user list --db "$T/junk.db" --as admin
expect_rc 5
expect_err "kanal: error: '$T/junk.db' is not a Kanal database: it is not an SQLite file (create one with 'kanal init')"
checks=$((checks + 1))
[ "$(cat "$T/junk.db")" = "not a database, just text" ] || fail "the text file was changed"

# another program's SQLite database: refused, and never written to
sqlite3 "$T/other.db" "CREATE TABLE invoices(id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices VALUES (1, 9.5);"
sqlite3 "$T/other.db" .dump >"$T/other.before"
run kanal user list --db "$T/other.db" --as admin
expect_rc 5
expect_err_has "'$T/other.db' is not a Kanal database"
checks=$((checks + 1))
sqlite3 "$T/other.db" .dump >"$T/other.after"
cmp -s "$T/other.before" "$T/other.after" ||
    fail "another program's database was changed: $(diff "$T/other.before" "$T/other.after" | grep -c '^>') lines added"

# ---- every change is an event; the log refuses UPDATE and DELETE ---------------------------------------------
export KANAL_USER=marcin
ok kanal partner add "Agencja Alfa" --type agency
ok kanal partner add "Agencja Beta" --type agency
ok kanal opp new --partner "Agencja Alfa" --workflow tiny
ok kanal opp new --partner "Agencja Beta" --workflow tiny
db_snapshot
# (straight at the database, past kanal: sqlite3, or psql as the database's owner)
run sql_at "$KANAL_DB" "UPDATE events SET type = 'x'"
checks=$((checks + 1))
[ "$rc" != 0 ] || fail "UPDATE on events succeeded"
expect_err_has "the event log is append-only"
run sql_at "$KANAL_DB" "DELETE FROM events WHERE opp_id = 1"
checks=$((checks + 1))
[ "$rc" != 0 ] || fail "DELETE on events succeeded"
expect_err_has "the event log is append-only"
expect_db_unchanged
# the state tables can be told from the log: each opportunity's last seq is its last event
expect_sql "SELECT count(*) FROM opportunities o WHERE last_seq != (SELECT max(seq) FROM events e WHERE e.opp_id = o.id)" 0

# ---- a writer holding the database: kanal waits instead of failing ---------------------------------------------
case "$KANAL_DB" in
postgresql://*)
    { echo "BEGIN; SELECT pg_advisory_xact_lock($PG_WRITE_LOCK);"; sleep 1; echo "COMMIT;"; } |
        psql -q -X "$KANAL_DB" >/dev/null &
    ;;
*) sqlite3 "$KANAL_DB" "BEGIN IMMEDIATE;" ".shell sleep 1" "COMMIT;" & ;;
esac
holder=$!
sleep 0.3
ok kanal log 1 meeting --note "waited for the lock"
wait "$holder"
expect_sql "SELECT count(*) FROM activities WHERE note = 'waited for the lock'" 1

# ---- two processes writing at once both succeed --------------------------------------------------------------
logs() { # OPP: 30 activities on it, one process each; exits with the failures
    n=0 bad=0
    while [ $n -lt 30 ]; do
        "$KANAL_BIN" log "$1" call --note "call $n" >/dev/null 2>>"$T/.errs.$1" || bad=$((bad + 1))
        n=$((n + 1))
    done
    return $bad
}
logs 1 &
p1=$!
logs 2 &
p2=$!
wait $p1
r1=$?
wait $p2
r2=$?
checks=$((checks + 1))
[ "$r1" = 0 ] && [ "$r2" = 0 ] ||
    fail "concurrent writers failed ($r1 and $r2 of 30): $(cat "$T"/.errs.* | sort | uniq -c | head -3)"
ok kanal history 1 --json
expect_sql "SELECT count(*) FROM activities WHERE type = 'call'" 60
ok kanal history 1
run sh -c "\"\$KANAL_BIN\" history 1 | grep -c ' activity  *activity=call'"
expect_out 30
run sh -c "\"\$KANAL_BIN\" history 2 | grep -c ' activity  *activity=call'"
expect_out 30
expect_sql "SELECT count(*) FROM events WHERE opp_id = 2 AND type = 'activity' AND json_extract(data, '\$.note') LIKE 'call %'" 30
# seq numbers stay unique and without gaps
expect_sql "SELECT CASE WHEN count(*) = max(seq) THEN 1 ELSE 0 END FROM events WHERE opp_id = 1" 1
expect_sql "SELECT CASE WHEN count(*) = max(seq) THEN 1 ELSE 0 END FROM events WHERE opp_id = 2" 1

# two processes adding partners at once, with a reader between them
adds() { # PREFIX USER
    n=0 bad=0
    while [ $n -lt 15 ]; do
        "$KANAL_BIN" partner add "$1 $n" --type agency --as "$2" >/dev/null 2>>"$T/.errs.$1" || bad=$((bad + 1))
        n=$((n + 1))
    done
    return $bad
}
reads() {
    n=0 bad=0
    while [ $n -lt 15 ]; do
        "$KANAL_BIN" opp list --json --as marcin >/dev/null 2>>"$T/.errs.reads" || bad=$((bad + 1))
        n=$((n + 1))
    done
    return $bad
}
adds Marcin marcin &
p1=$!
adds Piotr piotr &
p2=$!
reads &
p3=$!
wait $p1
r1=$?
wait $p2
r2=$?
wait $p3
r3=$?
checks=$((checks + 1))
[ "$r1" = 0 ] && [ "$r2" = 0 ] && [ "$r3" = 0 ] ||
    fail "concurrent commands failed ($r1, $r2, $r3): $(cat "$T"/.errs.* | sort | uniq -c | head -3)"
expect_sql "SELECT count(*), count(DISTINCT id) FROM partners WHERE name LIKE 'Marcin %' OR name LIKE 'Piotr %'" "30|30"
case "$KANAL_DB" in postgresql://*) ;; *) expect_sql "PRAGMA integrity_check" ok ;; esac

# ---- a log tampered with outside Kanal is visible, never taken as whole ---------------------------------
# (issue 8, item 9: on one SQLite file it cannot be prevented, but it shows; on
# PostgreSQL only the database's owner could do it, and it shows the same)
WARN="kanal: warning: the event log is not protected: its append-only triggers were removed outside Kanal, so its events may have been changed or deleted"
ok kanal partner list --as admin
expect_err ""
case "$KANAL_DB" in
postgresql://*) sql_at "$KANAL_DB" "DROP TRIGGER events_no_delete ON events" ;;
*) sqlite3 "$KANAL_DB" "DROP TRIGGER events_no_delete" ;;
esac
ok kanal partner list --as admin
expect_err "$WARN"
# once a command, not once a line of a batch
printf 'partner list\npartner list\npartner list\n' >"$T/three.kanal"
ok kanal batch "$T/three.kanal" --as admin
expect_err "$WARN"
# the deleted events of an opportunity: history says so instead of showing the rest as whole
ok kanal partner add "Log Tamper" --type agency --as marcin
ok kanal opp new --partner "Log Tamper" --workflow tiny --as marcin
tid=$out
ok kanal log "$tid" call --as marcin
sql_at "$KANAL_DB" "DELETE FROM events WHERE opp_id = $tid AND seq = 2"
run kanal history "$tid" --as marcin
expect_rc 5
expect_out ""
expect_err "kanal: error: the event log is damaged: opportunity $tid has 3 of its 4 events (events were deleted outside Kanal)
$WARN"
run kanal export csv events --as admin
expect_rc 0

# ---- what a killed init, copy or export left beside its target -------------------------------------
# (a file written under a name of its own and renamed into place: a kill leaves that name behind)
dead=$(sh -c 'echo $$') # a process that has ended
mkdir left
touch -d '5 minutes ago' "left/.new.db.kanal-init-$dead-0" "left/.new.db.kanal-init-$dead-0-journal" \
    "left/.out.csv.kanal-$dead-0" "left/.other.db.kanal-init-$dead-0"
touch "left/.new.db.kanal-init-$dead-1" # under a minute old: perhaps still being written
touch -d '5 minutes ago' "left/.new.db.kanal-init-$$-0" # its process runs
ok kanal init --admin admin --db left/new.db
ok kanal export csv opportunities --db left/new.db --as admin -o left/out.csv
checks=$((checks + 1))
left=$(cd left && ls -A | LC_ALL=C sort | tr '\n' ' ')
want=$(printf '%s\n' ".new.db.kanal-init-$$-0" ".new.db.kanal-init-$dead-1" ".other.db.kanal-init-$dead-0" new.db out.csv |
    LC_ALL=C sort | tr '\n' ' ')
[ "$left" = "$want" ] ||
    fail "what a killed init or export left: want only the live, the new and the other's kept; have: $left"
rm -rf left

finish
