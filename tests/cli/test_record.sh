#!/bin/sh
# Correcting the record: note and reopen. Each is a new event shown in history,
# each refusal has its exit code and message and changes nothing, and the new
# events survive a CSV round trip (export, import into a fresh database).
. "$KANAL_SOURCE_DIR/tests/cli/lifecycle.sh"

setup_db
export KANAL_USER=marcin
ok kanal partner add "Agencja Alfa" --type agency
ok kanal partner add "Agencja Beta" --type agency
ok kanal opp new --partner "Agencja Alfa" --workflow tiny --at 2026-11-20T09:00:00Z   # 1
ok kanal opp new --partner "Agencja Beta" --workflow tiny --at 2026-11-20T09:00:00Z   # 2

# ---- note -----------------------------------------------------------------------------------
ok kanal note 1 "Dzwonić po 15:00" --at 2026-11-21T10:00:00Z
expect_out "opportunity 1: noted"
expect_err ""
expect_sql "SELECT type || ' ' || data FROM events WHERE opp_id = 1 ORDER BY seq DESC LIMIT 1" \
    'note {"text":"Dzwonić po 15:00"}'
ok kanal note 1 "Manager was here" --as manny --at 2026-11-21T11:00:00Z
ok kanal note 1 "Admin too" --as admin --at 2026-11-21T12:00:00Z
ok kanal history 1
expect_out_has "Dzwonić po 15:00"
ok kanal history 1 --json
expect_out_has '"type":"note"'
refuse 1 "opportunity 1 belongs to 'marcin': you ('piotr') see only your own" \
    kanal note 1 "x" --as piotr
refuse 3 "no opportunity 42" kanal note 42 "x"
refuse_usage "missing OPP TEXT" kanal note 1
refuse 2 "the note is empty" kanal note 1 ""

# ---- reopen ---------------------------------------------------------------------------------
ok kanal lose 2 --reason no_interest --at 2026-11-22T10:00:00Z
refuse 1 "opportunity 2 is closed (lost on 2026-11-22): reopen it to note on it" kanal note 2 "x"
refuse 1 "only a manager may reopen an opportunity (you are 'marcin')" kanal reopen 2
refuse 1 "opportunity 1 is open: nothing to reopen" kanal reopen 1 --as manny
refuse 3 "no opportunity 42" kanal reopen 42 --as manny
ok kanal reopen 2 --as manny --note "Wrócili z nowym budżetem" --at 2026-11-23T10:00:00Z
expect_out "opportunity 2: reopened in stage contact"
expect_err ""
ok kanal opp show 2 --json
expect_json '$.status' open
expect_json '$.stage' contact
expect_sql "SELECT type || ' ' || data FROM events WHERE opp_id = 2 ORDER BY seq DESC LIMIT 1" \
    'reopened {"stage":"contact","was":"lost","reason":"no_interest","note":"Wrócili z nowym budżetem"}'
ok kanal history 2
expect_out_has "reopened"
# the rep works on it again
ok kanal note 2 "Spotkanie w piątek" --at 2026-11-23T11:00:00Z
# a partner with another open opportunity in the workflow: not reopened
ok kanal lose 2 --reason no_interest --at 2026-11-24T10:00:00Z
ok kanal opp new --partner "Agencja Beta" --workflow tiny --at 2026-11-24T11:00:00Z   # 3
refuse 1 "partner 'Agencja Beta' already has an open opportunity in workflow 'tiny' (3): close it first" \
    kanal reopen 2 --as manny

# ---- partner edit --------------------------------------------------------------------------
ok kanal partner edit "Agencja Alfa" --name "Agencja Alfa Sp. z o.o." --city Łódź --email biuro@alfa.pl
expect_out "partner 1 'Agencja Alfa Sp. z o.o.': edited"
expect_err ""
expect_sql "SELECT name || '|' || city || '|' || email FROM partners WHERE id = 1" \
    'Agencja Alfa Sp. z o.o.|Łódź|biuro@alfa.pl'
expect_sql "SELECT type || ' ' || data FROM events WHERE type = 'partner_edited'" \
    'partner_edited {"partner_id":1,"name":["Agencja Alfa","Agencja Alfa Sp. z o.o."],"email":[null,"biuro@alfa.pl"],"city":[null,"Łódź"]}'
ok kanal partner edit 1 --city ""
expect_sql "SELECT coalesce(city, 'none') FROM partners WHERE id = 1" none
ok kanal partner edit 1 --city ""
expect_out "partner 1 'Agencja Alfa Sp. z o.o.': nothing changed"
ok kanal partner edit 1 --phone "+48 600 100 200" --as manny
ok kanal partner edit 1 --tax-id 123 --as admin
refuse 1 "partner 'Agencja Beta' already exists (id 2, owned by marcin (Marcin Nowak))" \
    kanal partner edit 1 --name "agencja  BETA"
refuse 1 "partner 'Agencja Alfa Sp. z o.o.' belongs to marcin: only its owner, a manager or an admin may edit it" \
    kanal partner edit 1 --city Kraków --as piotr
refuse 4 "invalid e-mail address 'nope'" kanal partner edit 1 --email nope
refuse 4 "a partner needs a name" kanal partner edit 1 --name ""
refuse 3 "no partner 'Nikt' (name a partner by its id or its exact name)" kanal partner edit Nikt --city X
refuse_usage "nothing to edit: give --name, --type, --city, --email, --phone or --tax-id" \
    kanal partner edit 1
ok kanal partner show 1 --json
expect_json '$.name' "Agencja Alfa Sp. z o.o."

# ---- user activate --------------------------------------------------------------------------
ok kanal user deactivate dario --as admin
refuse 1 "only an admin may activate users (you are 'manny')" kanal user activate dario --as manny
refuse 3 "unknown user 'nobody'" kanal user activate nobody --as admin
refuse 1 "user 'piotr' is already active" kanal user activate piotr --as admin
ok kanal user activate dario --as admin
expect_out "activated user 'dario'"
expect_sql "SELECT count(*) FROM events WHERE type = 'user_activated'" 1
ok kanal user list --json --as admin
expect_out_has '"id":"dario"'

# ---- the round trip -------------------------------------------------------------------------
ok kanal export csv events --as admin -o events.csv
ok kanal export csv partners --as admin -o partners.csv
A=$KANAL_DB
B=$(new_db record-b)
export KANAL_DB=$B
setup_db
ok kanal import csv partners partners.csv --as manny
ok kanal import csv history events.csv --as manny
expect_err ""
for id in 1 2 3; do
    "$KANAL_BIN" history "$id" --json --db "$A" >"$T/.a" 2>&1
    "$KANAL_BIN" history "$id" --json --db "$B" >"$T/.b" 2>&1
    checks=$((checks + 1))
    cmp -s "$T/.a" "$T/.b" || fail "history $id differs after the round trip: $(diff "$T/.a" "$T/.b" | head -4)"
    "$KANAL_BIN" opp show "$id" --json --db "$A" >"$T/.a" 2>&1
    "$KANAL_BIN" opp show "$id" --json --db "$B" >"$T/.b" 2>&1
    checks=$((checks + 1))
    cmp -s "$T/.a" "$T/.b" || fail "opp show $id differs after the round trip: $(diff "$T/.a" "$T/.b" | head -4)"
done

for c in note reopen; do
    ok kanal "$c" --help
    expect_out_has "usage: kanal $c OPP"
done

ok kanal user activate --help
expect_out_has "usage: kanal user activate ID"
ok kanal partner edit --help
expect_out_has "usage: kanal partner edit PARTNER"

finish
