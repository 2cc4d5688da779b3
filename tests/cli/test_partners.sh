#!/bin/sh
# kanal partner add|list|show: ids, unique names regardless of case, owners.
. "$KANAL_SOURCE_DIR/tests/cli/lifecycle.sh"

setup_db
export KANAL_USER=marcin

# ---- add -------------------------------------------------------------------------------
ok kanal partner add "Hurtownia ABC" --type wholesaler
expect_out 1
expect_err ""
ok kanal partner add "Dystrybucja Polna" --type distributor --city Poznań --email biuro@polna.pl \
    --phone "+48 61 000 00 00" --tax-id PL7770001122 --json
expect_out '{"id":2}'
ok kanal partner add "Hurtownia Łódź" --type distributor --owner marcin
expect_out 3
# a manager may give a partner to someone
ok kanal partner add "Sklep Pod Lipą" --type shop --owner piotr --as manny
expect_out 4
expect_sql "SELECT owner FROM partners WHERE id = 4" piotr
expect_sql "SELECT count(*) FROM events WHERE type = 'partner_added'" 4

# ---- names are unique regardless of case (and spacing) ----------------------------------
refuse 1 "partner 'Hurtownia ABC' already exists (id 1, owned by nobody)" \
    kanal partner add "HURTOWNIA abc" --type wholesaler --as piotr
refuse 1 "partner 'Hurtownia ABC' already exists (id 1, owned by nobody)" \
    kanal partner add "  hurtownia   ABC " --type wholesaler
refuse 1 "partner 'Hurtownia Łódź' already exists (id 3, owned by marcin (Marcin Nowak))" \
    kanal partner add "HURTOWNIA ŁÓDŹ" --type distributor --as piotr
refuse 1 "partner 'Sklep Pod Lipą' already exists (id 4, owned by piotr (Piotr Wiśniewski))" \
    kanal partner add "sklep pod lipą" --type shop
# accents aside too: Hurtownia Lodz is Hurtownia Łódź, whoever owns it (on PostgreSQL
# piotr cannot read marcin's partner, and is told all the same)
refuse 1 "partner 'Hurtownia Łódź' already exists (id 3, owned by marcin (Marcin Nowak))" \
    kanal partner add "Hurtownia  Lodz" --type distributor --as piotr
refuse 1 "partner 'Sklep Pod Lipą' already exists (id 4, owned by piotr (Piotr Wiśniewski))" \
    kanal partner add "SKLEP POD LIPA" --type shop --as manny

# ---- refusals -------------------------------------------------------------------------------
refuse_usage "missing --type TYPE" kanal partner add "Nowy"
refuse_usage "missing NAME" kanal partner add --type shop
refuse 4 "a partner needs a name" kanal partner add "" --type shop
refuse 4 "a partner needs a name" kanal partner add "   " --type shop
refuse 4 "invalid partner type 'Shop': use lowercase letters, digits and '_', starting with a letter" \
    kanal partner add "Nowy" --type Shop
refuse 4 "unknown partner type 'shops' (did you mean 'shop'?)" kanal partner add "Nowy" --type shops
refuse 4 "unknown partner type 'bank' (known: distributor, wholesaler, referrer, consultant, agency, store_chain, shop)" \
    kanal partner add "Nowy" --type bank
refuse 4 "invalid e-mail address 'biuro.nowy.pl'" kanal partner add "Nowy" --type shop --email biuro.nowy.pl
refuse 1 "only a manager may give a partner to someone else (you are 'marcin')" \
    kanal partner add "Nowy" --type shop --owner piotr
refuse 1 "only a manager may give a partner to someone else (you are 'admin')" \
    kanal partner add "Nowy" --type shop --owner piotr --as admin
refuse 3 "unknown user 'ghost'" kanal partner add "Nowy" --type shop --owner ghost --as manny
ok kanal user add gone --name "Gone Rep" --role channel_rep --as admin
ok kanal user deactivate gone --as admin
refuse 1 "user 'gone' is deactivated" kanal partner add "Nowy" --type shop --owner gone --as manny

# ---- show ---------------------------------------------------------------------------------
ok kanal partner show 2
expect_out "partner 2 — Dystrybucja Polna
type     distributor
owner    nobody
city     Poznań
email    biuro@polna.pl
phone    +48 61 000 00 00
tax id   PL7770001122
added    2026-11-28
open     no open opportunity
contacts none"
ok kanal partner show "Dystrybucja Polna" --json
expect_out '{"id":2,"name":"Dystrybucja Polna","type":"distributor","owner":null,"email":"biuro@polna.pl","phone":"+48 61 000 00 00","city":"Poznań","tax_id":"PL7770001122","created_at":"2026-11-28T12:00:00Z","open_opportunities":[],"contacts":[],"opportunities":[]}'
ok kanal opp new --partner "Dystrybucja Polna" --workflow distributors
ok kanal opp new --partner 2 --workflow tiny
ok kanal partner show 2 --json --as piotr
expect_json '$.owner' marcin
expect_json '$.open_opportunities' '[1,2]'
ok kanal partner show 2
expect_out_has "owner    marcin"
expect_out_has "open     opportunity #1 (distributors, stage awareness, owner marcin)
         opportunity #2 (tiny, stage contact, owner marcin)"

# a name as people remember it: case, accents and spacing aside, or some of its words
ok kanal partner show "dystrybucja  POLNA"
expect_out_has "partner 2 — Dystrybucja Polna"
ok kanal partner show polna
expect_out_has "partner 2 — Dystrybucja Polna"
refuse 2 "'hurtownia' matches 2 partners: 'Hurtownia ABC' (1), 'Hurtownia Łódź' (3); name one by its id or its exact name" kanal partner show hurtownia
ok kanal partner show lodz
expect_out_has "partner 3 — Hurtownia Łódź"
refuse 3 "no partner 'Nieznany' (name a partner by its id or its exact name)" kanal partner show Nieznany
refuse 3 "no partner '99' (name a partner by its id or its exact name)" kanal partner show 99

# A name made of digits: either refused when added, or found by its exact name.
run kanal partner add "2024" --type shop
if [ "$rc" = 0 ]; then
    digits_id=$out
    run kanal partner show 2024 --json
    expect_rc 0
    [ "$rc" = 0 ] && expect_json '$.id' "$digits_id"
else
    expect_rc 4
fi

# ---- list -----------------------------------------------------------------------------------
ok kanal partner list --json --type distributor
expect_out '{"partners":[{"id":2,"name":"Dystrybucja Polna","type":"distributor","owner":"marcin","city":"Poznań","email":"biuro@polna.pl","phone":"+48 61 000 00 00","tax_id":"PL7770001122","created_at":"2026-11-28T12:00:00Z"},{"id":3,"name":"Hurtownia Łódź","type":"distributor","owner":"marcin","city":null,"email":null,"phone":null,"tax_id":null,"created_at":"2026-11-28T12:00:00Z"}]}'
ok kanal partner list --owner piotr
expect_out "ID  NAME            TYPE  OWNER  CITY  EMAIL  PHONE  TAX ID  CREATED
 4  Sklep Pod Lipą  shop  piotr  -     -      -      -       2026-11-28 12:00"
ok kanal partner list --owner piotr --type distributor
expect_out "no partners"
ok kanal partner list --owner piotr --type distributor --json
expect_out '{"partners":[]}'
# a filter naming nothing that exists is a typo, not an empty list
refuse 3 "unknown partner type 'distributr' (did you mean 'distributor'?)" kanal partner list --type distributr
refuse 3 "unknown user 'piotrr' (did you mean 'piotr'?)" kanal partner list --owner piotrr
ok kanal partner list --json
expect_json '$.partners[0].name' "Hurtownia ABC"
expect_json '$.partners[0].owner' ""
expect_json_keys '$.partners[0]' id name type owner city email phone tax_id created_at

# ---- a database from before schema 8: its partners get their fold keys when opened -----------
case "$KANAL_DB" in
postgresql://*)
    sql "DROP POLICY partner_read ON kanal.events; DROP TABLE kanal.contacts; DROP FUNCTION kanal.next_contact_id(); DROP FUNCTION kanal.partner_clash(text, text, bigint); ALTER TABLE kanal.partners DROP COLUMN fold_key; UPDATE kanal.meta SET value = '7' WHERE key = 'schema_version'" >/dev/null ;;
*)
    sql "DROP TABLE contacts; DROP INDEX partners_fold; ALTER TABLE partners DROP COLUMN fold_key; PRAGMA user_version = 7" >/dev/null ;;
esac
ok kanal partner list --as admin
expect_sql "SELECT fold_key FROM partners WHERE id = 3" "hurtownia lodz"
refuse 1 "partner 'Hurtownia Łódź' already exists (id 3, owned by marcin (Marcin Nowak))" \
    kanal partner add "hurtownia lodz" --type distributor --as piotr

# ---- help -----------------------------------------------------------------------------------
for c in add list show; do
    ok kanal partner "$c" --help
    expect_out_has "usage: kanal partner $c"
done

finish
