#!/bin/sh
# kanal export csv partners|opportunities|events: who may, what it writes
# (exactly, for a small case with awkward text), -o FILE; and the round trip
# of the issue's "Done when": the demo database (plus reassignments) exported,
# then imported into a fresh database with the same users and workflows, gives
# the same `opp show --json` for every opportunity, the same `opp list --json`
# and the same `partner list`.
. "$KANAL_SOURCE_DIR/tests/cli/lifecycle.sh"
export KANAL_NOW=2026-03-31T17:00:00Z

# expect_file FILE LINE...: FILE is, byte for byte, these lines ended by CRLF.
expect_file() {
    checks=$((checks + 1))
    _f=$1
    shift
    printf '%s\r\n' "$@" >"$T/.want"
    cmp -s "$_f" "$T/.want" ||
        fail "$_f is not, byte for byte: $(tr -d '\r' <"$T/.want") --- it is: $(tr -d '\r' <"$_f" 2>&1)"
}
# same WHAT CMD...: CMD gives the same stdout (byte for byte) on $A and on $B, and exits 0 on both.
same() {
    _what=$1
    shift
    [ "$1" = kanal ] && shift
    checks=$((checks + 1))
    if [ "$1" = histories ]; then
        histories "$A" >"$T/.a" 2>"$T/.a.err"
        _ra=$?
        histories "$B" >"$T/.b" 2>"$T/.b.err"
        _rb=$?
    else
        "$KANAL_BIN" "$@" --db "$A" >"$T/.a" 2>"$T/.a.err"
        _ra=$?
        "$KANAL_BIN" "$@" --db "$B" >"$T/.b" 2>"$T/.b.err"
        _rb=$?
    fi
    step="$* (on both databases)"
    out=""
    err=$(cat "$T/.a.err" "$T/.b.err")
    if [ "$_ra" != 0 ] || [ "$_rb" != 0 ]; then
        fail "$_what: exit codes $_ra and $_rb"
    elif [ ! -s "$T/.a" ]; then
        fail "$_what: nothing to compare"
    elif ! cmp -s "$T/.a" "$T/.b"; then
        # the differing items, one a line (split at commas), first database first
        tr ',' '\n' <"$T/.a" >"$T/.a.items"
        tr ',' '\n' <"$T/.b" >"$T/.b.items"
        fail "$_what differs between the databases: $(diff "$T/.a.items" "$T/.b.items" | grep '^[<>]' | head -6)"
    fi
}
# histories DB: the history (--json) of every opportunity of DB, one a line.
histories() {
    for _id in $(sql_at "$1" "SELECT id FROM opportunities ORDER BY id"); do
        "$KANAL_BIN" history "$_id" --json --db "$1" || echo "history $_id failed"
    done
}
# fresh DB: a new database with the admin and the sample workflows.
fresh() {
    ok kanal init --admin admin --name "Ada Admin" --db "$1"
    ok kanal workflow apply "$WF/distributors.yaml" "$WF/referral_partners.yaml" "$WF/wholesale.yaml" \
        --db "$1" --as admin
}

# ==== a small case, exactly =================================================================
A=$(new_db small-a)
B=$(new_db small-b)
export KANAL_DB=$A
fresh "$A"
export KANAL_USER=admin
ok kanal user add anna --name "Anna Wiśniewska" --role manager
ok kanal user add marcin --name "Marcin Zieliński" --role channel_rep
ok kanal user add piotr --name "Piotr Kamiński" --role channel_rep
ok kanal user add kasia --name "Kasia Kanał" --role channel_rep
export KANAL_USER=anna
ok kanal partner add 'Sklep "Pod Lipą", Kraków' --type shop --city Kraków --email biuro@lipa.pl \
    --phone "+48 12 000 00 00" --tax-id PL6760001122                     # 1: claimed by marcin
ok kanal partner add "Hurtownia Owned" --type wholesaler --owner piotr  # 2: owned from the start
ok kanal partner add "Agencja Sama" --type agency                       # 3: nobody's, no opportunity
export KANAL_USER=marcin
ok kanal opp new --partner 1 --workflow wholesale --at 2026-03-02T09:00:00Z
ok kanal log 1 call --note 'Line one
line two, with "quotes"' --at 2026-03-02T09:30:00Z
ok kanal set 1 price_list_version=Q1 --at 2026-03-02T09:40:00Z
ok kanal set 1 price_list_version= --at 2026-03-02T09:50:00Z
ok kanal set 1 "price_list_version= spaced, value " --at 2026-03-02T09:55:00Z
export KANAL_USER=piotr
ok kanal opp new --partner 2 --workflow distributors --at 2026-03-03T09:00:00Z
ok kanal lose 2 --reason other --note " needs a note " --at 2026-03-04T09:00:00Z
ok kanal opp new --partner 2 --workflow wholesale --at 2026-03-05T09:00:00Z
export KANAL_USER=anna
ok kanal reassign --from piotr --to kasia --partner 2
ok kanal reassign --from kasia --to marcin

# who may export: a manager or an admin
refuse 1 "only a manager or an admin may export (you are 'marcin')" kanal export csv partners --as marcin
refuse 1 "only a manager or an admin may export (you are 'marcin')" kanal export csv events --as marcin
ok kanal export csv partners --as admin
refuse 2 "cannot export 'people': choose partners, contacts, opportunities or events" kanal export csv people
refuse 3 "unknown exporter 'xml' (known: csv)" kanal export xml partners
refuse 3 "unknown exporter 'markdown' (known: csv)" kanal export markdown partners
refuse_usage "missing FORMAT WHAT" kanal export csv
refuse 5 "cannot write '$T/no-such-folder/p.csv': its folder does not exist" kanal export csv partners -o "$T/no-such-folder/p.csv"

# partners: the import's columns; each partner's owner as given when it was added
# (the claim by opening an opportunity and the reassignments follow in the events)
ok kanal export csv partners
expect_err ""
expect_file "$T/.out" "name,type,owner,email,phone,city,tax_id" \
    '"Sklep ""Pod Lipą"", Kraków",shop,,biuro@lipa.pl,+48 12 000 00 00,Kraków,PL6760001122' \
    "Hurtownia Owned,wholesaler,piotr,,,," \
    "Agencja Sama,agency,,,,,"
cp "$T/.out" stdout-partners.csv
ok kanal export csv partners -o partners.csv
expect_out ""
expect_err ""
checks=$((checks + 1))
cmp -s partners.csv stdout-partners.csv || fail "-o writes other bytes than stdout"
# events: one row a step, what the steps cause by themselves left out, quoted where needed
ok kanal export csv events -o events.csv
expect_out ""
# (and the operating-system login that ran each step, for the reader)
expect_file events.csv "partner,workflow,owner,at,event,arg,note,actor,login" \
    '"Sklep ""Pod Lipą"", Kraków",wholesale,marcin,2026-03-02T09:00:00Z,created,,,marcin,'"$LOGIN" \
    '"Sklep ""Pod Lipą"", Kraków",wholesale,marcin,2026-03-02T09:30:00Z,log,call,"Line one
line two, with ""quotes""",marcin,'"$LOGIN" \
    '"Sklep ""Pod Lipą"", Kraków",wholesale,marcin,2026-03-02T09:40:00Z,set,price_list_version=Q1,,marcin,'"$LOGIN" \
    '"Sklep ""Pod Lipą"", Kraków",wholesale,marcin,2026-03-02T09:50:00Z,set,price_list_version=,,marcin,'"$LOGIN" \
    '"Sklep ""Pod Lipą"", Kraków",wholesale,marcin,2026-03-02T09:55:00Z,set,"price_list_version= spaced, value ",,marcin,'"$LOGIN" \
    "Hurtownia Owned,distributors,piotr,2026-03-03T09:00:00Z,created,,,piotr,$LOGIN" \
    'Hurtownia Owned,distributors,piotr,2026-03-04T09:00:00Z,lose,other," needs a note ",piotr,'"$LOGIN" \
    "Hurtownia Owned,wholesale,piotr,2026-03-05T09:00:00Z,created,,,piotr,$LOGIN" \
    "Hurtownia Owned,,anna,2026-03-31T17:00:00Z,reassign,kasia,,anna,$LOGIN" \
    "Hurtownia Owned,,anna,2026-03-31T17:00:00Z,reassign,marcin,,anna,$LOGIN"
# opportunities: the list's columns, as --format csv prints them, then the lost reason's
# note and every field of the workflows exported
ok kanal export csv opportunities
expect_file "$T/.out" "id,partner,workflow,version,owner,status,stage,days_in_stage,created_at,closed_at,lost_reason,next_contact_at,last_activity_at,lost_note,price_list_version,payment_days,skus_listed,exclusive,first_order_value,cooperation_form,regions,margin_pct,launch_date" \
    '1,"Sklep ""Pod Lipą"", Kraków",wholesale,1,marcin,open,contact,29,2026-03-02T09:00:00Z,,,,2026-03-02T09:30:00Z,," spaced, value ",,,,,,,,' \
    '2,Hurtownia Owned,distributors,1,piotr,lost,awareness,1,2026-03-03T09:00:00Z,2026-03-04T09:00:00Z,other,,," needs a note ",,,,,,,,,' \
    "3,Hurtownia Owned,wholesale,1,marcin,open,contact,26,2026-03-05T09:00:00Z,,,,,,,,,,,,,,"
python3 -c 'import csv,sys; w=csv.writer(sys.stdout, lineterminator="\r\n"); [w.writerow(r[:13]) for r in csv.reader(open(sys.argv[1], newline=""))]' \
    "$T/.out" >opportunities.csv
ok kanal opp list --format csv
checks=$((checks + 1))
cmp -s "$T/.out" opportunities.csv || fail "export csv opportunities' first columns differ from opp list --format csv"

# into a fresh database with the same users
fresh "$B"
export KANAL_DB=$B
ok kanal user add anna --name "Anna Wiśniewska" --role manager --as admin
ok kanal user add marcin --name "Marcin Zieliński" --role channel_rep --as admin
ok kanal user add piotr --name "Piotr Kamiński" --role channel_rep --as admin
ok kanal user add kasia --name "Kasia Kanał" --role channel_rep --as admin
ok kanal import csv partners partners.csv
expect_out "imported 3 of 3 rows"
ok kanal import csv history events.csv
expect_out "imported 10 of 10 rows"
expect_err ""
for id in 1 2 3; do
    same "opp show $id --json" kanal opp show "$id" --json
done
same "opp list --json" kanal opp list --json
same "partner list" kanal partner list
same "partner list --json" kanal partner list --json
same "export csv events" kanal export csv events
same "export csv partners" kanal export csv partners
# README: "the same opportunities, event for event"
same "the history of every opportunity" histories

# ==== the demo, exported and imported =================================================================
A=$(new_db demo-a)
B=$(new_db demo-b)
export KANAL_DB=$A
fresh "$A"
ok kanal batch "$SRC/scripts/demo.kanal" --as admin
ok kanal reassign --from piotr --to krzysztof --partner "Centrum Dystrybucji Śląsk" --as anna
expect_out "moved 1 partner and 1 open opportunity from piotr to krzysztof"
ok kanal reassign --from krzysztof --to marcin --as anna
expect_out "moved 4 partners and 3 open opportunities from krzysztof to marcin"
export KANAL_USER=anna
ok kanal export csv partners -o demo-partners.csv
ok kanal export csv events -o demo-events.csv
checks=$((checks + 1))
[ "$(wc -l <demo-partners.csv)" = 13 ] || fail "demo-partners.csv has $(wc -l <demo-partners.csv) lines, want 13"
checks=$((checks + 1))
tail -n 5 demo-events.csv | tr -d '\r' >"$T/.tail"
printf '%s\n' "Centrum Dystrybucji Śląsk,,anna,2026-03-31T17:00:00Z,reassign,krzysztof,,anna,$LOGIN" \
    "Centrum Dystrybucji Śląsk,,anna,2026-03-31T17:00:00Z,reassign,marcin,,anna,$LOGIN" \
    "Dystrybutor Mazowsze,,anna,2026-03-31T17:00:00Z,reassign,marcin,,anna,$LOGIN" \
    "Hurtownia Podkarpacie,,anna,2026-03-31T17:00:00Z,reassign,marcin,,anna,$LOGIN" \
    "Doradztwo IT Kowalski,,anna,2026-03-31T17:00:00Z,reassign,marcin,,anna,$LOGIN" >"$T/.want"
cmp -s "$T/.tail" "$T/.want" || fail "the events export does not end with the reassignments: $(cat "$T/.tail")"
# generated goals and the rules' own changes are not exported: the replay makes them again
checks=$((checks + 1))
! tail -n +2 demo-events.csv | grep -q "launch_date\|,note,\|first_contact" ||
    fail "the events export holds what the steps cause by themselves: $(tail -n +2 demo-events.csv | grep "launch_date\|,note,\|first_contact" | head -3)"

fresh "$B"
export KANAL_DB=$B
grep "^user add" "$SRC/scripts/demo.kanal" >users.kanal
ok kanal batch - --as admin <users.kanal
ok kanal import csv partners demo-partners.csv
expect_out "imported 12 of 12 rows"
expect_err ""
ok kanal import csv history demo-events.csv
expect_out "imported 108 of 108 rows"
expect_err ""

# the issue's "Done when": opp show --json of every opportunity, byte for byte
checks=$((checks + 1))
[ "$(sql_at "$A" "SELECT count(*) FROM opportunities")" = 12 ] || fail "the demo has not 12 opportunities"
for id in 1 2 3 4 5 6 7 8 9 10 11 12; do
    same "opp show $id --json" kanal opp show "$id" --json
done
same "opp list --json" kanal opp list --json
same "partner list" kanal partner list
same "partner list --json" kanal partner list --json
same "opp list --format csv" kanal opp list --format csv
for rep in marcin piotr krzysztof; do
    same "next --json (as $rep)" kanal next --json --as "$rep"
done
# export, import, export: the same files
same "export csv partners" kanal export csv partners
same "export csv events" kanal export csv events
# README: "the same opportunities, event for event" (history, not only the state)
same "the history of every opportunity" histories

finish
