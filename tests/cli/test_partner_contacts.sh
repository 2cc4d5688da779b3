#!/bin/sh
# The people at partners: contact add, list, edit, remove. Each change is an
# event outside any opportunity (shown by history --partner), each refusal has
# its exit code and message and changes nothing, partner show and opp show
# list the contacts (partner show its past opportunities too, with their
# reasons), and the contacts survive a CSV round trip (export, import into a
# fresh database).
. "$KANAL_SOURCE_DIR/tests/cli/lifecycle.sh"

setup_db
export KANAL_USER=marcin
ok kanal partner add "Agencja Alfa" --type agency --owner marcin   # 1
ok kanal partner add "Agencja Beta" --type agency --owner piotr --as piotr   # 2
ok kanal partner add "Agencja Gamma" --type agency   # 3, nobody's

# ---- add ------------------------------------------------------------------------------------
ok kanal contact add "Agencja Alfa" --name "Jan Kowalski" --role "właściciel" --email jan@alfa.pl \
    --phone "+48 600 100 200"
expect_out "contact 1 added at partner 'Agencja Alfa'"
expect_err ""
expect_sql "SELECT partner_id || '|' || name || '|' || role || '|' || email || '|' || phone || '|' || created_by || '|' || coalesce(removed_at, '-') FROM contacts WHERE id = 1" \
    '1|Jan Kowalski|właściciel|jan@alfa.pl|+48 600 100 200|marcin|-'
expect_sql "SELECT type || ' ' || data FROM events WHERE type = 'contact_added'" \
    'contact_added {"partner_id":1,"partner":"Agencja Alfa","contact_id":1,"name":"Jan Kowalski","role":"właściciel","email":"jan@alfa.pl","phone":"+48 600 100 200"}'
expect_sql "SELECT count(*) FROM events WHERE type = 'contact_added' AND opp_id IS NULL" 1
# by id; blanks around the name go; an empty detail is none
ok kanal contact add 1 --name "  Ewa Nowak " --role "" --json
expect_out '{"id":2}'
expect_sql "SELECT name || '|' || coalesce(role, '-') FROM contacts WHERE id = 2" 'Ewa Nowak|-'
# a manager and an admin add at another rep's partner
ok kanal contact add "Agencja Beta" --name "Piotr Zieliński" --as manny
expect_out "contact 3 added at partner 'Agencja Beta'"
ok kanal contact add 2 --name "Anna Wójcik" --role buyer --as admin
expect_out "contact 4 added at partner 'Agencja Beta'"
ok kanal contact add 2 --name "Olga" --as piotr
expect_out "contact 5 added at partner 'Agencja Beta'"

refuse_usage "missing --name NAME" kanal contact add 1
refuse_usage "missing PARTNER" kanal contact add --name X
refuse 4 "a contact needs a name" kanal contact add 1 --name ""
refuse 4 "a contact needs a name" kanal contact add 1 --name "   "
refuse 4 "invalid e-mail address 'nope'" kanal contact add 1 --name X --email nope
refuse 4 "invalid e-mail address 'a b@c.pl'" kanal contact add 1 --name X --email "a b@c.pl"
refuse 3 "no partner 'Nikt' (name a partner by its id or its exact name)" \
    kanal contact add Nikt --name X
refuse 2 "'agencja' matches 3 partners: 'Agencja Alfa' (1), 'Agencja Beta' (2), 'Agencja Gamma' (3); name one by its id or its exact name" \
    kanal contact add agencja --name X
refuse 1 "partner 'Agencja Beta' belongs to piotr: only its owner, a manager or an admin may add its contacts" \
    kanal contact add "Agencja Beta" --name X
refuse 1 "partner 'Agencja Gamma' belongs to nobody: only its owner, a manager or an admin may add its contacts" \
    kanal contact add 3 --name X

# ---- list ------------------------------------------------------------------------------------
ok kanal contact list "Agencja Alfa"
expect_out "ID  PARTNER       NAME          ROLE        EMAIL        PHONE            ADDED             ADDED BY
 1  Agencja Alfa  Jan Kowalski  właściciel  jan@alfa.pl  +48 600 100 200  2026-11-28 12:00  marcin
 2  Agencja Alfa  Ewa Nowak     -           -            -                2026-11-28 12:00  marcin"
ok kanal contact list 1 --json
expect_json '$.contacts[0].name' "Jan Kowalski"
expect_json '$.contacts[1].id' 2
expect_json '$.contacts[1].role' ""
expect_json_keys '$.contacts[0]' id partner name role email phone created_at created_by
checks=$((checks + 1))
[ -z "$(json_type '$.contacts[0].removed_at')" ] || fail "contact list without --all has removed_at"
ok kanal contact list 1 --format json
expect_json '$.contacts[0].email' jan@alfa.pl
ok kanal contact list 1 --format csv
expect_out_has "id,partner,name,role,email,phone,created_at,created_by"
# for people, as every list in CSV: a cell a spreadsheet would run is neutralised
expect_out_has "1,Agencja Alfa,Jan Kowalski,właściciel,jan@alfa.pl,'+48 600 100 200"
refuse 3 "no partner '9' (name a partner by its id or its exact name)" kanal contact list 9
refuse_usage "missing PARTNER" kanal contact list

# ---- edit ------------------------------------------------------------------------------------
ok kanal contact edit 1 --role "prezes" --phone ""
expect_out "contact 1: edited"
expect_err ""
expect_sql "SELECT role || '|' || coalesce(phone, 'none') FROM contacts WHERE id = 1" 'prezes|none'
expect_sql "SELECT type || ' ' || data FROM events WHERE type = 'contact_edited'" \
    'contact_edited {"partner_id":1,"partner":"Agencja Alfa","contact_id":1,"role":["właściciel","prezes"],"phone":["+48 600 100 200",null]}'
ok kanal contact edit 1 --role prezes
expect_out "contact 1: nothing changed"
expect_sql "SELECT count(*) FROM events WHERE type = 'contact_edited'" 1
ok kanal contact edit 2 --email ewa@alfa.pl --as manny
ok kanal contact edit 3 --name "Piotr Zieliński-Kos" --as piotr
refuse 1 "partner 'Agencja Beta' belongs to piotr: only its owner, a manager or an admin may edit its contacts" \
    kanal contact edit 3 --role x
refuse 3 "no contact 42" kanal contact edit 42 --role x
refuse 4 "a contact needs a name" kanal contact edit 1 --name ""
refuse 4 "invalid e-mail address 'jan(at)alfa.pl'" kanal contact edit 1 --email "jan(at)alfa.pl"
refuse_usage "'x' is not a contact id (a positive number)" kanal contact edit x --role y
refuse_usage "'0' is not a contact id (a positive number)" kanal contact edit 0 --role y
refuse_usage "nothing to edit: give --name, --role, --email or --phone" kanal contact edit 1

# ---- remove ----------------------------------------------------------------------------------
refuse 1 "partner 'Agencja Beta' belongs to piotr: only its owner, a manager or an admin may remove its contacts" \
    kanal contact remove 5
refuse 3 "no contact 42" kanal contact remove 42
refuse_usage "'-1' is not a contact id (a positive number)" kanal contact remove -1
ok kanal contact remove 2
expect_out "contact 2: removed"
expect_err ""
expect_sql "SELECT removed_at FROM contacts WHERE id = 2" 2026-11-28T12:00:00Z
expect_sql "SELECT type || ' ' || data FROM events WHERE type = 'contact_removed'" \
    'contact_removed {"partner_id":1,"partner":"Agencja Alfa","contact_id":2,"name":"Ewa Nowak"}'
# the contact stays in the record, out of the lists
refuse 1 "contact 2 (Ewa Nowak at 'Agencja Alfa') was removed on 2026-11-28: it can no longer change" \
    kanal contact remove 2
refuse 1 "contact 2 (Ewa Nowak at 'Agencja Alfa') was removed on 2026-11-28: it can no longer change" \
    kanal contact edit 2 --role x
ok kanal contact list 1 --json
expect_json '$.contacts[0].id' 1
checks=$((checks + 1))
[ -z "$(json_type '$.contacts[1]')" ] || fail "a removed contact is listed"
ok kanal contact list 1 --all
expect_out_has "REMOVED"
expect_out_has "Ewa Nowak"
ok kanal contact list 1 --all --json
expect_json '$.contacts[1].name' "Ewa Nowak"
expect_json '$.contacts[1].removed_at' 2026-11-28T12:00:00Z
expect_json '$.contacts[0].removed_at' ""
ok kanal contact remove 5 --as piotr

# ---- the partner's own history ---------------------------------------------------------------
ok kanal history --partner "Agencja Alfa"
expect_out_has "partner_added"
expect_out_has "contact_added"
expect_out_has "contact_edited"
expect_out_has "contact_removed"
ok kanal history --partner 1 --json
expect_json '$.partner' 1
expect_json '$.events[0].type' partner_added
expect_json '$.events[1].type' contact_added
expect_json '$.events[1].data.name' "Jan Kowalski"
expect_json '$.events[4].actor' manny
expect_json '$.events[5].type' contact_removed
expect_json '$.events[5].seq' 6
ok kanal history --partner 2 --as manny --json
expect_json '$.events[1].data.contact_id' 3
refuse 1 "partner 'Agencja Beta' belongs to piotr: only its owner, a manager or an admin may read its history" \
    kanal history --partner 2
refuse_usage "give OPP or --partner P, not both" kanal history 1 --partner 1
refuse_usage "missing OPP" kanal history

# ---- partner show and opp show ---------------------------------------------------------------
ok kanal opp new --partner "Agencja Alfa" --workflow tiny --at 2026-11-20T09:00:00Z   # 1
ok kanal lose 1 --reason other --note "Za niska marża" --at 2026-11-21T10:00:00Z
ok kanal opp new --partner "Agencja Alfa" --workflow tiny --at 2026-11-22T09:00:00Z   # 2
ok kanal partner show 1
expect_out "partner 1 — Agencja Alfa
type     agency
owner    marcin
added    2026-11-28
open     opportunity #2 (tiny, stage contact, owner marcin)
past     opportunity #1 lost 2026-11-21 (tiny, stage contact, owner marcin)
           reason: other — Other
           note: Za niska marża
contacts #1 Jan Kowalski (prezes)  jan@alfa.pl"
ok kanal partner show 1 --json
expect_json '$.open_opportunities' '[2]'
expect_json '$.contacts[0].name' "Jan Kowalski"
expect_json '$.contacts[0].role' prezes
checks=$((checks + 1))
[ -z "$(json_type '$.contacts[1]')" ] || fail "partner show lists a removed contact"
expect_json '$.opportunities[0].id' 1
expect_json '$.opportunities[0].status' lost
expect_json '$.opportunities[0].closed_at' 2026-11-21T10:00:00Z
expect_json '$.opportunities[0].lost_reason' other
expect_json '$.opportunities[0].lost_reason_name' Other
expect_json '$.opportunities[0].lost_note' "Za niska marża"
# a partner with no contact and no opportunity
ok kanal partner show 3
expect_out_has "open     no open opportunity
contacts none"
expect_out_lacks "past"
ok kanal partner show 3 --json
expect_json '$.contacts' '[]'
expect_json '$.opportunities' '[]'
# another rep does not see the reasons of opportunities that are not theirs
ok kanal partner show 1 --as piotr --json
expect_json '$.opportunities' '[]'
ok kanal partner show 1 --as manny --json
expect_json '$.opportunities[0].id' 1

ok kanal opp show 2
expect_out_has "contacts  #1 Jan Kowalski (prezes)  jan@alfa.pl"
ok kanal opp show 2 --json
expect_json '$.contacts[0].id' 1
expect_json '$.contacts[0].email' jan@alfa.pl
checks=$((checks + 1))
[ -z "$(json_type '$.contacts[1]')" ] || fail "opp show lists a removed contact"

# a name that would act on a terminal is shown escaped, and kept exact in JSON
ESC=$(printf '\033')
ok kanal contact add 3 --name "Evil${ESC}[2J" --role "x${ESC}]8;;http://x" --as manny
ok kanal partner show 3
expect_out_has 'contacts #6 Evil\e[2J (x\e]8;;http://x)'
ok kanal partner show 3 --json
expect_json '$.contacts[0].name' "Evil${ESC}[2J"
ok kanal contact list 3
expect_out_has 'Evil\e[2J'
ok kanal contact remove 6 --as manny

# ---- the round trip --------------------------------------------------------------------------
ok kanal contact add 1 --name "Zofia, \"Zosia\" Lis" --role "=HYPERLINK()" --phone "+48 1"
expect_out "contact 7 added at partner 'Agencja Alfa'"
ok kanal export csv contacts --as manny -o contacts.csv
checks=$((checks + 1))
[ "$(head -1 contacts.csv | tr -d '\r')" = "partner,name,role,email,phone" ] ||
    fail "the contacts export's header is $(head -1 contacts.csv)"
checks=$((checks + 1))
grep -q "Ewa Nowak" contacts.csv && fail "a removed contact was exported"
checks=$((checks + 1))
grep -q '"Zofia, ""Zosia"" Lis",=HYPERLINK()' contacts.csv || fail "the export is not exact: $(cat contacts.csv)"
ok kanal export csv partners --as manny -o partners.csv
refuse 1 "only a manager or an admin may export (you are 'marcin')" kanal export csv contacts
A=$KANAL_DB
B=$(new_db contacts-b)
export KANAL_DB=$B
setup_db
ok kanal import csv partners partners.csv --as manny
ok kanal import csv contacts contacts.csv --as manny
expect_out "imported 4 of 4 rows"
expect_err ""
# the same people at the same partners (numbered afresh: the removed ones are not exported)
for p in 1 2; do
    q="SELECT p.name || '|' || c.name || '|' || coalesce(c.role, '') || '|' || coalesce(c.email, '') || '|' || coalesce(c.phone, '') FROM contacts c JOIN partners p ON p.id = c.partner_id WHERE c.partner_id = $p AND c.removed_at IS NULL ORDER BY c.id"
    checks=$((checks + 1))
    [ -n "$(sql_at "$A" "$q")" ] && [ "$(sql_at "$A" "$q")" = "$(sql_at "$B" "$q")" ] ||
        fail "the contacts of partner $p differ after the round trip: $(sql_at "$A" "$q") / $(sql_at "$B" "$q")"
done
"$KANAL_BIN" contact list 1 --json --db "$A" --as manny | sed 's/"id":[0-9]*,//g; s/"created_by":"[a-z]*"//g' >"$T/.a"
"$KANAL_BIN" contact list 1 --json --db "$B" --as manny | sed 's/"id":[0-9]*,//g; s/"created_by":"[a-z]*"//g' >"$T/.b"
checks=$((checks + 1))
[ -s "$T/.a" ] && cmp -s "$T/.a" "$T/.b" || fail "contact list differs after the round trip: $(diff "$T/.a" "$T/.b" | head -4)"
expect_sql "SELECT count(*) FROM events WHERE type = 'contact_added'" 4
# kanal db copy: every contact, the removed ones too, under the same numbers
C=$(new_db contacts-copy)
ok kanal db copy "$A" "$C"
expect_out_has ", 7 contacts and "
q="SELECT id || '|' || partner_id || '|' || name || '|' || created_by || '|' || coalesce(removed_at, '-') FROM contacts ORDER BY id"
checks=$((checks + 1))
[ "$(sql_at "$A" "$q" | wc -l)" = 7 ] && [ "$(sql_at "$A" "$q")" = "$(sql_at "$C" "$q")" ] ||
    fail "the copy's contacts differ: $(sql_at "$C" "$q" | head -3)"
# a bad row: nothing kept, the line named
printf 'partner,name,role,email,phone\r\nAgencja Alfa,Nowy,,,\r\nNikt,Ktoś,,,\r\nAgencja Alfa,,,,\r\n' >bad.csv
run kanal import csv contacts bad.csv --as manny
expect_rc 4
expect_err "bad.csv:3: no partner 'Nikt' (name a partner by its id or its exact name)
bad.csv:4: a contact needs a name
kanal: error: nothing was imported: 2 bad rows (fix them, or keep the good rows with --skip-bad REJECTS.csv)"
expect_sql "SELECT count(*) FROM contacts" 4
printf 'partner,nazwisko\r\n' >badhead.csv
run kanal import csv contacts badhead.csv --as manny
expect_rc 4
expect_err "badhead.csv:1: note: the column 'nazwisko' is left aside: the contacts import takes partner,name,role,email,phone
badhead.csv:1: the header lacks the column 'name'
kanal: error: nothing was imported: the header of 'badhead.csv' is not usable"

# ---- PostgreSQL: what a rep's login may read and write -----------------------------------------
case "$KANAL_DB" in
postgresql://*)
    R1=$(test_role rep1)
    R2=$(test_role rep2)
    ok kanal user add "$R1" --name "Rep One" --role channel_rep --as admin
    ok kanal user add "$R2" --name "Rep Two" --role channel_rep --as admin
    D1=$(db_as "$R1")
    D2=$(db_as "$R2")
    ok kanal partner add "Rep Partner" --type agency --owner "$R1" --db "$D1"
    pid=$out
    ok kanal contact add "$pid" --name "Kasia" --role buyer --db "$D1"
    cid=$(sql "SELECT max(id) FROM contacts")
    expect_out "contact $cid added at partner 'Rep Partner'"
    ok kanal contact edit "$cid" --phone "+48 2" --db "$D1"
    ok kanal contact list "$pid" --json --db "$D1"
    expect_json '$.contacts[0].name' Kasia
    ok kanal history --partner "$pid" --json --db "$D1"
    expect_json '$.events[1].type' contact_added
    expect_json '$.events[2].type' contact_edited
    # another rep reads neither the partner nor its people, nor changes them
    run kanal contact list "$pid" --db "$D2"
    expect_rc 3
    run kanal contact edit "$cid" --role x --db "$D2"
    expect_rc 3
    expect_sql "SELECT role FROM contacts WHERE id = $cid" buyer
    # a rep's own closed opportunity: its partner's contacts stay readable after the
    # partner went to another rep
    ok kanal opp new --partner "$pid" --workflow tiny --db "$D1"
    oid=$out
    ok kanal lose "$oid" --reason no_interest --db "$D1"
    ok kanal reassign --from "$R1" --to "$R2" --partner "$pid" --as manny
    ok kanal opp show "$oid" --json --db "$D1"
    expect_json '$.contacts[0].name' Kasia
    refuse 1 "partner 'Rep Partner' belongs to $R2: only its owner, a manager or an admin may edit its contacts" \
        kanal contact edit "$cid" --role x --db "$D1"
    ok kanal contact edit "$cid" --role kupiec --db "$D2"
    ok kanal partner show "$pid" --json --db "$D2"
    expect_json '$.contacts[0].role' kupiec
    ;;
esac

# ---- help ------------------------------------------------------------------------------------
for c in add edit list remove; do
    ok kanal contact "$c" --help
    expect_out_has "usage: kanal contact $c"
done
ok kanal contact list --help
expect_out_has "--all"
expect_out_has "--json"
ok kanal history --help
expect_out_has "--partner P"

finish
