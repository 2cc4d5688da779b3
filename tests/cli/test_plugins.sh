#!/bin/sh
# Plugins through the real loader: `kanal plugin list` (csv, example, and the
# broken test plugins skipped with their reasons), `--format NAME` on every
# list (csv and markdown, exactly), the exported symbols, and listeners (each
# committed command's events, nothing for a refused or rolled-back one, a
# failing listener only warns).
. "$KANAL_SOURCE_DIR/tests/cli/lifecycle.sh"
: "${KANAL_TEST_PLUGINS:?KANAL_TEST_PLUGINS must name the folder of the test plugins}"

# The plugins built with Kanal sit beside the binary (as /proc/self/exe names it).
PLUG=$(cd "$(dirname "$KANAL_BIN")" && pwd -P)/plugins
BROKEN=$KANAL_TEST_PLUGINS/broken
LISTENER=$KANAL_TEST_PLUGINS/listener

# crlf LINE...: the lines, each ended by CRLF (CSV's line end).
crlf() { printf '%s\r\n' "$@"; }
# expect_out_crlf LINE...: stdout is, byte for byte, these lines ended by CRLF.
expect_out_crlf() {
    checks=$((checks + 1))
    crlf "$@" >"$T/.want"
    cmp -s "$T/.out" "$T/.want" ||
        fail "stdout is not, byte for byte (CRLF line ends): $(tr -d '\r' <"$T/.want")"
}

# expect_plugins N: the last `plugin list --json` lists N plugins.
expect_plugins() {
    checks=$((checks + 1))
    _n=$(sqlite3 :memory: "SELECT json_array_length(readfile('$T/.out'), '\$.plugins')")
    [ "$_n" = "$1" ] || fail "plugin list --json lists $_n plugins, want $1"
}

# ---- plugin list: what is built with Kanal ----------------------------------------------------
ok kanal plugin list
expect_out "csv 1.0.0  CSV import, export and output, on libcsv
  $PLUG/csv.so
  provides: format csv, exporter csv, importer csv
example 1.0.0  the smallest plugin: a Markdown output format
  $PLUG/example.so
  provides: format markdown
html 1.0.0  self-contained HTML pages: the dashboard for the board, reports, lists
  $PLUG/html.so
  provides: format html
svg 1.0.0  charts of the reports, as standalone SVG
  $PLUG/svg.so
  provides: format svg"
expect_err ""
ok kanal plugin list --json
expect_out '{"plugins":[{"name":"csv","version":"1.0.0","summary":"CSV import, export and output, on libcsv","file":"'"$PLUG"'/csv.so","loaded":true,"problem":null,"provides":["format csv","exporter csv","importer csv"]},{"name":"example","version":"1.0.0","summary":"the smallest plugin: a Markdown output format","file":"'"$PLUG"'/example.so","loaded":true,"problem":null,"provides":["format markdown"]},{"name":"html","version":"1.0.0","summary":"self-contained HTML pages: the dashboard for the board, reports, lists","file":"'"$PLUG"'/html.so","loaded":true,"problem":null,"provides":["format html"]},{"name":"svg","version":"1.0.0","summary":"charts of the reports, as standalone SVG","file":"'"$PLUG"'/svg.so","loaded":true,"problem":null,"provides":["format svg"]}]}'
expect_json_valid
expect_err ""
# it needs no database
checks=$((checks + 1))
! db_exists || fail "plugin list created a database"

# ---- the broken ones: each skipped with its reason; csv and example still work ---------------------
export KANAL_PLUGIN_PATH=$BROKEN
ok kanal plugin list
expect_out "csv 1.0.0  CSV import, export and output, on libcsv
  $PLUG/csv.so
  provides: format csv, exporter csv, importer csv
example 1.0.0  the smallest plugin: a Markdown output format
  $PLUG/example.so
  provides: format markdown
html 1.0.0  self-contained HTML pages: the dashboard for the board, reports, lists
  $PLUG/html.so
  provides: format html
svg 1.0.0  charts of the reports, as standalone SVG
  $PLUG/svg.so
  provides: format svg
dup_format (skipped)  $BROKEN/dup_format.so
  the format 'csv' is already provided by csv
init_fails (skipped)  $BROKEN/init_fails.so
  no licence key in \$KANAL_TEST_LICENCE
newer_minor (skipped)  $BROKEN/newer_minor.so
  it was built for plugin ABI 1.99; this Kanal offers 1.4
no_entry (skipped)  $BROKEN/no_entry.so
  no entry symbol 'kanal_plugin_entry': it is not a Kanal plugin
wrong_abi (skipped)  $BROKEN/wrong_abi.so
  it was built for plugin ABI 2.0; this Kanal offers 1.4"
expect_err ""
ok kanal plugin list --json
expect_json_valid
expect_json '$.plugins[0].loaded' 1
expect_json '$.plugins[1].loaded' 1
expect_json '$.plugins[4].name' dup_format
expect_json '$.plugins[4].version' 0.1.0
expect_json '$.plugins[4].file' "$BROKEN/dup_format.so"
expect_json '$.plugins[4].loaded' 0
expect_json '$.plugins[4].problem' "the format 'csv' is already provided by csv"
expect_json '$.plugins[4].provides' '[]'
expect_json '$.plugins[5].name' init_fails
expect_json '$.plugins[5].loaded' 0
expect_json '$.plugins[5].problem' 'no licence key in $KANAL_TEST_LICENCE'
expect_json '$.plugins[6].name' newer_minor
expect_json '$.plugins[6].version' 1.99.0
expect_json '$.plugins[6].problem' 'it was built for plugin ABI 1.99; this Kanal offers 1.4'
checks=$((checks + 1))
# a file that is no plugin is named after the file
[ "$(json '$.plugins[7].name')" = no_entry ] || fail "no_entry is not named after its file: $(json '$.plugins[7].name')"
expect_json '$.plugins[7].file' "$BROKEN/no_entry.so"
expect_json '$.plugins[7].loaded' 0
expect_json '$.plugins[7].problem' "no entry symbol 'kanal_plugin_entry': it is not a Kanal plugin"
expect_json '$.plugins[8].name' wrong_abi
expect_json '$.plugins[8].version' 2.0.0
expect_json '$.plugins[8].problem' 'it was built for plugin ABI 2.0; this Kanal offers 1.4'
expect_json '$.plugins[8].provides' '[]'
expect_plugins 9

setup_db
export KANAL_USER=manny
ok kanal partner add "Hurtownia Alfa" --type wholesaler --owner marcin
ok kanal opp new --partner "Hurtownia Alfa" --workflow distributors --owner marcin --at 2026-11-20T10:00:00Z
# the csv of the csv plugin (not dup_format's "not csv"), with a warning for each skipped plugin
ok kanal opp list --format csv
expect_out_crlf "id,partner,workflow,version,owner,status,stage,days_in_stage,created_at,closed_at,lost_reason,next_contact_at,last_activity_at" \
    "1,Hurtownia Alfa,distributors,1,marcin,open,awareness,8,2026-11-20T10:00:00Z,,,,"
expect_err "kanal: warning: plugin $BROKEN/dup_format.so skipped: the format 'csv' is already provided by csv
kanal: warning: plugin $BROKEN/init_fails.so skipped: no licence key in \$KANAL_TEST_LICENCE
kanal: warning: plugin $BROKEN/newer_minor.so skipped: it was built for plugin ABI 1.99; this Kanal offers 1.4
kanal: warning: plugin $BROKEN/no_entry.so skipped: no entry symbol 'kanal_plugin_entry': it is not a Kanal plugin
kanal: warning: plugin $BROKEN/wrong_abi.so skipped: it was built for plugin ABI 2.0; this Kanal offers 1.4"
ok kanal opp list --format markdown
expect_out "| id | partner | workflow | v | owner | status | stage | days | created | closed | lost reason | next contact | last activity |
| ---: | --- | --- | ---: | --- | --- | --- | ---: | --- | --- | --- | --- | --- |
| 1 | Hurtownia Alfa | distributors | 1 | marcin | open | awareness | 8 | 2026-11-20T10:00:00Z |  |  |  |  |"
# a command that writes still works, and the built-in formats need no plugin at all
ok kanal log 1 call --as marcin --at 2026-11-21T10:00:00Z
ok kanal opp list
expect_err ""
# a colon-separated path, with a folder that does not exist and empty entries
export KANAL_PLUGIN_PATH="$T/no-such-folder::$LISTENER:"
ok kanal plugin list
expect_out "csv 1.0.0  CSV import, export and output, on libcsv
  $PLUG/csv.so
  provides: format csv, exporter csv, importer csv
example 1.0.0  the smallest plugin: a Markdown output format
  $PLUG/example.so
  provides: format markdown
html 1.0.0  self-contained HTML pages: the dashboard for the board, reports, lists
  $PLUG/html.so
  provides: format html
svg 1.0.0  charts of the reports, as standalone SVG
  $PLUG/svg.so
  provides: format svg
listener 0.1.0  writes events to a file
  $LISTENER/listener.so
  provides: listener"
expect_err ""
ok kanal opp list --format csv
expect_err ""
export KANAL_PLUGIN_PATH="$T/no-such-folder"
ok kanal plugin list --json
expect_plugins 4
unset KANAL_PLUGIN_PATH

# ---- the shared objects export nothing but the entry ----------------------------------------------
if command -v nm >/dev/null 2>&1; then
    for so in "$PLUG"/*.so; do
        checks=$((checks + 1))
        syms=$(nm -D --defined-only "$so" | awk '{ print $NF }')
        [ "$syms" = kanal_plugin_entry ] || fail "$so exports more than kanal_plugin_entry: $syms"
    done
    checks=$((checks + 1))
    [ -e "$PLUG/csv.so" ] && [ -e "$PLUG/example.so" ] || fail "csv.so or example.so is missing in $PLUG"
else
    echo "note: nm is not installed (binutils): the exported symbols are not checked" >&2
fi

# ---- --format on every list ---------------------------------------------------------------------------
db_remove
setup_db
export KANAL_USER=admin
ok kanal user add zoe --name 'Zoe "Z", Zed' --role channel_rep,manager
ok kanal user add lead --name ' Lead ' --role channel_rep
# user list: lists as "a, b", quotes doubled, fields quoted only when needed, CRLF
ok kanal user list --format csv
expect_out_crlf "id,name,roles,active,created_at" \
    "admin,Ada Admin,admin,true,2026-11-28T12:00:00Z" \
    "dario,Dario Direct,direct_sales,true,2026-11-28T12:00:00Z" \
    'lead," Lead ",channel_rep,true,2026-11-28T12:00:00Z' \
    "manny,Manny Manager,manager,true,2026-11-28T12:00:00Z" \
    "marcin,Marcin Nowak,channel_rep,true,2026-11-28T12:00:00Z" \
    "piotr,Piotr Wiśniewski,channel_rep,true,2026-11-28T12:00:00Z" \
    'zoe,"Zoe ""Z"", Zed","channel_rep, manager",true,2026-11-28T12:00:00Z'
expect_err ""
ok kanal user deactivate lead
ok kanal user list --format markdown
expect_out "| id | name | roles | active | created |
| --- | --- | --- | --- | --- |
| admin | Ada Admin | admin | true | 2026-11-28T12:00:00Z |
| dario | Dario Direct | direct_sales | true | 2026-11-28T12:00:00Z |
| lead |  Lead  | channel_rep | false | 2026-11-28T12:00:00Z |
| manny | Manny Manager | manager | true | 2026-11-28T12:00:00Z |
| marcin | Marcin Nowak | channel_rep | true | 2026-11-28T12:00:00Z |
| piotr | Piotr Wiśniewski | channel_rep | true | 2026-11-28T12:00:00Z |
| zoe | Zoe \"Z\", Zed | channel_rep, manager | true | 2026-11-28T12:00:00Z |"
# (markdown escapes '|'; quotes are plain text there)
ok kanal user add pipe --name 'A|B' --role channel_rep
ok kanal user list --format markdown
expect_out_has '| pipe | A\|B | channel_rep | true | 2026-11-28T12:00:00Z |'

# workflow list
ok kanal workflow list --format csv
expect_out_crlf "workflow,version,name,applied_at,applied_by,open,retired_at" \
    "distributors,1,Distributor acquisition,2026-11-28T12:00:00Z,admin,0," \
    "referral_partners,1,Referral partner acquisition,2026-11-28T12:00:00Z,admin,0," \
    "tiny,1,Tiny test workflow,2026-11-28T12:00:00Z,admin,0," \
    "wholesale,1,Wholesale and retail listing,2026-11-28T12:00:00Z,admin,0,"
ok kanal workflow list --format markdown
expect_out "| workflow | version | name | applied | by | open | retired |
| --- | ---: | --- | --- | --- | ---: | --- |
| distributors | 1 | Distributor acquisition | 2026-11-28T12:00:00Z | admin | 0 |  |
| referral_partners | 1 | Referral partner acquisition | 2026-11-28T12:00:00Z | admin | 0 |  |
| tiny | 1 | Tiny test workflow | 2026-11-28T12:00:00Z | admin | 0 |  |
| wholesale | 1 | Wholesale and retail listing | 2026-11-28T12:00:00Z | admin | 0 |  |"

# partner list: empty columns for nulls; an empty list is the header alone
ok kanal partner list --format csv
expect_out_crlf "id,name,type,owner,city,email,phone,tax_id,created_at"
ok kanal partner list --format markdown
expect_out "| id | name | type | owner | city | email | phone | tax id | created |
| ---: | --- | --- | --- | --- | --- | --- | --- | --- |"
export KANAL_USER=manny
ok kanal partner add 'Hurtownia "Bałtyk", Gdańsk' --type wholesaler --city Gdańsk --owner marcin
ok kanal partner add "Sklep u Zosi" --type shop --email zosia@example.pl --phone "+48 77 000 00 00" --tax-id PL123
ok kanal partner add "Agencja Fala" --type agency --owner piotr
ok kanal partner list --format csv
expect_out_crlf "id,name,type,owner,city,email,phone,tax_id,created_at" \
    '1,"Hurtownia ""Bałtyk"", Gdańsk",wholesaler,marcin,Gdańsk,,,,2026-11-28T12:00:00Z' \
    "2,Sklep u Zosi,shop,,,zosia@example.pl,'+48 77 000 00 00,PL123,2026-11-28T12:00:00Z" \
    "3,Agencja Fala,agency,piotr,,,,,2026-11-28T12:00:00Z"
# the filters still apply
ok kanal partner list --format csv --owner piotr
expect_out_crlf "id,name,type,owner,city,email,phone,tax_id,created_at" \
    "3,Agencja Fala,agency,piotr,,,,,2026-11-28T12:00:00Z"
ok kanal partner list --format markdown --type shop
expect_out "| id | name | type | owner | city | email | phone | tax id | created |
| ---: | --- | --- | --- | --- | --- | --- | --- | --- |
| 2 | Sklep u Zosi | shop |  |  | zosia@example.pl | +48 77 000 00 00 | PL123 | 2026-11-28T12:00:00Z |"

# opp list and the agenda
ok kanal opp new --partner 1 --workflow distributors --as marcin --at 2026-11-20T10:00:00Z
ok kanal opp new --partner 3 --workflow referral_partners --as piotr --at 2026-11-25T10:00:00Z
ok kanal opp new --partner 2 --workflow wholesale --as marcin --at 2026-11-26T10:00:00Z
ok kanal lose 3 --reason no_shelf_space --as marcin --at 2026-11-27T10:00:00Z
ok kanal opp list --format csv
expect_out_crlf "id,partner,workflow,version,owner,status,stage,days_in_stage,created_at,closed_at,lost_reason,next_contact_at,last_activity_at" \
    '1,"Hurtownia ""Bałtyk"", Gdańsk",distributors,1,marcin,open,awareness,8,2026-11-20T10:00:00Z,,,,' \
    "2,Agencja Fala,referral_partners,1,piotr,open,awareness,3,2026-11-25T10:00:00Z,,,," \
    "3,Sklep u Zosi,wholesale,1,marcin,lost,contact,1,2026-11-26T10:00:00Z,2026-11-27T10:00:00Z,no_shelf_space,,"
ok kanal opp list --format csv --status open --owner piotr
expect_out_crlf "id,partner,workflow,version,owner,status,stage,days_in_stage,created_at,closed_at,lost_reason,next_contact_at,last_activity_at" \
    "2,Agencja Fala,referral_partners,1,piotr,open,awareness,3,2026-11-25T10:00:00Z,,,,"
ok kanal opp list --format markdown --status lost
expect_out "| id | partner | workflow | v | owner | status | stage | days | created | closed | lost reason | next contact | last activity |
| ---: | --- | --- | ---: | --- | --- | --- | ---: | --- | --- | --- | --- | --- |
| 3 | Sklep u Zosi | wholesale | 1 | marcin | lost | contact | 1 | 2026-11-26T10:00:00Z | 2026-11-27T10:00:00Z | no_shelf_space |  |  |"
ok kanal next --format csv --as marcin
expect_out_crlf "id,partner,workflow,stage,days_in_stage,next_goal,next_step,stale,next_contact_at,overdue,last_activity_at" \
    '1,"Hurtownia ""Bałtyk"", Gdańsk",distributors,awareness,8,first_contact,goal,false,,false,'
ok kanal next --format markdown --as piotr
expect_out "| id | partner | workflow | stage | days | next goal | next step | stale | next contact | overdue | last activity |
| ---: | --- | --- | --- | ---: | --- | --- | --- | --- | --- | --- |
| 2 | Agencja Fala | referral_partners | awareness | 3 | first_contact | goal | false |  | false |  |"
ok kanal next --format csv --as dario
expect_out_crlf "id,partner,workflow,stage,days_in_stage,next_goal,next_step,stale,next_contact_at,overdue,last_activity_at"

# --format json is --json, --format table the default
for cmd in "user list" "partner list" "opp list" "workflow list" "next"; do
    # shellcheck disable=SC2086
    run kanal $cmd --json
    cp "$T/.out" "$T/.json"
    # shellcheck disable=SC2086
    run kanal $cmd --format json
    expect_rc 0
    checks=$((checks + 1))
    cmp -s "$T/.out" "$T/.json" || fail "$cmd: --format json differs from --json"
    # shellcheck disable=SC2086
    run kanal $cmd
    cp "$T/.out" "$T/.table"
    # shellcheck disable=SC2086
    run kanal $cmd --format table
    expect_rc 0
    checks=$((checks + 1))
    cmp -s "$T/.out" "$T/.table" || fail "$cmd: --format table differs from the default"
    # an unknown format: exit 3, naming the known ones; nothing on stdout
    # shellcheck disable=SC2086
    run kanal $cmd --format xml
    expect_rc 3
    expect_err "kanal: error: unknown format 'xml' (known: table, json, csv, markdown, html, svg)"
    expect_out ""
    # --json and another format contradict: a usage error
    args=""
    [ "$cmd" = next ] && args=" [OPP]"
    # shellcheck disable=SC2086
    run kanal $cmd --json --format csv
    expect_rc 2
    expect_err "kanal: error: --json and --format csv contradict
usage: kanal $cmd$args (see 'kanal $cmd --help')"
    expect_out ""
done
refuse_usage "option '--format' needs a value (NAME)" kanal opp list --format
refuse 3 "unknown format 'CSV' (known: table, json, csv, markdown, html, svg)" kanal opp list --format CSV
# one opportunity's goals are not a table
refuse_usage "--format csv applies to the agenda, not to one opportunity" kanal next 1 --format csv --as marcin

# ---- listeners -------------------------------------------------------------------------------------------
# The listener appends "opp seq type actor data" for each event it hears.
db_remove
export KANAL_PLUGIN_PATH=$LISTENER
export KANAL_TEST_EVENTS=$T/events.txt
EV=$KANAL_TEST_EVENTS
unset KANAL_USER
# events: the listener's file, one event a line, as "opp seq type" (or in full with -f)
events() {
    if [ -e "$EV" ]; then
        if [ "${1:-}" = -f ]; then cat "$EV"; else awk '{ print $1, $2, $3 }' "$EV"; fi
    fi
}
expect_events() {
    checks=$((checks + 1))
    _got=$(events)
    [ "$_got" = "$1" ] || fail "the listener heard:
$_got
want:
$1"
}

ok kanal init --admin admin --name "Ada Admin"
# init commits the database's first event: a listener hears it like any other
expect_events "0 0 user_added"
rm -f "$EV"
export KANAL_USER=admin
ok kanal user add marcin --name "Marcin Nowak" --role channel_rep
ok kanal user add manny --name "Manny Manager" --role manager
ok kanal workflow apply "$WF/wholesale.yaml"
expect_events "0 0 user_added
0 0 user_added
0 0 workflow_applied"
checks=$((checks + 1))
[ "$(sed -n 1p "$EV")" = '0 0 user_added admin {"user":"marcin","roles":["channel_rep"]}' ] ||
    fail "the first event, in full, is: $(sed -n 1p "$EV")"
rm -f "$EV"
export KANAL_USER=marcin
ok kanal partner add "Sklep u Zosi" --type shop
ok kanal opp new --partner "Sklep u Zosi" --workflow wholesale --at 2026-11-20T10:00:00Z
ok kanal log 1 call --note "Pierwszy telefon" --at 2026-11-20T11:00:00Z
expect_events "0 0 partner_added
1 1 created
1 2 activity
1 3 goal_done"
checks=$((checks + 1))
[ "$(sed -n 3p "$EV")" = '1 2 activity marcin {"activity":"call","note":"Pierwszy telefon"}' ] ||
    fail "the activity, in full, is: $(sed -n 3p "$EV")"
# a refused command delivers nothing
rm -f "$EV"
db_snapshot
run kanal advance 1 --at 2026-11-21T10:00:00Z
expect_rc 1
expect_db_unchanged
expect_events ""
run kanal log 1 fax
expect_rc 3
expect_events ""
# a read delivers nothing
ok kanal opp list --format csv
ok kanal history 1
expect_events ""
# a batch --atomic that fails delivers nothing, not even the lines that ran
db_snapshot
run kanal batch - --atomic <<'EOF'
log 1 email --at 2026-11-21T09:00:00Z
set 1 price_list_version=2026-Q4 --at 2026-11-21T09:10:00Z
advance 1 --at 2026-11-21T09:20:00Z
win 1 --at 2026-11-21T09:30:00Z
EOF
expect_rc 1
expect_db_unchanged
expect_events ""
# the same batch without its failing line: delivered, in order, after the commit
ok kanal batch - --atomic <<'EOF'
log 1 email --at 2026-11-21T09:00:00Z
set 1 price_list_version=2026-Q4 --at 2026-11-21T09:10:00Z
log 1 email --at 2026-11-21T09:15:00Z
advance 1 --at 2026-11-21T09:20:00Z
EOF
expect_events "1 4 activity
1 5 field_set
1 6 activity
1 7 goal_done
1 8 advanced"
# a batch without --atomic: each line commits, so the lines before the failure are heard
rm -f "$EV"
run kanal batch - <<'EOF'
done 1 terms_agreed --set payment_days=30 --at 2026-11-22T09:00:00Z
win 1 --at 2026-11-22T10:00:00Z
EOF
expect_rc 1
expect_events "1 9 field_set
1 10 goal_done"
# an import: the events of the good rows, once, after its commit; a dry run: none
rm -f "$EV"
printf 'name,type,owner\nSklep A,shop,marcin\nSklep B,shop,marcin\n' >p.csv
ok kanal import csv partners p.csv --dry-run
expect_events ""
printf 'name,type,owner\nSklep A,shop,marcin\nSklep C,bank,marcin\nSklep B,shop,marcin\n' >pb.csv
run kanal import csv partners pb.csv
expect_rc 4
expect_events ""
ok kanal import csv partners pb.csv --skip-bad rejects.csv
expect_events "0 0 partner_added
0 0 partner_added"
checks=$((checks + 1))
grep -q '"name":"Sklep B"' "$EV" && ! grep -q "Sklep C" "$EV" || fail "the skipped row was heard: $(events -f)"
# a failing listener: a warning, and the command still succeeds
rm -f "$EV"
export KANAL_TEST_LISTENER_FAIL=1
db_snapshot
ok kanal log 1 call --at 2026-11-22T11:00:00Z
expect_out "opportunity 1: logged call"
expect_err "kanal: warning: listener of plugin 'listener' failed: the test asked it to fail"
expect_db_changed
expect_sql "SELECT type || ' ' || json_extract(data, '\$.activity') FROM events WHERE opp_id = 1 AND seq = 11" "activity call"
expect_events ""
ok kanal partner add "Sklep D" --type shop
expect_out 4
expect_err "kanal: warning: listener of plugin 'listener' failed: the test asked it to fail"
expect_sql "SELECT count(*) FROM partners WHERE name = 'Sklep D'" 1
# a listener that fails on a refused command has nothing to fail on
run kanal advance 1
expect_rc 1
expect_err "kanal: error: cannot advance opportunity 1: mandatory goal of stage 'listing' not done: products_listed"
unset KANAL_TEST_LISTENER_FAIL
# without $KANAL_TEST_EVENTS the listener hears and keeps nothing; no warning
unset KANAL_TEST_EVENTS
ok kanal log 1 email --at 2026-11-22T12:00:00Z
expect_err ""
checks=$((checks + 1))
[ ! -e "$EV" ] || fail "the listener wrote without \$KANAL_TEST_EVENTS"
unset KANAL_PLUGIN_PATH

finish
