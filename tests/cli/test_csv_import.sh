#!/bin/sh
# kanal import csv partners|history: rows fed through the engine (its rules,
# permissions and Lua hooks), one transaction, every bad row reported as
# FILE:LINE: MESSAGE, --dry-run, --skip-bad REJECTS.csv, progress only on a
# terminal; and the malformed CSV inputs, each with exactly the errors it must
# produce (fixtures in tests/fixtures/csv/, odd bytes written here with printf).
. "$KANAL_SOURCE_DIR/tests/cli/lifecycle.sh"
FXC=$SRC/tests/fixtures/csv

setup_db
ok kanal user add gone --name "Gone Rep" --role channel_rep --as admin
ok kanal user deactivate gone --as admin
export KANAL_USER=manny
ok kanal partner add "Sklep u Zosi" --type shop               # 1
ok kanal partner add "Agencja Fala" --type agency             # 2
ok kanal partner add "Hurtownia Omega" --type distributor     # 3
# the fixtures are read from here, so that messages name them as FILE:LINE
cp "$FXC"/*.csv .

# nothing N: the last line of a refused import with N bad rows.
nothing() {
    if [ "$1" = 1 ]; then _s=""; else _s=s; fi
    echo "kanal: error: nothing was imported: $1 bad row$_s (fix them, or keep the good rows with --skip-bad REJECTS.csv)"
}
# unusable FILE: the last line of an import whose header cannot be used.
unusable() {
    echo "kanal: error: nothing was imported: the header of '$1' is not usable"
}
# bad_import RC 'STDERR' CMD...: CMD exits RC with exactly STDERR and nothing on
# stdout, and the database is as it was.
bad_import() {
    _rc=$1
    _err=$2
    shift 2
    db_snapshot
    run "$@"
    expect_rc "$_rc"
    expect_err "$_err"
    expect_out ""
    expect_db_unchanged
}
# expect_file FILE LINE...: FILE is, byte for byte, these lines ended by CRLF.
expect_file() {
    checks=$((checks + 1))
    _f=$1
    shift
    printf '%s\r\n' "$@" >"$T/.want"
    cmp -s "$_f" "$T/.want" || fail "$_f is not, byte for byte: $(tr -d '\r' <"$T/.want") --- it is: $(tr -d '\r' <"$_f" 2>&1)"
}
# csv_column FILE COLUMN: the values of a column of a CSV file, read by sqlite3's
# own CSV reader (one a line).
csv_column() {
    rm -f "$T/.csv.db"
    sqlite3 "$T/.csv.db" ".import --csv $1 t" 2>/dev/null
    sqlite3 "$T/.csv.db" "SELECT coalesce(\"$2\", '<none>') FROM t ORDER BY rowid" 2>/dev/null
}

# ==== partners ====================================================================================
# all columns, quoted fields, nulls
db_snapshot
ok kanal import csv partners partners.csv
expect_out "imported 3 of 3 rows"
expect_err ""
expect_db_changed
# --format csv is for people: a cell a spreadsheet would run as a formula (the
# phone's '+') gets a leading apostrophe
ok kanal partner list --format csv --as admin
expect_file "$T/.out" "id,name,type,owner,city,email,phone,tax_id,created_at" \
    "1,Sklep u Zosi,shop,,,,,,2026-11-28T12:00:00Z" \
    "2,Agencja Fala,agency,,,,,,2026-11-28T12:00:00Z" \
    "3,Hurtownia Omega,distributor,,,,,,2026-11-28T12:00:00Z" \
    "4,Hurtownia Alfa,wholesaler,marcin,Poznań,biuro@alfa.pl,'+48 61 000 00 01,PL7770001122,2026-11-28T12:00:00Z" \
    '5,"Dystrybucja ""Beta"", Sp. z o.o.",distributor,,Łódź,,,,2026-11-28T12:00:00Z' \
    "6,Agencja Gamma,agency,piotr,,,,,2026-11-28T12:00:00Z"
expect_sql "SELECT count(*) FROM events WHERE type = 'partner_added' AND actor = 'manny'" 6
# columns in any order, some left out
ok kanal import csv partners partners_reordered.csv
expect_out "imported 2 of 2 rows"
ok kanal partner show "Hurtownia Bałtyk" --json
expect_out '{"id":7,"name":"Hurtownia Bałtyk","type":"wholesaler","owner":null,"email":null,"phone":null,"city":"Gdańsk","tax_id":null,"created_at":"2026-11-28T12:00:00Z","open_opportunities":[],"contacts":[],"opportunities":[]}'

# the engine's rules: a type no workflow takes, an unknown or deactivated owner, a name
# taken (regardless of case and spacing, also by an earlier row of the same file); every
# bad row reported, nothing imported, exit 4
bad_import 4 "partners_refused.csv:3: unknown partner type 'bank' (known: distributor, wholesaler, referrer, consultant, agency, store_chain, shop)
partners_refused.csv:4: unknown user 'ghost'
partners_refused.csv:5: partner 'Hurtownia Delta' already exists (id 9, owned by marcin (Marcin Nowak))
partners_refused.csv:6: user 'gone' is deactivated
partners_refused.csv:7: unknown partner type 'shops' (did you mean 'shop'?)
$(nothing 5)" kanal import csv partners partners_refused.csv
# --dry-run: checks every row, reports, keeps nothing; exit 4 when a row is bad
db_snapshot
run kanal import csv partners partners_refused.csv --dry-run
expect_rc 4
expect_out "dry run: 2 of 7 rows would be imported; nothing was kept"
expect_err "partners_refused.csv:3: unknown partner type 'bank' (known: distributor, wholesaler, referrer, consultant, agency, store_chain, shop)
partners_refused.csv:4: unknown user 'ghost'
partners_refused.csv:5: partner 'Hurtownia Delta' already exists (id 9, owned by marcin (Marcin Nowak))
partners_refused.csv:6: user 'gone' is deactivated
partners_refused.csv:7: unknown partner type 'shops' (did you mean 'shop'?)"
expect_db_unchanged
# ... but it writes the rejects when asked: they say what would be left out
run kanal import csv partners partners_refused.csv --dry-run --skip-bad dry-rejects.csv
expect_rc 4
expect_db_unchanged
checks=$((checks + 1))
[ -s dry-rejects.csv ] || fail "a dry run did not write its rejects"
checks=$((checks + 1))
grep -q "unknown user 'ghost'" dry-rejects.csv || fail "the dry run's rejects lack their reasons"
db_snapshot
printf 'name,type\nSklep Próbny,shop\n' >one.csv
ok kanal import csv partners one.csv --dry-run
expect_out "dry run: 1 of 1 rows would be imported; nothing was kept"
expect_err ""
expect_db_unchanged
# --skip-bad: the good rows are kept, the bad ones written with a reason column
db_snapshot
ok kanal import csv partners partners_refused.csv --skip-bad rejects.csv
expect_out "imported 2 of 7 rows
5 bad rows written to rejects.csv"
expect_err "partners_refused.csv:3: unknown partner type 'bank' (known: distributor, wholesaler, referrer, consultant, agency, store_chain, shop)
partners_refused.csv:4: unknown user 'ghost'
partners_refused.csv:5: partner 'Hurtownia Delta' already exists (id 9, owned by marcin (Marcin Nowak))
partners_refused.csv:6: user 'gone' is deactivated
partners_refused.csv:7: unknown partner type 'shops' (did you mean 'shop'?)"
expect_db_changed
expect_file rejects.csv "name,type,owner,reason" \
    "Bank Epsilon,bank,,\"unknown partner type 'bank' (known: distributor, wholesaler, referrer, consultant, agency, store_chain, shop)\"" \
    "Sklep Zeta,shop,ghost,unknown user 'ghost'" \
    "HURTOWNIA  delta,wholesaler,,\"partner 'Hurtownia Delta' already exists (id 9, owned by marcin (Marcin Nowak))\"" \
    "Sklep Eta,shop,gone,user 'gone' is deactivated" \
    "Sklep Theta,shops,,unknown partner type 'shops' (did you mean 'shop'?)"
expect_sql "SELECT name || '/' || coalesce(owner, '-') FROM partners WHERE id > 8 ORDER BY id" \
    "Hurtownia Delta/marcin
Sklep Iota/piotr"
# a clean file with --skip-bad: a rejects file with its header only
printf 'name,type\nSklep Czysty,shop\n' >clean.csv
ok kanal import csv partners clean.csv --skip-bad none.csv
expect_out "imported 1 of 1 rows"
expect_file none.csv "name,type,reason"
# The reason is in the reason column for every reject, also for a row whose
# fields could not be read as the header says (too few, malformed quoting):
# a CSV reader finds it there.
printf 'type,name,city\nshop,Sklep Jeden,"Kraków, Rynek"\nshop,Bad"q,X\nbank,Bank Dwa,Z\nshop\n' >mixed.csv
ok kanal import csv partners mixed.csv --skip-bad mixed-rejects.csv
expect_out "imported 1 of 4 rows
3 bad rows written to mixed-rejects.csv"
checks=$((checks + 1))
_got=$(csv_column mixed-rejects.csv reason)
[ "$_got" = "malformed quoting (a quote inside an unquoted field, or text after a closing quote)
unknown partner type 'bank' (known: distributor, wholesaler, referrer, consultant, agency, store_chain, shop)
expected 3 fields (as in the header), found 1" ] ||
    fail "the reason column of mixed-rejects.csv, as a CSV reader sees it, is:
$_got
(the file: $(tr -d '\r' <mixed-rejects.csv))"
# rejects that cannot be written: nothing imported
bad_import 5 "kanal: error: cannot write '$T/no-such-folder/r.csv': its folder does not exist" \
    kanal import csv partners partners_refused.csv --skip-bad "$T/no-such-folder/r.csv"

# permissions: as for `partner add`, only a manager gives a partner to someone else
bad_import 4 "one-owned.csv:3: only a manager may give a partner to someone else (you are 'marcin')
$(nothing 1)" sh -c 'printf "name,type,owner\nSklep Mój,shop,marcin\nSklep Piotra,shop,piotr\n" >one-owned.csv &&
    "$KANAL_BIN" import csv partners one-owned.csv --as marcin'
ok kanal import csv partners one-owned.csv --as marcin --skip-bad owned-rejects.csv
expect_out "imported 1 of 2 rows
1 bad row written to owned-rejects.csv"
expect_sql "SELECT owner FROM partners WHERE name = 'Sklep Mój'" marcin

# ==== history =====================================================================================
db_snapshot
ok kanal import csv history history.csv
expect_out "imported 10 of 10 rows"
expect_err ""
ok kanal opp list --format csv
expect_file "$T/.out" "id,partner,workflow,version,owner,status,stage,days_in_stage,created_at,closed_at,lost_reason,next_contact_at,last_activity_at" \
    "1,Hurtownia Alfa,wholesale,1,marcin,open,listing,25,2026-11-02T09:00:00Z,,,,2026-11-02T09:50:00Z" \
    "2,Agencja Gamma,referral_partners,1,piotr,lost,awareness,1,2026-11-05T09:00:00Z,2026-11-06T09:00:00Z,other,,2026-11-05T09:10:00Z"
ok kanal history 1 --json
expect_out '{"id":1,"events":[{"seq":1,"at":"2026-11-02T09:00:00Z","actor":"marcin","type":"created","version":1,"login":"'"$LOGIN"'","data":{"partner_id":4,"partner":"Hurtownia Alfa","workflow":"wholesale","version":1,"owner":"marcin","stage":"contact","partner_claimed":false}},{"seq":2,"at":"2026-11-02T09:30:00Z","actor":"marcin","type":"activity","version":1,"login":"'"$LOGIN"'","data":{"activity":"call","note":"Intro call, with the \"buyer\""}},{"seq":3,"at":"2026-11-02T09:30:00Z","actor":"marcin","type":"goal_done","version":1,"login":"'"$LOGIN"'","data":{"goal":"buyer_reached","stage":"contact","activity":"call"}},{"seq":4,"at":"2026-11-02T09:40:00Z","actor":"marcin","type":"field_set","version":1,"login":"'"$LOGIN"'","data":{"field":"price_list_version","value":"2026-Q4","previous":null}},{"seq":5,"at":"2026-11-02T09:50:00Z","actor":"marcin","type":"activity","version":1,"login":"'"$LOGIN"'","data":{"activity":"email","note":"Price list\nand the catalogue"}},{"seq":6,"at":"2026-11-02T09:50:00Z","actor":"marcin","type":"goal_done","version":1,"login":"'"$LOGIN"'","data":{"goal":"price_list_sent","stage":"contact","activity":"email"}},{"seq":7,"at":"2026-11-03T08:00:00Z","actor":"marcin","type":"advanced","version":1,"login":"'"$LOGIN"'","data":{"from":"contact","to":"listing"}},{"seq":8,"at":"2026-11-04T10:00:00Z","actor":"marcin","type":"field_set","version":1,"login":"'"$LOGIN"'","data":{"field":"payment_days","value":"30","previous":null}},{"seq":9,"at":"2026-11-04T10:05:00Z","actor":"marcin","type":"goal_done","version":1,"login":"'"$LOGIN"'","data":{"goal":"terms_agreed","stage":"listing","note":"Signed by fax"}}]}'
ok kanal history 2 --json
expect_json '$.events[3].type' lost
expect_json '$.events[3].actor' piotr
expect_json '$.events[3].data.note' "Closed the business"
# each row acts as its user, and the importer's own identity is back afterwards
expect_sql "SELECT group_concat(DISTINCT actor) FROM events WHERE opp_id IS NOT NULL" "marcin,piotr"

# the engine's rules, the workflow's Lua rules and who may own: every refusal, with its line
bad_import 4 "history_refused.csv:5: goal 'classify' needs cooperation_form set first: add a 'set' row with cooperation_form=VALUE before this one
history_refused.csv:13: refused by rules (referral_partners.lua:20): the referral fee must be 15-20% (it is 10.0)
history_refused.csv:14: 'dario' may not own opportunities of workflow 'distributors': it needs the role channel_rep ('dario' has direct_sales)
history_refused.csv:15: lost reason 'other' needs a note: write it in the row's note column
$(nothing 4)" kanal import csv history history_refused.csv
db_snapshot
run kanal import csv history history_refused.csv --dry-run
expect_rc 4
expect_out "dry run: 11 of 15 rows would be imported; nothing was kept"
expect_err "history_refused.csv:5: goal 'classify' needs cooperation_form set first: add a 'set' row with cooperation_form=VALUE before this one
history_refused.csv:13: refused by rules (referral_partners.lua:20): the referral fee must be 15-20% (it is 10.0)
history_refused.csv:14: 'dario' may not own opportunities of workflow 'distributors': it needs the role channel_rep ('dario' has direct_sales)
history_refused.csv:15: lost reason 'other' needs a note: write it in the row's note column"
expect_db_unchanged
db_snapshot
ok kanal import csv history history_refused.csv --skip-bad history-rejects.csv
expect_out "imported 11 of 15 rows
4 bad rows written to history-rejects.csv"
expect_db_changed
expect_file history-rejects.csv "partner,workflow,owner,at,event,arg,note,reason" \
    "Agencja Fala,referral_partners,marcin,2026-11-02T10:10:00Z,done,classify,,goal 'classify' needs cooperation_form set first: add a 'set' row with cooperation_form=VALUE before this one" \
    "Agencja Fala,referral_partners,marcin,2026-11-03T10:30:00Z,done,offer_accepted,,refused by rules (referral_partners.lua:20): the referral fee must be 15-20% (it is 10.0)" \
    "Hurtownia Omega,distributors,dario,2026-11-04T10:00:00Z,created,,,'dario' may not own opportunities of workflow 'distributors': it needs the role channel_rep ('dario' has direct_sales)" \
    "Agencja Fala,referral_partners,marcin,2026-11-04T11:00:00Z,lose,other,,lost reason 'other' needs a note: write it in the row's note column"
ok kanal opp show 3 --json
expect_json '$.status' lost
expect_json '$.lost_reason' no_clients
expect_json '$.stage' proposal
expect_json '$.fields.referral_fee_pct' 10
expect_sql "SELECT count(*) FROM opportunities WHERE partner_id = 3" 0

# who may import a history: rows of other users need a manager
printf 'partner,workflow,owner,at,event,arg,note\nSklep Nowy,wholesale,marcin,2026-11-10T09:00:00Z,created,,\nSklep Nowy,wholesale,marcin,2026-11-10T09:10:00Z,log,call,\n' >own.csv
printf 'partner,workflow,owner,at,event,arg,note\nSklep u Zosi,wholesale,piotr,2026-11-10T09:00:00Z,created,,\nSklep u Zosi,wholesale,piotr,2026-11-10T09:10:00Z,log,call,\n' >other.csv
bad_import 4 "other.csv:2: only a manager may import the steps of another user ('piotr')
other.csv:3: only a manager may import the steps of another user ('piotr')
$(nothing 2)" kanal import csv history other.csv --as marcin
bad_import 4 "other.csv:2: only a manager may import the steps of another user ('piotr')
other.csv:3: only a manager may import the steps of another user ('piotr')
$(nothing 2)" kanal import csv history other.csv --as admin
ok kanal import csv history own.csv --as marcin
expect_out "imported 2 of 2 rows"
ok kanal opp show 4 --json --as marcin
expect_json '$.owner' marcin
expect_json '$.partner.name' "Sklep Nowy"
# a rep's import cannot touch an opportunity the rep does not own
printf 'partner,workflow,owner,at,event,arg,note\nAgencja Gamma,referral_partners,marcin,2026-11-20T09:00:00Z,created,,\nHurtownia Alfa,wholesale,marcin,2026-11-20T09:00:00Z,log,email,\n' >mine.csv
bad_import 4 "mine.csv:2: partner 'Agencja Gamma' is owned by piotr (Piotr Wiśniewski): two reps never work the same partner (a manager can reassign it)
$(nothing 1)" kanal import csv history mine.csv --as marcin

# ==== usage ========================================================================================
bad_import 3 "kanal: error: unknown importer 'xml' (known: csv)" kanal import xml partners partners.csv
bad_import 3 "kanal: error: unknown importer 'markdown' (known: csv)" kanal import markdown partners partners.csv
bad_import 4 "kanal: error: csv imports partners, contacts or history, not 'people'" kanal import csv people partners.csv
bad_import 4 "kanal: error: cannot read 'no-such-file.csv': No such file or directory" kanal import csv partners no-such-file.csv
refuse_usage "missing FORMAT WHAT FILE" kanal import csv partners
refuse_usage "unexpected argument 'extra'" kanal import csv partners partners.csv extra
bad_import 3 "kanal: error: unknown user 'ghost' (an admin adds users with 'kanal user add'; choose who acts with --as or \$KANAL_USER)" \
    kanal import csv partners partners.csv --as ghost

# ==== progress: on a terminal only ===================================================================
# An import long enough to show progress on a terminal (it shows after half a second):
# on PostgreSQL, whose rows each go to the server and back, 3000 rows take seconds,
# and so they do when kanal runs slower (under valgrind).
case "$KANAL_DB" in postgresql://*) big_rows=3000 ;; *) big_rows=60000 ;; esac
[ "$SLOW" -eq 1 ] || big_rows=3000
mkdir big
sh "$SRC/tests/bench/gen_history.sh" $big_rows big >/dev/null
BIGDB=$(new_db big)
ok kanal init --admin admin --db "$BIGDB"
ok kanal workflow apply "$WF/wholesale.yaml" --db "$BIGDB" --as admin
ok kanal user add boss --name Boss --role manager --db "$BIGDB" --as admin
ok kanal batch big/users.kanal --db "$BIGDB" --as admin
ok kanal import csv partners big/partners.csv --db "$BIGDB" --as boss
# stderr a pipe: no progress
step="kanal import csv history big/history.csv --dry-run 2>&1 >/dev/null | cat"
err=$("$KANAL_BIN" import csv history big/history.csv --dry-run --db "$BIGDB" --as boss 2>&1 >/dev/null | cat)
out=""
expect_err ""
# stderr a file: no progress
run kanal import csv history big/history.csv --dry-run --db "$BIGDB" --as boss
expect_rc 0
expect_err ""
expect_out_has "dry run: "
# stderr a terminal (a pseudo-terminal from script(1)): rows done and the rate, then erased
if command -v script >/dev/null 2>&1; then
    step="script: kanal import csv history big/history.csv --dry-run"
    script -qec "'$KANAL_BIN' import csv history big/history.csv --dry-run --db '$BIGDB' --as boss" \
        /dev/null </dev/null >tty.out 2>&1
    out=$(tr '\r' '\n' <tty.out)
    err=""
    expect_out_has " rows/s"
    expect_out_has "dry run: "
    checks=$((checks + 1))
    grep -q "$(printf '\033')\[K" tty.out || fail "the progress is not erased before the summary"
else
    echo "note: script(1) is not installed: the progress on a terminal is not checked" >&2
fi

# ==== malformed CSV =====================================================================================
# Each input with exactly the errors it must produce, and nothing imported.

# 1. an empty file
printf '' >empty.csv
bad_import 4 "empty.csv:1: the file is empty: expected a header row (name,type,owner,email,phone,city,tax_id)
$(unusable empty.csv)" kanal import csv partners empty.csv
# 2. blank lines only; a byte-order mark only (history)
printf '\n\n\n' >blank.csv
bad_import 4 "blank.csv:1: the file is empty: expected a header row (name,type,owner,email,phone,city,tax_id)
$(unusable blank.csv)" kanal import csv partners blank.csv
printf '\357\273\277' >bom-only.csv
bad_import 4 "bom-only.csv:1: the file is empty: expected a header row (partner,workflow,owner,at,event,arg,note,actor)
$(unusable bom-only.csv)" kanal import csv history bom-only.csv
# 3. no header: the first row is taken for one, its "columns" left aside, and refused
bad_import 4 "bad_no_header.csv:1: note: the columns 'Hurtownia Alfa', 'wholesaler', 'marcin' are left aside: the partners import takes name,type,owner,email,phone,city,tax_id
bad_no_header.csv:1: the header lacks the column 'name'
bad_no_header.csv:1: the header lacks the column 'type'
$(unusable bad_no_header.csv)" kanal import csv partners bad_no_header.csv
# 4. a column the import does not take, with the known ones: left aside, said once, and the
#    rows read (this one names a partner that exists)
bad_import 4 "bad_unknown_column.csv:1: note: the column 'colour' is left aside: the partners import takes name,type,owner,email,phone,city,tax_id
bad_unknown_column.csv:2: partner 'Hurtownia Alfa' already exists (id 4, owned by marcin (Marcin Nowak))
$(nothing 1)" kanal import csv partners bad_unknown_column.csv
bad_import 4 "bad_unknown_column.csv:1: note: the columns 'name', 'type', 'colour', 'city' are left aside: the history import takes partner,workflow,owner,at,event,arg,note,actor
bad_unknown_column.csv:1: the header lacks the column 'partner'
bad_unknown_column.csv:1: the header lacks the column 'workflow'
bad_unknown_column.csv:1: the header lacks the column 'owner'
bad_unknown_column.csv:1: the header lacks the column 'at'
bad_unknown_column.csv:1: the header lacks the column 'event'
$(unusable bad_unknown_column.csv)" kanal import csv history bad_unknown_column.csv
# 5. an empty column name (a trailing comma): left aside, the row imported
printf 'name,type,\nSklep Pusty,shop,\n' >empty-column.csv
ok kanal import csv partners empty-column.csv
expect_out "imported 1 of 1 rows"
expect_err "empty-column.csv:1: note: an unnamed column is left aside: the partners import takes name,type,owner,email,phone,city,tax_id"
expect_sql "SELECT type FROM partners WHERE name = 'Sklep Pusty'" shop
# 6. a duplicate column
bad_import 4 "bad_duplicate_column.csv:1: column 'name' appears twice in the header
$(unusable bad_duplicate_column.csv)" kanal import csv partners bad_duplicate_column.csv
# 7. a missing required column (partners; history)
bad_import 4 "bad_missing_column.csv:1: the header lacks the column 'type'
$(unusable bad_missing_column.csv)" kanal import csv partners bad_missing_column.csv
bad_import 4 "bad_missing_columns_history.csv:1: the header lacks the column 'owner'
bad_missing_columns_history.csv:1: the header lacks the column 'at'
$(unusable bad_missing_columns_history.csv)" kanal import csv history bad_missing_columns_history.csv
# 8. too few and too many fields
bad_import 4 "bad_field_count.csv:2: expected 3 fields (as in the header), found 2
bad_field_count.csv:3: expected 3 fields (as in the header), found 4
$(nothing 2)" kanal import csv partners bad_field_count.csv
# 9. a quote inside an unquoted field (the next row is read again)
bad_import 4 "bad_quote_in_field.csv:2: malformed quoting (a quote inside an unquoted field, or text after a closing quote)
$(nothing 1)" kanal import csv partners bad_quote_in_field.csv
# 10. text after a closing quote
bad_import 4 "bad_text_after_quote.csv:2: malformed quoting (a quote inside an unquoted field, or text after a closing quote)
$(nothing 1)" kanal import csv partners bad_text_after_quote.csv
# 11. a quote not closed before the end of the file: at the line where its row begins
bad_import 4 "bad_unclosed_quote.csv:3: a quoted field is not closed before the end of the file
$(nothing 1)" kanal import csv partners bad_unclosed_quote.csv
# 12. invalid UTF-8 in a field: a stray byte, a sequence cut short, an encoded UTF-16
# surrogate, an overlong encoding (RFC 3629 forbids the last two)
printf 'name,type,city\nSklep \377,shop,Opole\nSklep Dwa,shop,Krak\303\nSklep Trzy,shop,Krak\355\240\200\nSklep Cztery,shop,Krak\340\200\257\nSklep Pięć,shop,Kraków\n' >latin.csv
bad_import 4 "latin.csv:2: column 'name' is not valid UTF-8
latin.csv:3: column 'city' is not valid UTF-8
latin.csv:4: column 'city' is not valid UTF-8
latin.csv:5: column 'city' is not valid UTF-8
$(nothing 4)" kanal import csv partners latin.csv
printf 'partner,workflow,owner,at,event,arg,note\nSklep u Zosi,wholesale,marcin,2026-11-02T09:00:00Z,created,,Cz\351\266\351\n' >latin-history.csv
bad_import 4 "latin-history.csv:2: column 'note' is not valid UTF-8
$(nothing 1)" kanal import csv history latin-history.csv
# 13. invalid UTF-8 in the header
printf 'na\377me,type\nSklep Nowy,shop\n' >latin-header.csv
db_snapshot
run kanal import csv partners latin-header.csv
expect_rc 4
expect_err_has "latin-header.csv:1: "
expect_err_has "latin-header.csv:1: the header lacks the column 'name'"
expect_err_has "$(unusable latin-header.csv)"
expect_db_unchanged
# 14. a NUL byte in a field: refused, not cut short ("Sklep" would be imported)
printf 'name,type\nSklep\000Ukryty,shop\n' >nul.csv
db_snapshot
run kanal import csv partners nul.csv
expect_rc 4
expect_err_has "nul.csv:2: "
expect_db_unchanged
# 15. malformed quoting in the header: the header is unusable; the next row is no header
printf '"name"x,type\nSklep Nowy,shop\n' >bad-header-quote.csv
bad_import 4 "bad-header-quote.csv:1: malformed quoting in the header (a quote inside an unquoted field, or text after a closing quote)
$(unusable bad-header-quote.csv)" kanal import csv partners bad-header-quote.csv
# 16. a UTF-8 byte-order mark is accepted (with CRLF line ends)
printf '\357\273\277name,type,city\r\nSklep Bom,shop,Łódź\r\n' >bom.csv
ok kanal import csv partners bom.csv
expect_out "imported 1 of 1 rows"
expect_err ""
expect_sql "SELECT city FROM partners WHERE name = 'Sklep Bom'" "Łódź"
# 17. CRLF line ends are accepted, also inside a quoted field (kept as they are)
printf 'name,type,city\r\nSklep Crlf,shop,Opole\r\n"Sklep\r\nDwie Linie",shop,"Rynek 1\r\nOpole"\r\nSklep Crlf Trzy,shop,\r\n' >crlf.csv
ok kanal import csv partners crlf.csv
expect_out "imported 3 of 3 rows"
expect_sql "SELECT count(*) FROM partners WHERE name = 'Sklep Crlf' AND city = 'Opole'" 1
expect_sql "SELECT hex(city) FROM partners WHERE name LIKE 'Sklep_%Dwie Linie'" "$(printf 'Rynek 1\r\nOpole' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)"
expect_sql "SELECT count(*) FROM partners WHERE name = 'Sklep Crlf Trzy' AND city IS NULL" 1
# 18. embedded commas, quotes and newlines are accepted
ok kanal import csv partners embedded.csv
expect_out "imported 2 of 2 rows"
ok kanal partner list --json --type shop
expect_out_has '"name":"Sklep \"Pod Lipą\", Kraków","type":"shop","owner":null,"city":"Kraków,\nRynek 1"'
ok kanal partner list --json --type agency
expect_out_has '"name":"Agencja Nowa\n\"Fala\"","type":"agency","owner":null,"city":"Gdynia"'
# 19. blank lines are skipped, and lines still counted
bad_import 4 "blank_lines.csv:6: unknown partner type 'bank' (known: distributor, wholesaler, referrer, consultant, agency, store_chain, shop)
$(nothing 1)" kanal import csv partners blank_lines.csv
# 20. an unknown event
bad_import 4 "bad_h_unknown_event.csv:3: unknown event 'call' (expected created, done, log, set, advance, win, lose, reassign, note, deal, deal_end, remind, reopen or void)
bad_h_unknown_event.csv:4: unknown event 'Log' (expected created, done, log, set, advance, win, lose, reassign, note, deal, deal_end, remind, reopen or void)
$(nothing 2)" kanal import csv history bad_h_unknown_event.csv
# 21. a step for a partner with no open opportunity (none yet; closed already)
bad_import 4 "bad_h_no_open_opportunity.csv:2: partner 'Sklep u Zosi' has no open opportunity in workflow 'wholesale'
bad_h_no_open_opportunity.csv:5: partner 'Sklep u Zosi' has no open opportunity in workflow 'wholesale'
$(nothing 2)" kanal import csv history bad_h_no_open_opportunity.csv
# 22. a bad time in `at`: not a time, no such month, in the future
bad_import 4 "bad_h_time.csv:2: invalid time 'yesterday': use ISO 8601, such as 2026-03-01, 2026-03-01T10:00 or 2026-03-01T10:00:00Z
bad_h_time.csv:4: invalid time '2026-13-02T09:10:00Z': use ISO 8601, such as 2026-03-01, 2026-03-01T10:00 or 2026-03-01T10:00:00Z
bad_h_time.csv:6: time '2027-01-01T00:00:00Z' is in the future (now is 2026-11-28T12:00:00Z)
$(nothing 3)" kanal import csv history bad_h_time.csv
# 23. a `set` without '=' (and with no field, a bad value, an unknown field)
bad_import 4 "bad_h_set.csv:3: expected FIELD=VALUE, got 'price_list_version'
bad_h_set.csv:4: expected FIELD=VALUE, got '=2026-Q4'
bad_h_set.csv:5: invalid value 'thirty' for field 'payment_days' (integer): expected a whole number such as 12
bad_h_set.csv:6: unknown field 'colour' in workflow 'wholesale' (known: price_list_version, payment_days, skus_listed, exclusive, first_order_value)
$(nothing 4)" kanal import csv history bad_h_set.csv
# 24. a step before the previous step's time (the same time is fine)
bad_import 4 "bad_h_time_order.csv:4: time 2026-11-02T09:30:00Z is before the latest event of opportunity 5 (2026-11-02T10:00:00Z)
$(nothing 1)" kanal import csv history bad_h_time_order.csv
# 25. an unknown partner (names are exact; a near miss is suggested)
bad_import 4 "bad_h_unknown_partner.csv:3: no partner 'Sklep u Zośi' (name a partner by its id or its exact name)
bad_h_unknown_partner.csv:4: no partner 'sklep u zosi' (did you mean 'Sklep u Zosi', id 1?)
bad_h_unknown_partner.csv:5: no partner 'Hurtownia Nowa' (name a partner by its id or its exact name)
$(nothing 3)" kanal import csv history bad_h_unknown_partner.csv
# 26. an unknown workflow: said so, for any event (as `opp new` says it)
bad_import 4 "bad_h_unknown_workflow.csv:3: unknown workflow 'wholesail' (did you mean 'wholesale'?)
bad_h_unknown_workflow.csv:4: unknown workflow 'retail' (known: distributors, referral_partners, tiny, wholesale)
$(nothing 2)" kanal import csv history bad_h_unknown_workflow.csv
# 27. an unknown user in `owner` (as for partners; --as and $KANAL_USER have nothing to do with it)
bad_import 4 "bad_h_unknown_user.csv:3: unknown user 'ghost'
bad_h_unknown_user.csv:4: unknown user 'nobody'
$(nothing 2)" kanal import csv history bad_h_unknown_user.csv
# 28. empty values where the event needs one
bad_import 4 "bad_h_missing_values.csv:3: 'done' needs an arg (the goal)
bad_h_missing_values.csv:4: 'log' needs an arg (the activity type)
bad_h_missing_values.csv:5: 'set' needs an arg (field=value)
bad_h_missing_values.csv:6: 'lose' needs an arg (the lost reason)
bad_h_missing_values.csv:7: the row names no workflow
bad_h_missing_values.csv:8: the row names no user
$(nothing 6)" kanal import csv history bad_h_missing_values.csv
# 29. an empty partner: reported like the other empty columns (not a crash)
printf 'partner,workflow,owner,at,event,arg,note\nSklep u Zosi,wholesale,marcin,2026-11-02T09:00:00Z,created,,\n,wholesale,marcin,2026-11-02T09:10:00Z,log,call,\n,wholesale,marcin,2026-11-02T09:20:00Z,created,,\n' >no-partner.csv
bad_import 4 "no-partner.csv:3: the row names no partner
no-partner.csv:4: the row names no partner
$(nothing 2)" kanal import csv history no-partner.csv
# 30. an empty `at`: refused, not taken for "now" (the history would end today)
printf 'partner,workflow,owner,at,event,arg,note\nSklep u Zosi,wholesale,marcin,2026-11-02T09:00:00Z,created,,\nSklep u Zosi,wholesale,marcin,,log,call,\n' >no-time.csv
db_snapshot
run kanal import csv history no-time.csv --dry-run
expect_rc 4
expect_err_has "no-time.csv:3: "
expect_db_unchanged
# 31. lines are counted across quoted fields that span lines
bad_import 4 "bad_h_multiline.csv:5: unknown activity type 'fax' in workflow 'wholesale' (known: call, email, visit, sample)
bad_h_multiline.csv:8: unknown goal 'nothing' in workflow 'wholesale' (the goals of stage 'contact': buyer_reached, price_list_sent, samples_delivered)
$(nothing 2)" kanal import csv history bad_h_multiline.csv
# 32. several bad rows of several kinds in one file: all reported, in order
bad_import 4 "bad_h_many.csv:3: unknown activity type 'fax' in workflow 'wholesale' (known: call, email, visit, sample)
bad_h_many.csv:4: expected 7 fields (as in the header), found 6
bad_h_many.csv:5: goal 'terms_agreed' belongs to stage 'listing'; opportunity 5 is in stage 'contact'
bad_h_many.csv:6: cannot advance opportunity 5: mandatory goals of stage 'contact' not done: buyer_reached, price_list_sent
bad_h_many.csv:7: malformed quoting (a quote inside an unquoted field, or text after a closing quote)
bad_h_many.csv:8: unknown lost reason 'bored' in workflow 'wholesale' (known: margin_too_low, no_shelf_space, listing_fee, competitor, other)
$(nothing 6)" kanal import csv history bad_h_many.csv
# 33. reassignments: no owner to move from, no new owner, an unknown one, by a rep
bad_import 4 "bad_h_reassign.csv:2: partner 'Hurtownia Omega' has no owner to move from
bad_h_reassign.csv:4: reassign needs the new owner as its arg
bad_h_reassign.csv:5: unknown user 'ghost'
bad_h_reassign.csv:6: only a manager may reassign work (you are 'marcin')
$(nothing 4)" kanal import csv history bad_h_reassign.csv

finish
