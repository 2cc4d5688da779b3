#!/bin/sh
# kanal doctor: a sound record is said to be sound (exit 0); each kind of damage
# done outside Kanal is found and named (exit 5), and nothing is changed. On
# SQLite and on PostgreSQL.
. "$KANAL_SOURCE_DIR/tests/cli/lifecycle.sh"

setup_db
export KANAL_USER=marcin
ok kanal partner add "Agencja Alfa" --type agency
ok kanal partner add "Agencja Beta" --type agency
ok kanal partner add "Agencja Gamma" --type agency
ok kanal opp new --partner "Agencja Alfa" --workflow tiny --at 2026-11-20T09:00:00Z    # 1
ok kanal log 1 call --at 2026-11-20T10:00:00Z
ok kanal set 1 form=resale --at 2026-11-20T11:00:00Z
ok kanal opp new --partner "Agencja Beta" --workflow tiny --at 2026-11-20T09:00:00Z    # 2
ok kanal log 2 call --at 2026-11-20T10:00:00Z
ok kanal void 2 2 --reason "wrong partner" --at 2026-11-20T10:30:00Z
ok kanal set 2 form=resale --at 2026-11-20T11:00:00Z
ok kanal set 2 form=referral --at 2026-11-20T11:10:00Z
ok kanal void 2 7 --reason "not yet" --at 2026-11-20T11:20:00Z
ok kanal opp new --partner "Agencja Gamma" --workflow tiny --at 2026-11-20T09:00:00Z   # 3
ok kanal lose 3 --reason no_interest --at 2026-11-21T09:00:00Z
ok kanal reopen 3 --as manny --at 2026-11-22T09:00:00Z
ok kanal reassign --from marcin --to piotr --partner "Agencja Gamma" --as manny --at 2026-11-22T10:00:00Z

# ---- a sound record ---------------------------------------------------------------------------
ok kanal doctor --as manny
expect_out "sound: 3 opportunities and 17 events checked, the log append-only"
ok kanal doctor --as admin --json
expect_out '{"sound":true,"opportunities":3,"events":17,"problems":[]}'
refuse 1 "only a manager or an admin may check the whole record (you are 'marcin')" kanal doctor
refuse_usage "unexpected argument 'now'" kanal doctor now --as manny

# ---- damage done outside Kanal, each found ----------------------------------------------------
damaged() { # damaged RC-OUTPUT: doctor exits 5, its output has each line, and changes nothing
    db_snapshot
    run kanal doctor --as manny
    expect_rc 5
    expect_db_unchanged
    for _line in "$@"; do
        expect_out_has "$_line"
    done
}
sql "UPDATE opportunities SET stage = 'deal' WHERE id = 1" >/dev/null
damaged "opportunity 1: it is in stage 'deal' in the database, 'contact' by its log (replay)" \
    "1 problem in 3 opportunities and 17 events checked; nothing was changed"
sql "UPDATE opportunities SET stage = 'contact', owner = 'piotr', status = 'won' WHERE id = 1" >/dev/null
damaged "opportunity 1: it is won in the database, open by its log (replay)" \
    "opportunity 1: it is owned by 'piotr' in the database, 'marcin' by its log (replay)"
sql "UPDATE opportunities SET owner = 'marcin', status = 'open' WHERE id = 1" >/dev/null
ok kanal doctor --as manny

sql "UPDATE field_values SET value = 'referral' WHERE opp_id = 1 AND field = 'form'" >/dev/null
damaged "opportunity 1: field 'form' is 'referral' in the database, 'resale' in its log (replay)"
sql "UPDATE field_values SET value = 'resale' WHERE opp_id = 1 AND field = 'form'" >/dev/null
sql "DELETE FROM goals_done WHERE opp_id = 1" >/dev/null
damaged "opportunity 1: goal 'called' is done in its log, not in the database (replay)" \
    "opportunity 1: goal 'introduced' is done in its log, not in the database (replay)"
sql "INSERT INTO goals_done(opp_id, goal, done_at, done_by) VALUES (1, 'called', '2026-11-20T10:00:00Z', 'marcin')" >/dev/null
sql "INSERT INTO goals_done(opp_id, goal, done_at, done_by) VALUES (1, 'introduced', '2026-11-20T10:00:00Z', 'marcin')" >/dev/null
ok kanal doctor --as manny
# the voided call of 2 and its voided field change: not in the state, rightly
sql "INSERT INTO goals_done(opp_id, goal, done_at, done_by) VALUES (2, 'called', '2026-11-20T10:00:00Z', 'marcin')" >/dev/null
damaged "opportunity 2: goal 'called' is done in the database, not in its log (replay)"
sql "DELETE FROM goals_done WHERE opp_id = 2" >/dev/null

case "$KANAL_DB" in
postgresql://*) ;; # the server's foreign key refuses a version that is not there
*)
    sql "UPDATE opportunities SET version = 9 WHERE id = 3" >/dev/null
    damaged "opportunity 3: its workflow version tiny v9 is not in the database (version)" \
        "opportunity 3: it follows version 9 in the database, 1 by its log (replay)"
    ;;
esac
sql "UPDATE opportunities SET version = 1, stage = 'gone' WHERE id = 3" >/dev/null
damaged "opportunity 3: it is open in stage 'gone', which tiny v1 does not have (stage)"
sql "UPDATE opportunities SET stage = 'contact' WHERE id = 3" >/dev/null
ok kanal doctor --as manny
expect_out "sound: 3 opportunities and 17 events checked, the log append-only"

# an event log emptied behind the triggers' back: found, not shown as an empty history
case "$KANAL_DB" in
postgresql://*)
    sql "ALTER TABLE events DISABLE TRIGGER events_no_delete" >/dev/null ;;
*)
    sql "DROP TRIGGER events_no_delete" >/dev/null ;;
esac
sql "DELETE FROM events WHERE opp_id = 1 AND seq >= 2" >/dev/null
damaged "the event log's append-only triggers are gone: events can be changed or deleted" \
    "opportunity 1: its log holds 1 events, but the opportunity counts 5 (events were deleted outside Kanal) (sequence)"
sql "DELETE FROM events WHERE opp_id = 2 AND seq = 3" >/dev/null
damaged "opportunity 2: its events are numbered with a gap or a repeat: event 3 of the log is numbered 4"

case "$KANAL_DB" in
postgresql://*) ;;
*)
    # SQLite's own checks: a row naming one that does not exist
    sqlite3 "$KANAL_DB" "PRAGMA foreign_keys = OFF; INSERT INTO field_values(opp_id, field, value, set_at) VALUES (99, 'form', 'x', '2026-11-20T10:00:00Z')"
    damaged "row " "of table field_values names a opportunities row that does not exist (foreign_key_check)"
    ;;
esac

ok kanal doctor --help
expect_out_has "usage: kanal doctor"
finish
