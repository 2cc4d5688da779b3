#!/bin/sh
# kanal void: an activity or a field change logged by mistake is voided by a
# new event. The activity leaves the reports, the goals it completed are undone
# unless a later activity of its type still completes them, a field gets its
# value from before back; the owner may void within 24 hours, a manager or an
# admin at any time. Each refusal has its exit code and message and changes
# nothing, and the voids survive a CSV round trip.
. "$KANAL_SOURCE_DIR/tests/cli/lifecycle.sh"

# expect_json_type PATH TYPE: the value at PATH is of TYPE ('null', 'integer'...; '': absent).
expect_json_type() {
    checks=$((checks + 1))
    [ "$(json_type "$1")" = "$2" ] || fail "JSON $1 is of type '$(json_type "$1")', want '$2'"
}

setup_db
export KANAL_USER=marcin
ok kanal partner add "Agencja Alfa" --type agency
ok kanal partner add "Agencja Beta" --type agency
ok kanal opp new --partner "Agencja Alfa" --workflow tiny --at 2026-11-27T09:00:00Z   # 1
ok kanal opp new --partner "Agencja Beta" --workflow tiny --at 2026-11-27T09:00:00Z   # 2

# ---- an activity, and the goal it completed ----------------------------------------------------
ok kanal log 1 call --at 2026-11-27T10:00:00Z    # 2; goals called 3, introduced 4
ok kanal log 1 email --at 2026-11-27T10:30:00Z   # 5; goal mailed 6
ok kanal report activities --json --as manny
expect_json '$.rows[0].activities.email' 1
expect_json '$.rows[0].activities.call' 1
ok kanal void 1 5 --reason "the e-mail went to Beta" --at 2026-11-27T11:00:00Z   # 7
expect_out "opportunity 1: voided event 5 (activity email); goal 'mailed' is not done any more"
expect_err ""
ok kanal report activities --json --as manny
expect_json_type '$.rows[0].activities.email' "" # no e-mail stands: not a column any more
expect_json '$.rows[0].activities.call' 1
# a report of a moment before the void still counts it
ok kanal report activities --json --as manny --as-of 2026-11-27T10:45:00Z
expect_json '$.rows[0].activities.email' 1
ok kanal opp show 1 --json
expect_json '$.goals[2].id' mailed
expect_json '$.goals[2].done' 0
expect_json '$.last_activity_at' 2026-11-27T10:00:00Z
expect_sql "SELECT type || ' ' || data FROM events WHERE opp_id = 1 AND seq = 7" \
    'voided {"seq":5,"type":"activity","activity":"email","reason":"the e-mail went to Beta","goals_undone":["mailed"]}'
expect_sql "SELECT count(*) FROM activities WHERE opp_id = 1 AND voided_at IS NOT NULL" 1
ok kanal history 1
expect_out_has "activity   [voided by 7] activity=email"
expect_out_has "voided     seq=5, type=activity, activity=email, reason=the e-mail went to Beta"
ok kanal history 1 --json
expect_json '$.events[4].voided_by' 7
expect_json '$.events[6].type' voided
expect_json '$.events[6].data.reason' "the e-mail went to Beta"
expect_json_type '$.events[5].voided_by' ""
# the goal is done again by a new e-mail
ok kanal log 1 email --at 2026-11-27T11:10:00Z   # 8; mailed 9
expect_out_has "mailed completed"

# ---- a goal kept done by a later activity ------------------------------------------------------
ok kanal log 1 call --at 2026-11-27T12:00:00Z    # 10: completes nothing new
ok kanal void 1 2 --reason "wrong number" --at 2026-11-27T12:30:00Z   # 11
expect_out "opportunity 1: voided event 2 (activity call); goals 'called' and 'introduced' still done by a later call"
ok kanal opp show 1 --json
expect_json '$.goals[0].id' called
expect_json '$.goals[0].done' 1
expect_json '$.goals[0].done_at' 2026-11-27T12:00:00Z
expect_json '$.goals[1].done' 1
# and voiding that later call too leaves nothing that completes them
ok kanal void 1 10 --reason "no call at all" --at 2026-11-27T12:40:00Z   # 12
expect_out "opportunity 1: voided event 10 (activity call); goals 'called' and 'introduced' are not done any more"
ok kanal opp show 1 --json
expect_json '$.goals[0].done' 0
expect_json '$.goals[1].done' 0
expect_json '$.last_activity_at' 2026-11-27T11:10:00Z
ok kanal report activities --json --as manny
expect_json_type '$.rows[0].activities.call' "" # no call stands: not a column any more
expect_json '$.rows[0].activities.email' 1

# ---- a field change ----------------------------------------------------------------------------
ok kanal set 1 margin=10 --at 2026-11-27T13:00:00Z   # 13
ok kanal set 1 margin=25 --at 2026-11-27T13:05:00Z   # 14
ok kanal void 1 14 --reason "typo: 15 meant" --at 2026-11-27T13:10:00Z   # 15
expect_out "opportunity 1: voided event 14 (field_set margin); margin is back to '10'"
ok kanal opp show 1 --json
expect_json '$.fields.margin' 10
expect_sql "SELECT data FROM events WHERE opp_id = 1 AND seq = 15" \
    '{"seq":14,"type":"field_set","field":"margin","reason":"typo: 15 meant","value":"10","previous":"25"}'
# an admin voids the first one too: no value stands, the field is cleared
ok kanal void 1 13 --reason "not agreed yet" --as admin --at 2026-11-27T13:20:00Z   # 16
expect_out "opportunity 1: voided event 13 (field_set margin); margin is cleared"
ok kanal opp show 1 --json
expect_json_type '$.fields.margin' null
# a clearing voided: the value before it is back
ok kanal set 1 notes="Zadzwonić po 15" --at 2026-11-27T13:30:00Z   # 17
ok kanal set 1 notes= --at 2026-11-27T13:31:00Z                    # 18: field_cleared
ok kanal void 1 18 --reason "cleared by mistake" --at 2026-11-27T13:32:00Z   # 19
expect_out "opportunity 1: voided event 18 (field_cleared notes); notes is back to 'Zadzwonić po 15'"
ok kanal opp show 1 --json
expect_json '$.fields.notes' "Zadzwonić po 15"

# ---- refusals: each with its code and message, the database as it was ---------------------------
"$KANAL_BIN" history 1 --json >"$T/.h.before" 2>&1
refuse 1 "event 3 of opportunity 1 is 'goal_done': only an activity or a field change (activity, field_set, field_cleared) can be voided; a goal an activity completed is undone by voiding that activity; otherwise write a note (kanal note)" \
    kanal void 1 3 --reason x
refuse 1 "event 1 of opportunity 1 is 'created': only an activity or a field change (activity, field_set, field_cleared) can be voided; write a note that corrects it (kanal note)" \
    kanal void 1 1 --reason x
refuse 1 "event 7 of opportunity 1 is 'voided': only an activity or a field change (activity, field_set, field_cleared) can be voided; write a note that corrects it (kanal note)" \
    kanal void 1 7 --reason x
refuse 1 "event 5 of opportunity 1 was voided already (by event 7)" kanal void 1 5 --reason again
refuse 3 "opportunity 1 has no event 99" kanal void 1 99 --reason x
refuse 3 "no opportunity 42" kanal void 42 1 --reason x
refuse 1 "opportunity 1 belongs to 'marcin': you ('piotr') see only your own" \
    kanal void 1 17 --reason x --as piotr
refuse_usage "missing --reason TEXT" kanal void 1 17
refuse_usage "'x' is not an event's seq (a positive number, as kanal history shows it)" \
    kanal void 1 x --reason y
refuse_usage "missing OPP EVENT_SEQ" kanal void 1
refuse 2 "the reason is empty" kanal void 1 17 --reason ""
refuse 1 "time 2026-11-27T13:00:00Z is before the latest event of opportunity 1 (2026-11-27T13:32:00Z)" \
    kanal void 1 17 --reason x --at 2026-11-27T13:00:00Z
"$KANAL_BIN" history 1 --json >"$T/.h.after" 2>&1
checks=$((checks + 1))
cmp -s "$T/.h.before" "$T/.h.after" || fail "history 1 changed under refusals"

# ---- the 24-hour rule --------------------------------------------------------------------------
ok kanal log 2 meeting --at 2026-11-27T09:30:00Z   # 2
ok kanal log 2 call --at 2026-11-27T09:40:00Z      # 3; goals 4, 5
refuse 1 "event 2 of opportunity 2 was logged at 2026-11-27T09:30:00Z, more than 24 hours before 2026-11-28T09:30:01Z: its owner may void an event only within 24 hours of it, a manager or an admin at any time" \
    kanal void 2 2 --reason late --at 2026-11-28T09:30:01Z
# now (2026-11-28T12:00) is past the 24 hours as well
refuse 1 "event 3 of opportunity 2 was logged at 2026-11-27T09:40:00Z, more than 24 hours before 2026-11-28T12:00:00Z: its owner may void an event only within 24 hours of it, a manager or an admin at any time" \
    kanal void 2 3 --reason late
# 24 hours to the second: still the owner's
ok kanal void 2 3 --reason "called Alfa, not Beta" --at 2026-11-28T09:40:00Z   # 6
expect_out "opportunity 2: voided event 3 (activity call); goals 'called' and 'introduced' are not done any more"
# a manager at any time
ok kanal void 2 2 --reason "no meeting took place" --as manny --at 2026-11-28T10:00:00Z   # 7
expect_out "opportunity 2: voided event 2 (activity meeting)"
ok kanal history 2
expect_out_has "manny"
expect_out_has "reason=no meeting took place"

# ---- a closed opportunity: reopened first ------------------------------------------------------
ok kanal log 2 email --at 2026-11-28T11:00:00Z   # 8
ok kanal lose 2 --reason no_interest --at 2026-11-28T11:10:00Z
refuse 1 "opportunity 2 is closed (lost on 2026-11-28): reopen it to void its events" \
    kanal void 2 8 --reason x --as manny

# ---- batch takes it like any command -----------------------------------------------------------
ok kanal log 1 meeting --at 2026-11-28T11:00:00Z   # 20
printf 'void 1 20 --reason "logged twice" --at 2026-11-28T11:05:00Z\n' >"$T/void.batch"
ok kanal batch "$T/void.batch"
expect_out_has "opportunity 1: voided event 20 (activity meeting)"
expect_sql "SELECT type FROM events WHERE opp_id = 1 AND seq = 21" voided

# a next contact before the voided one: exported (remind) and replayed, so the
# void names the same seq after the round trip
ok kanal partner add "Agencja Delta" --type agency
ok kanal opp new --partner "Agencja Delta" --workflow tiny --at 2026-11-28T11:20:00Z   # 3
ok kanal remind 3 2026-12-01 --at 2026-11-28T11:21:00Z    # 2: next_contact
ok kanal log 3 call --at 2026-11-28T11:22:00Z             # 3; goals 4, 5
ok kanal void 3 3 --reason "a call to Delta's neighbour" --at 2026-11-28T11:23:00Z   # 6

# ---- the round trip ----------------------------------------------------------------------------
ok kanal export csv events --as admin -o events.csv
expect_out ""
checks=$((checks + 1))
grep -q ',void,5,the e-mail went to Beta,' events.csv || fail "the export has no void row: $(grep void events.csv | head -2)"
ok kanal export csv partners --as admin -o partners.csv
A=$KANAL_DB
B=$(new_db void-b)
export KANAL_DB=$B
setup_db
ok kanal import csv partners partners.csv --as manny
ok kanal import csv history events.csv --as manny
expect_err ""
for id in 1 2 3; do
    "$KANAL_BIN" history "$id" --json --db "$A" --as manny >"$T/.a" 2>&1
    "$KANAL_BIN" history "$id" --json --db "$B" --as manny >"$T/.b" 2>&1
    checks=$((checks + 1))
    cmp -s "$T/.a" "$T/.b" || fail "history $id differs after the round trip: $(diff "$T/.a" "$T/.b" | head -4)"
    "$KANAL_BIN" opp show "$id" --json --db "$A" --as manny >"$T/.a" 2>&1
    "$KANAL_BIN" opp show "$id" --json --db "$B" --as manny >"$T/.b" 2>&1
    checks=$((checks + 1))
    cmp -s "$T/.a" "$T/.b" || fail "opp show $id differs after the round trip: $(diff "$T/.a" "$T/.b" | head -4)"
done
"$KANAL_BIN" report activities --json --db "$A" --as manny >"$T/.a" 2>&1
"$KANAL_BIN" report activities --json --db "$B" --as manny >"$T/.b" 2>&1
checks=$((checks + 1))
cmp -s "$T/.a" "$T/.b" || fail "report activities differs after the round trip: $(diff "$T/.a" "$T/.b" | head -4)"
checks=$((checks + 1))
grep -q "^Agencja Delta,tiny,marcin,2026-11-28T11:23:00Z,void,3,a call to Delta's neighbour," events.csv ||
    fail "the void of opportunity 3 does not name seq 3: $(grep Delta events.csv | grep void)"
ok kanal history 3 --json --as manny
expect_json '$.events[1].type' next_contact
expect_json '$.events[2].type' activity
expect_json '$.events[2].voided_by' 6
ok kanal opp show 3 --json --as manny
expect_json '$.goals[0].done' 0

# ---- an older database gets schema 7 (and 8) when it is opened ------------------------------------
C=$(new_db void-c)
export KANAL_DB=$C
setup_db
case "$KANAL_DB" in
postgresql://*)
    sql "ALTER TABLE activities DROP COLUMN voided_at" >/dev/null
    # (and what schema 8 added: the contacts)
    sql "DROP POLICY partner_read ON events; DROP TABLE contacts; DROP FUNCTION next_contact_id()" >/dev/null
    sql "DROP FUNCTION partner_clash(text, text, bigint); ALTER TABLE partners DROP COLUMN fold_key" >/dev/null
    sql "UPDATE meta SET value = '6' WHERE key = 'schema_version'" >/dev/null
    ok kanal user list --as admin
    expect_sql "SELECT value FROM meta WHERE key = 'schema_version'" 8
    ;;
*)
    sqlite3 "$C" "ALTER TABLE activities DROP COLUMN voided_at; DROP TABLE contacts; DROP INDEX partners_fold; ALTER TABLE partners DROP COLUMN fold_key; PRAGMA user_version = 6"
    ok kanal user list --as admin
    expect_sql "PRAGMA user_version" 8
    ;;
esac
export KANAL_USER=marcin
ok kanal partner add "Agencja Gamma" --type agency
ok kanal opp new --partner "Agencja Gamma" --workflow tiny --at 2026-11-28T09:00:00Z
ok kanal log 1 call --at 2026-11-28T09:10:00Z
ok kanal void 1 2 --reason "not this partner" --at 2026-11-28T09:20:00Z
expect_out "opportunity 1: voided event 2 (activity call); goals 'called' and 'introduced' are not done any more"
expect_sql "SELECT count(*) FROM activities WHERE voided_at IS NOT NULL" 1

ok kanal void --help
expect_out_has "usage: kanal void OPP EVENT_SEQ"

finish
