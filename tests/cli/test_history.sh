#!/bin/sh
# kanal history: every change to an opportunity is an event, in order, with
# its time, actor, type and data; the log is append-only.
. "$KANAL_SOURCE_DIR/tests/cli/lifecycle.sh"

setup_db
export KANAL_USER=marcin
ok kanal partner add "Agencja Alfa" --type agency
ok kanal opp new --partner "Agencja Alfa" --workflow tiny --at 2026-11-20T09:00:00Z
ok kanal log 1 call --note "Pierwszy kontakt" --at 2026-11-21T10:00:00+01:00
ok kanal done 1 classified --set form=resale --note "Odsprzedaż" --at 2026-11-22T10:00:00Z
ok kanal set 1 margin=10 --at 2026-11-23T10:00:00Z
ok kanal set 1 margin= --as manny --at 2026-11-24T10:00:00Z
ok kanal lose 1 --reason other --note "Zmiana planów" --at 2026-11-25T10:00:00Z

ok kanal history 1 --json
expect_out '{"id":1,"events":[{"seq":1,"at":"2026-11-20T09:00:00Z","actor":"marcin","type":"created","version":1,"login":"'"$LOGIN"'","data":{"partner_id":1,"partner":"Agencja Alfa","workflow":"tiny","version":1,"owner":"marcin","stage":"contact","partner_claimed":true}},{"seq":2,"at":"2026-11-21T09:00:00Z","actor":"marcin","type":"activity","version":1,"login":"'"$LOGIN"'","data":{"activity":"call","note":"Pierwszy kontakt"}},{"seq":3,"at":"2026-11-21T09:00:00Z","actor":"marcin","type":"goal_done","version":1,"login":"'"$LOGIN"'","data":{"goal":"called","stage":"contact","activity":"call"}},{"seq":4,"at":"2026-11-21T09:00:00Z","actor":"marcin","type":"goal_done","version":1,"login":"'"$LOGIN"'","data":{"goal":"introduced","stage":"contact","activity":"call"}},{"seq":5,"at":"2026-11-22T10:00:00Z","actor":"marcin","type":"field_set","version":1,"login":"'"$LOGIN"'","data":{"field":"form","value":"resale","previous":null}},{"seq":6,"at":"2026-11-22T10:00:00Z","actor":"marcin","type":"goal_done","version":1,"login":"'"$LOGIN"'","data":{"goal":"classified","stage":"contact","note":"Odsprzedaż"}},{"seq":7,"at":"2026-11-23T10:00:00Z","actor":"marcin","type":"field_set","version":1,"login":"'"$LOGIN"'","data":{"field":"margin","value":"10","previous":null}},{"seq":8,"at":"2026-11-24T10:00:00Z","actor":"manny","type":"field_cleared","version":1,"login":"'"$LOGIN"'","data":{"field":"margin","value":null,"previous":"10"}},{"seq":9,"at":"2026-11-25T10:00:00Z","actor":"marcin","type":"lost","version":1,"login":"'"$LOGIN"'","data":{"stage":"contact","reason":"other","note":"Zmiana planów"}}]}'
expect_err ""
expect_json_keys '$' id events
expect_json_keys '$.events[0]' seq at actor type data

# every step here was run by one operating-system login acting as marcin and
# manny: the actor column says so
ok kanal history 1
MA="marcin [login: $LOGIN]"
MN="manny [login: $LOGIN]"
row() {
    printf '%3s  %s  %-*s  %-13s  %s\n' "$1" "$2" ${#MA} "$3" "$4" "$5"
}
expect_out "$(row 1 "2026-11-20 09:00" "$MA" created "partner_id=1, partner=Agencja Alfa, workflow=tiny, version=1, owner=marcin, stage=contact, partner_claimed=true"
row 2 "2026-11-21 09:00" "$MA" activity "activity=call, note=Pierwszy kontakt"
row 3 "2026-11-21 09:00" "$MA" goal_done "goal=called, stage=contact, activity=call"
row 4 "2026-11-21 09:00" "$MA" goal_done "goal=introduced, stage=contact, activity=call"
row 5 "2026-11-22 10:00" "$MA" field_set "field=form, value=resale, previous=-"
row 6 "2026-11-22 10:00" "$MA" goal_done "goal=classified, stage=contact, note=Odsprzedaż"
row 7 "2026-11-23 10:00" "$MA" field_set "field=margin, value=10, previous=-"
row 8 "2026-11-24 10:00" "$MN" field_cleared "field=margin, value=-, previous=10"
row 9 "2026-11-25 10:00" "$MA" lost "stage=contact, reason=other, note=Zmiana planów")"

# advance, win and reassignment are events too
ok kanal partner add "Agencja Beta" --type agency
ok kanal opp new --partner "Agencja Beta" --workflow tiny --at 2026-11-20T09:00:00Z
ok kanal log 2 call --at 2026-11-20T10:00:00Z
ok kanal log 2 email --at 2026-11-20T11:00:00Z
ok kanal set 2 notes=ok form=referral margin=5 signed_on=2026-11-20 --at 2026-11-20T12:00:00Z
ok kanal log 2 call --at 2026-11-20T13:00:00Z
ok kanal done 2 classified --at 2026-11-20T14:00:00Z
ok kanal advance 2 --at 2026-11-21T08:00:00Z
ok kanal reassign --from marcin --to piotr --as manny
ok kanal done 2 signed --as piotr
ok kanal done 2 listed --as piotr
ok kanal win 2 --as piotr
ok kanal history 2 --json --as piotr
expect_json '$.events[#-1]' '{"seq":18,"at":"2026-11-28T12:00:00Z","actor":"piotr","type":"won","version":1,"login":"'"$LOGIN"'","data":{"stage":"deal"}}'
expect_sql "SELECT data FROM events WHERE opp_id = 2 AND type = 'advanced'" '{"from":"contact","to":"deal"}'
expect_sql "SELECT actor || ' ' || data FROM events WHERE opp_id = 2 AND type = 'reassigned'" 'manny {"from":"marcin","to":"piotr"}'
# seq runs 1, 2, 3... without gaps
expect_sql "SELECT CASE WHEN count(*) = max(seq) AND min(seq) = 1 THEN 1 ELSE 0 END FROM events WHERE opp_id = 2" 1
# every event of an opportunity names its workflow and version
expect_sql "SELECT count(*) FROM events WHERE opp_id IS NOT NULL AND (workflow IS NULL OR version IS NULL)" 0

# who may read it
refuse 1 "opportunity 2 belongs to 'piotr': you ('marcin') see only your own" kanal history 2
ok kanal history 2 --as manny
ok kanal history 2 --as admin
refuse 3 "no opportunity 9" kanal history 9
refuse_usage "missing OPP" kanal history
run kanal history one
expect_rc 2
expect_err_has "kanal: error: 'one' is not an opportunity id (a positive number)"

# ---- the log is append-only ---------------------------------------------------------------------
# (straight at the database, past kanal: sqlite3, or psql as the database's owner)
db_snapshot
run sql_at "$KANAL_DB" "UPDATE events SET actor = 'someone' WHERE opp_id = 1"
checks=$((checks + 1))
[ "$rc" != 0 ] || fail "UPDATE on events succeeded"
expect_err_has "the event log is append-only"
run sql_at "$KANAL_DB" "DELETE FROM events WHERE opp_id = 1"
checks=$((checks + 1))
[ "$rc" != 0 ] || fail "DELETE on events succeeded"
expect_err_has "the event log is append-only"
run sql_at "$KANAL_DB" "DELETE FROM events"
checks=$((checks + 1))
[ "$rc" != 0 ] || fail "DELETE of all events succeeded"
expect_db_unchanged
ok kanal history 1 --json
expect_json '$.events[8].type' lost

# --format: the events as a list, in a plugin's format (CSV: CRLF, quoted JSON)
ok kanal history 1 --format csv
checks=$((checks + 1))
printf 'seq,at,actor,type,version,data\r\n1,2026-11-20T09:00:00Z,marcin,created,1,"{""partner_id"":1,""partner"":""Agencja Alfa"",""workflow"":""tiny"",""version"":1,""owner"":""marcin"",""stage"":""contact"",""partner_claimed"":true}"\r\n2,2026-11-21T09:00:00Z,marcin,activity,1,"{""activity"":""call"",""note"":""Pierwszy kontakt""}"\r\n' >"$T/want-head"
head -c "$(wc -c <"$T/want-head")" "$T/.out" | cmp -s - "$T/want-head" || fail "history --format csv starts otherwise"
checks=$((checks + 1))
[ "$(grep -c . "$T/.out")" = 10 ] || fail "history --format csv: want a header and 9 events"
ok kanal history 1 --format json
expect_out_has '{"id":1,"events":[{"seq":1,'
run kanal history 1 --format nosuch
expect_rc 3
expect_err_has "unknown format 'nosuch'"

ok kanal history --help
expect_out_has "usage: kanal history OPP"

finish
