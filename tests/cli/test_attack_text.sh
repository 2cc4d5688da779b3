#!/bin/sh
# Hostile text (issue 8): invalid UTF-8 and over-long notes refused (item 4),
# a damaged event never read or exported silently (item 5), control characters
# and bidirectional overrides shown visibly wherever Kanal writes for a person
# (item 7), CSV cells that a spreadsheet would run as formulas neutralised in
# the lists but exact in the exports made to be imported back (item 8), and the
# operating-system login recorded with every event (item 9).
. "$KANAL_SOURCE_DIR/tests/cli/lifecycle.sh"

# fail MESSAGE: as lib.sh's, but the outputs shown visibly (cat -v) and cut short:
# a failure here must not send the hostile bytes to the terminal of whoever runs the tests.
fail() {
    failures=$((failures + 1))
    printf 'FAIL: %s\n  step: %s\n' "$(printf '%s' "$1" | cat -v)" "$(printf '%s' "$step" | cut -c1-300 | cat -v)" >&2
    printf '  stdout: %s\n  stderr: %s\n' "$(printf '%s\n' "$out" | head -n 12 | cut -c1-300 | cat -v)" \
        "$(printf '%s\n' "$err" | head -n 12 | cut -c1-300 | cat -v)" >&2
}

# Odd bytes, made with printf (no $'...' in POSIX sh).
ESC=$(printf '\033')
BEL=$(printf '\007')
TAB=$(printf '\t')
CR=$(printf '\r')
NL='
'
DEL=$(printf '\177')
C1=$(printf '\302\205')    # U+0085 NEL, a C1 control
CSI=$(printf '\302\233')   # U+009B CSI, a C1 control some terminals obey
RLO=$(printf '\342\200\256') # U+202E RIGHT-TO-LEFT OVERRIDE
LRI=$(printf '\342\201\246') # U+2066 LEFT-TO-RIGHT ISOLATE
PDI=$(printf '\342\201\251') # U+2069 POP DIRECTIONAL ISOLATE
ZZ=$(printf '\305\274')    # ż: ordinary UTF-8, shown as it is

# Hostile texts and how a person must see them.
EVIL="Evil${ESC}[2J${ESC}[31mRED${ESC}]8;;http://x${BEL}link"   # clears the screen, plants a link
V_EVIL='Evil\e[2J\e[31mRED\e]8;;http://x\x07link'
J_EVIL='Evil\u001b[2J\u001b[31mRED\u001b]8;;http://x\u0007link'
NOTE="note${ESC}[2J${ESC}]0;T${BEL} end"                          # clears the screen, retitles the window
V_NOTE='note\e[2J\e]0;T\x07 end'
MIX="a${NL}b${CR}c${TAB}d${DEL}e${C1}f${RLO}g${LRI}h$(printf '\001')i${CSI}j${PDI}k ${ZZ}"
V_MIX="a\\nb\\rc\\td\\x7fe\\u0085f\\u202eg\\u2066h\\x01i\\u009bj\\u2069k ${ZZ}"
J_MIX="a\\nb\\rc\\td\\u007fe\\u0085f\\u202eg\\u2066h\\u0001i\\u009bj\\u2069k ${ZZ}"
BIDI="Bidi${RLO}txt${LRI}x${PDI}${C1}${DEL}${TAB}end"
V_BIDI='Bidi\u202etxt\u2066x\u2069\u0085\x7f\tend'
CITY="Krak${ESC}[8m${ZZ}w"
V_CITY="Krak\\e[8m${ZZ}w"
PHONE="+48${ESC}[2J 12"
V_PHONE='+48\e[2J 12'
TAXID="PL${TAB}1${CR}2"
V_TAXID='PL\t1\r2'
ARG="x${ESC}[2Jy"
V_ARG='x\e[2Jy'

# expect_no_raw: neither stdout nor stderr of the last command holds a raw ESC byte,
# nor any other raw C0 control byte but tab and line feed, DEL, a C1 control or a bidi override.
expect_no_raw() {
    for _f in .out .err; do
        checks=$((checks + 1))
        _n=$(tr -dc '\033' <"$T/$_f" | wc -c)
        [ "$_n" -eq 0 ] || fail "$_n raw ESC byte(s) (0x1b) in std${_f#.}: $(od -An -c "$T/$_f" | grep -m 2 033)"
        checks=$((checks + 1))
        _n=$(tr -dc '\000-\010\013-\037\177' <"$T/$_f" | wc -c)
        if [ "$_n" -ne 0 ]; then
            fail "$_n raw control byte(s) in std${_f#.}"
        elif LC_ALL=C grep -q "$(printf '\302[\200-\237]')" "$T/$_f"; then
            fail "a raw C1 control (U+0080..U+009F) in std${_f#.}"
        elif LC_ALL=C grep -q "$(printf '\342\200[\252-\256]')" "$T/$_f" ||
            LC_ALL=C grep -q "$(printf '\342\201[\246-\251]')" "$T/$_f"; then
            fail "a raw bidirectional override in std${_f#.}"
        fi
    done
}
# human CMD...: runs CMD, expects exit 0 and nothing raw on stdout or stderr.
human() {
    ok "$@"
    expect_no_raw
}
# refuse_raw RC MESSAGE CMD...: like refuse, and nothing raw on stderr.
refuse_raw() {
    refuse "$@"
    expect_no_raw
}
# refuse_text MESSAGE CMD...: exit 4, stderr has MESSAGE, nothing on stdout, the database unchanged.
refuse_text() {
    _msg=$1
    shift
    db_snapshot
    run "$@"
    expect_rc 4
    expect_err_has "$_msg"
    expect_out ""
    expect_db_unchanged
}
# file_has FILE TEXT: FILE holds TEXT, byte for byte (TEXT may hold line breaks).
file_has() {
    checks=$((checks + 1))
    printf '%s' "$2" >"$T/.needle"
    [ "$(sqlite3 :memory: "SELECT instr(readfile('$1'), readfile('$T/.needle')) > 0")" = 1 ] ||
        fail "$1 lacks, byte for byte: $2"
}
# crlf LINE...: the lines, each ended by CRLF (CSV's line end).
crlf() { printf '%s\r\n' "$@"; }
# expect_out_crlf LINE...: stdout is, byte for byte, these lines ended by CRLF.
expect_out_crlf() {
    checks=$((checks + 1))
    crlf "$@" >"$T/.want"
    cmp -s "$T/.out" "$T/.want" ||
        fail "stdout is not, byte for byte: $(diff "$T/.want" "$T/.out" | head -n 8)"
}

setup_db
# who runs the commands: the operating-system login, or on PostgreSQL the database role
ME=$LOGIN

# ==== 4. text arguments: valid UTF-8, notes of at most 4000 bytes ==============================
export KANAL_USER=marcin
ok kanal partner add "Agencja Alfa" --type agency                          # partner 1
ok kanal opp new --partner 1 --workflow tiny --at 2026-11-20T09:00:00Z     # opp 1
expect_out 1
ok kanal partner add "Agencja Beta" --type agency                          # partner 2
ok kanal opp new --partner 2 --workflow tiny --at 2026-11-20T09:00:00Z     # opp 2 (to lose)
expect_out 2
ok kanal partner add "Agencja Gamma" --type agency                         # partner 3
ok kanal opp new --partner 3 --workflow tiny --at 2026-11-20T09:00:00Z     # opp 3 (to lose)
expect_out 3

BAD=$(printf 'bad\377utf')
refuse_text "is not valid UTF-8" kanal log 1 call --note "$BAD"
refuse_text "is not valid UTF-8" kanal log 1 call --note "$(printf 'overlong \300\257')"
refuse_text "is not valid UTF-8" kanal log 1 call --note "$(printf 'surrogate \355\240\200')"
refuse_text "is not valid UTF-8" kanal log 1 call --note "$(printf 'cut short \303')"
refuse_text "is not valid UTF-8" kanal log 1 call --note "$(printf 'too high \364\220\200\200')"
refuse_text "is not valid UTF-8" kanal done 1 visited --note "$BAD"
refuse_text "is not valid UTF-8" kanal lose 2 --reason other --note "$BAD"
refuse_text "is not valid UTF-8" kanal set 1 "notes=$BAD"
refuse_text "is not valid UTF-8" kanal partner add "$BAD" --type agency
refuse_text "is not valid UTF-8" kanal partner add "Nowy 1" --type agency --city "$BAD"
refuse_text "is not valid UTF-8" kanal partner add "Nowy 2" --type agency --email "a$(printf '\377')@example.com"
refuse_text "is not valid UTF-8" kanal partner add "Nowy 3" --type agency --phone "$BAD"
refuse_text "is not valid UTF-8" kanal partner add "Nowy 4" --type agency --tax-id "$BAD"
refuse_text "is not valid UTF-8" kanal user add zed --name "$BAD" --role channel_rep --as admin
# the same inside a batch: the failing line's exit code (4), its line number
printf 'log 1 call --note "ok"\n' >utf-ok.kanal
printf 'log 1 call --note "bad\377utf"\n' >utf-note.kanal
printf 'partner add "Nowy 5" --type agency --city "Krak\377w"\n' >utf-city.kanal
printf 'user add zed2 --name "Z\300\257" --role channel_rep --as admin\n' >utf-user.kanal
for f in utf-note.kanal utf-city.kanal utf-user.kanal; do
    refuse_text "is not valid UTF-8" kanal batch "$f"
    expect_err_has "kanal: line 1: error: "
done
cat utf-ok.kanal utf-note.kanal >utf-second.kanal
db_snapshot
run kanal batch utf-second.kanal --atomic
expect_rc 4
expect_err_has "kanal: line 2: error: "
expect_err_has "is not valid UTF-8"
expect_db_unchanged
# nothing of it reached the database
expect_sql "SELECT count(*) FROM activities" 0
expect_sql "SELECT count(*) FROM partners" 3
expect_sql "SELECT count(*) FROM users WHERE id LIKE 'zed%'" 0

# one limit for every note: 4000 bytes (bytes, not characters: 'ż' is two)
N4000=$(printf '%2000s' '' | sed "s/ /$ZZ/g")
N4001="x$N4000"
printf '%s' "$N4000" >n4000.txt
checks=$((checks + 1))
[ "$(wc -c <n4000.txt)" = 4000 ] || fail "the test's 4000-byte note has $(wc -c <n4000.txt) bytes"
refuse 4 "the note is too long (4001 bytes; at most 4000)" kanal log 1 call --note "$N4001"
refuse 4 "the note is too long (4001 bytes; at most 4000)" kanal done 1 visited --note "$N4001"
refuse 4 "the note is too long (4001 bytes; at most 4000)" kanal lose 3 --reason other --note "$N4001"
# a batch has no other limit (a line of 100 KB)
{ printf 'log 1 call --note "'; printf '%100000s' '' | tr ' ' n; printf '"\n'; } >long-note.kanal
refuse_text "the note is too long (" kanal batch long-note.kanal
expect_err_has "kanal: line 1: error: the note is too long ("
expect_err_has " bytes; at most 4000)"
expect_sql "SELECT count(*) FROM activities" 0

# a valid note: the activity and the event log hold the same text, byte for byte
GOOD="Zażółć gęślą jaźń — \"cytat\", ${TAB}tab"
ok kanal log 1 call --note "$GOOD"    # event 2 of opportunity 1
expect_sql "SELECT note FROM activities ORDER BY id DESC LIMIT 1" "$GOOD"
expect_sql "SELECT json_extract(data, '\$.note') FROM events WHERE opp_id = 1 AND seq = 2" "$GOOD"
# exactly 4000 bytes is accepted and stored exactly, in the activity and in the log
ok kanal log 1 email --note "$N4000"
expect_sql_file "SELECT note FROM activities ORDER BY id DESC LIMIT 1" n4000.txt
expect_sql_file "SELECT json_extract(data, '\$.note') FROM events WHERE opp_id = 1 AND type = 'activity' ORDER BY seq DESC LIMIT 1" n4000.txt
ok kanal done 1 classified --set form=resale --note "$N4000"
expect_sql_file "SELECT json_extract(data, '\$.note') FROM events WHERE opp_id = 1 AND type = 'goal_done' AND json_extract(data, '\$.goal') = 'classified'" n4000.txt
# in every activity, the state and the log agree
expect_sql "SELECT count(*) FROM activities a WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.opp_id = a.opp_id AND e.type = 'activity' AND json_extract(e.data, '\$.activity') = a.type AND json_extract(e.data, '\$.note') IS NOT DISTINCT FROM a.note)" 0

# an empty note is no note: the activity, the log and the history hold none
ok kanal log 1 call --note ""
expect_sql "SELECT CASE WHEN note IS NULL THEN 1 ELSE 0 END FROM activities ORDER BY id DESC LIMIT 1" 1
expect_sql "SELECT CASE WHEN json_type(data, '\$.note') IS NULL THEN 1 ELSE 0 END FROM events WHERE opp_id = 1 AND type = 'activity' ORDER BY seq DESC LIMIT 1" 1
ok kanal history 1
checks=$((checks + 1))
case "$(printf '%s\n' "$out" | tail -1)" in
*"activity=call"*note=*) fail "the history shows an empty note: $(printf '%s\n' "$out" | tail -1)" ;;
*"activity=call"*) ;;
*) fail "the history's last line is not the call: $(printf '%s\n' "$out" | tail -1)" ;;
esac
refuse 1 "lost reason 'other' needs a note: add --note TEXT" kanal lose 3 --reason other --note ""

# ==== 5. a damaged event is never read or exported silently ==================================
case "$KANAL_DB" in
postgresql://*)
    # On PostgreSQL an event's data is of type json: the damage done below to a copy
    # of the SQLite file cannot be stored at all, not even by the database's owner
    # with the log's trigger out of the way; the statement fails and nothing changes.
    db_snapshot
    run sql_at "$KANAL_DB" "ALTER TABLE events DISABLE TRIGGER events_no_update; UPDATE events SET data = '{\"x\":' WHERE opp_id = 1 AND seq = 2"
    checks=$((checks + 1))
    [ "$rc" != 0 ] || fail "an event's data was damaged"
    expect_err_has "invalid input syntax for type json"
    expect_db_unchanged
    expect_sql "SELECT tgenabled FROM pg_trigger WHERE tgname = 'events_no_update'" O
    ;;
*)
    D=$T/damaged/kanal.db
    mkdir -p "$T/damaged" "$T/dmg-out"
    sqlite3 "$KANAL_DB" ".backup '$D'"
    sqlite3 "$D" "PRAGMA ignore_check_constraints=ON; DROP TRIGGER events_no_update; UPDATE events SET data='{\"x\":' WHERE opp_id=1 AND seq=2;"
    checks=$((checks + 1))
    [ "$(sqlite3 "$D" "SELECT data FROM events WHERE opp_id = 1 AND seq = 2")" = '{"x":' ] || fail "the test could not damage event 2"
    run kanal history 1 --db "$D"
    expect_rc 5
    expect_out ""
    expect_err_has "kanal: error: "
    run kanal history 1 --json --db "$D"
    expect_rc 5
    run kanal export csv events -o "$T/dmg-out/out.csv" --db "$D" --as manny
    expect_rc 5
    expect_out ""
    expect_err_has "kanal: error: "
    expect_err_has "opportunity 1"
    expect_err_has "event 2"
    checks=$((checks + 1))
    [ ! -e "$T/dmg-out/out.csv" ] || fail "the export of a damaged log created out.csv"
    checks=$((checks + 1))
    [ -z "$(ls -A "$T/dmg-out")" ] || fail "the failed export left files: $(ls -A "$T/dmg-out")"
    # an earlier export at that path stays as it was
    printf 'earlier\n' >"$T/dmg-out/out.csv"
    run kanal export csv events -o "$T/dmg-out/out.csv" --db "$D" --as manny
    expect_rc 5
    checks=$((checks + 1))
    [ "$(cat "$T/dmg-out/out.csv")" = earlier ] || fail "the failed export changed an earlier out.csv"
    # to stdout: the same refusal
    run kanal export csv events --db "$D" --as manny
    expect_rc 5
    expect_err_has "opportunity 1"
    expect_err_has "event 2"
    ;;
esac

# ==== 7. control characters and bidi overrides shown visibly ============================
# (a database of its own, from here to item 9)
KANAL_DB=$(new_db text)
export KANAL_DB
unset KANAL_USER
setup_db
export KANAL_USER=marcin
ok kanal partner add "Agencja Alfa" --type agency                          # partner 1
ok kanal opp new --partner 1 --workflow tiny --at 2026-11-20T09:00:00Z     # opp 1
cat >hostile.lua <<'LUA'
-- hints and refusals that carry hostile text
return {
  on_activity = function(opp, activity)
    kanal.hint("note: " .. tostring(activity.note))
    kanal.hint("raw \27[2J\7 \u{202E}x \u{85}y")
    kanal.log("log " .. tostring(activity.note) .. " \27[5m")
  end,
  can_lose = function(opp, reason)
    return false, "keep " .. opp.partner.name
  end,
}
LUA
cat >hostile.yaml <<'YAML'
workflow: hostile
name: "Hostile \e[31mworkflow"
partner_types: [agency]
rules: hostile.lua
activity_types:
  - id: call
    name: Call
lost_reasons:
  - id: other
    name: Other
stages:
  - id: contact
    name: Contact
    goals:
      - id: called
        name: Called
        completed_by: call
      - id: briefed
        name: Briefed
        hint: "Call first\e[2J\x7f\u202e!"
YAML
LOSE_LINE=$(grep -n "can_lose = function" hostile.lua | cut -d: -f1)
ok kanal workflow apply hostile.yaml --as admin
ok kanal user add eve --name "Eve ${ESC}[5mblink${RLO}" --role channel_rep --as admin
ok kanal partner add "$EVIL" --type agency --city "$CITY" --phone "$PHONE" --tax-id "$TAXID"   # partner 2
expect_out 2
ok kanal partner add "$BIDI" --type agency                                                   # partner 3
expect_out 3
ok kanal opp new --partner 2 --workflow tiny --at 2026-11-22T09:00:00Z      # opp 2
expect_out 2
human kanal log 2 call --note "$NOTE" --at 2026-11-22T10:00:00Z
human kanal log 2 email --note "$MIX" --at 2026-11-22T11:00:00Z
human kanal set 2 "notes=$NOTE" --at 2026-11-22T12:00:00Z
expect_out_has "$V_NOTE"
ok kanal opp new --partner 3 --workflow tiny --at 2026-11-22T09:00:00Z      # opp 3
ok kanal opp new --partner 2 --workflow hostile --at 2026-11-22T09:00:00Z   # opp 4
expect_out 4

# history (the table): the partner's name in 'created', the notes, the field's value
human kanal history 2
expect_out_has "partner=$V_EVIL,"
expect_out_has "activity=call, note=$V_NOTE"
expect_out_has "activity=email, note=$V_MIX"
expect_out_has "field=notes, value=$V_NOTE, previous=-"
# history --json: escaped as JSON does (C1 and bidi too); the values exact once decoded
human kanal history 2 --json
expect_json_valid
expect_out_has "\"partner\":\"$J_EVIL\""
expect_out_has "\"note\":\"$J_MIX\""
expect_json '$.events[0].data.partner' "$EVIL"
expect_json '$.events[1].data.note' "$NOTE"
expect_json '$.events[4].data.note' "$MIX"
# history in the markdown format
human kanal history 2 --format markdown
# opp show: the header and the fields
human kanal opp show 2
expect_out_has "opportunity 2 — $V_EVIL (agency)"
expect_out_has "  notes                  $V_NOTE"
human kanal opp show 2 --json
expect_json '$.partner.name' "$EVIL"
expect_json '$.fields.notes' "$NOTE"
expect_out_has "\"name\":\"$J_EVIL\""
# partner show: the header and every field
human kanal partner show 2
expect_out "partner 2 — $V_EVIL
type     agency
owner    marcin
city     $V_CITY
phone    $V_PHONE
tax id   $V_TAXID
added    2026-11-28
open     opportunity #2 (tiny, stage contact, owner marcin)
         opportunity #4 (hostile, stage contact, owner marcin)
contacts none"
human kanal partner show 3
expect_out_has "partner 3 — $V_BIDI"
human kanal partner show 2 --json
expect_json '$.name' "$EVIL"
expect_json '$.city' "$CITY"
expect_json '$.tax_id' "$TAXID"
human kanal partner show 3 --json
expect_out_has '"name":"Bidi\u202etxt\u2066x\u2069\u0085\u007f\tend"'
# partner show by its exact name still finds it
human kanal partner show "$EVIL"
expect_out_has "partner 2 — $V_EVIL"
# next OPP: the header, and the workflow's hint
human kanal next 2
expect_out_has "opportunity 2 · $V_EVIL · tiny · stage contact (1 of 2)"
human kanal next 4
expect_out_has "opportunity 4 · $V_EVIL · hostile · stage contact (1 of 1)"
expect_out_has 'hint: Call first\e[2J\x7f\u202e!'
human kanal next 4 --json
expect_out_has '"hint":"Call first\u001b[2J\u007f\u202e!"'
# next: the agenda
human kanal next
expect_out_has "  $V_EVIL  "
expect_out_has "  $V_BIDI  "
# the list tables
human kanal opp list
expect_out_has "  $V_EVIL  "
expect_out_has "  $V_BIDI  "
human kanal partner list
expect_out_has "  $V_EVIL  "
expect_out_has "  $V_BIDI  "
expect_out_has "  $V_CITY  "
expect_out_has "  $V_PHONE  "
expect_out_has "  $V_TAXID  "
human kanal user list
expect_out_has 'Eve \e[5mblink\u202e'
human kanal workflow list
expect_out_has 'Hostile \e[31mworkflow'
human kanal workflow show hostile
expect_out_has 'Hostile \e[31mworkflow'
# the markdown format (the example plugin)
human kanal opp list --format markdown
expect_out_has "| $V_EVIL |"
expect_out_has "| $V_BIDI |"
human kanal partner list --format markdown
expect_out_has "| $V_EVIL |"
expect_out_has "| $V_BIDI |"
expect_out_has "| $V_CITY |"
expect_out_has "| $V_PHONE |"
human kanal user list --format markdown
expect_out_has 'Eve \e[5mblink\u202e'
human kanal next --format markdown
expect_out_has "| $V_EVIL |"
# JSON lists: escaped as JSON does
human kanal partner list --json
expect_json_valid
expect_out_has "\"name\":\"$J_EVIL\""
expect_out_has '"name":"Bidi\u202etxt\u2066x\u2069\u0085\u007f\tend"'
human kanal opp list --json
expect_out_has "\"partner\":\"$J_EVIL\""

# error messages that echo an argument
refuse_raw 3 "no partner '$V_ARG' (name a partner by its id or its exact name)" kanal partner show "$ARG"
refuse_raw 3 "no partner 'a\\u202eb\\nc' (name a partner by its id or its exact name)" kanal partner show "a${RLO}b${NL}c"
refuse_raw 3 "no partner '$V_ARG' (name a partner by its id or its exact name)" \
    kanal opp new --partner "$ARG" --workflow tiny
refuse_raw 3 "unknown activity type '$V_ARG' in workflow 'tiny' (known: call, email, meeting)" kanal log 2 "$ARG"
refuse_raw 3 "unknown field '$V_ARG' in workflow 'tiny' (known: form, margin, skus, exclusive, signed_on, notes)" \
    kanal set 2 "$ARG=1"
refuse_raw 3 "unknown format '$V_ARG' (known: table, json, csv, markdown, html, svg)" kanal opp list --format "$ARG"
db_snapshot
run kanal --as "$ARG" opp list
expect_rc 3
expect_err_has "unknown user '$V_ARG'"
expect_no_raw
run kanal history "$ARG"
expect_rc 2
expect_err_has "kanal: error: '$V_ARG' is not an opportunity id (a positive number)"
expect_no_raw
run kanal "$ARG"
expect_rc 2
expect_err_has "kanal: error: unknown command '$V_ARG'"
expect_no_raw
run kanal opp list "--$ARG"
expect_rc 2
expect_err_has "kanal: error: unknown option '--$V_ARG'"
expect_no_raw
run kanal --db "$T/$ARG.db" opp list
expect_rc 3
expect_err_has "kanal: error: no database at '$T/$V_ARG.db'"
expect_no_raw
run kanal workflow check "$ARG.yaml"
expect_rc 4
expect_err "$V_ARG.yaml: error: cannot read the file: No such file or directory"
expect_no_raw
# in a batch, the line's error too
printf 'partner show "%s"\n' "$ARG" >esc.kanal
run kanal batch esc.kanal
expect_rc 3
expect_err_has "kanal: line 1: error: no partner '$V_ARG'"
expect_no_raw
expect_db_unchanged

# rules: hints, refusals and the --verbose log
human kanal log 4 call --note "$NOTE"
expect_err_has "hint: note: $V_NOTE"
expect_err_has 'hint: raw \e[2J\x07 \u202ex \u0085y'
human kanal log 4 call --note "$NOTE" --verbose
expect_err_has "hint: note: $V_NOTE"
refuse_raw 1 "refused by rules (hostile.lua:$LOSE_LINE): keep $V_EVIL" kanal lose 4 --reason other

# data formats keep the exact bytes: the exports
ok kanal export csv partners -o partners.csv --as manny
file_has partners.csv "$EVIL"
file_has partners.csv "$CITY"
file_has partners.csv "$BIDI"
ok kanal export csv events -o events.csv --as manny
file_has events.csv "$NOTE"
file_has events.csv "$MIX"

# ==== 9. who ran the command: the operating-system login ==================================
if [ -z "$ME" ]; then
    echo "note: 'id -un' gives no login name here; the login checks are skipped" >&2
else
    ok kanal history 2 --json
    expect_json '$.events[0].login' "$ME"
    expect_json '$.events[0].actor' marcin
    checks=$((checks + 1))
    _n=$(sqlite3 :memory: "SELECT count(*) FROM json_each(readfile('$T/.out'), '\$.events') WHERE json_extract(value, '\$.login') IS NOT '$ME'")
    [ "$_n" = 0 ] || fail "$_n events of opportunity 2 lack the login '$ME'"
    # from the effective uid: not $USER, $LOGNAME nor --as
    run env USER=mallory LOGNAME=mallory KANAL_USER=mallory "$KANAL_BIN" log 1 meeting --as marcin --at 2026-11-23T10:00:00Z
    expect_rc 0
    ok kanal history 1 --json
    expect_json '$.events[#-1].type' activity
    expect_json '$.events[#-1].actor' marcin
    expect_json '$.events[#-1].login' "$ME"
    checks=$((checks + 1))
    case $out in *mallory*) fail "the history names mallory" ;; esac
    # the table: 'ACTOR [login: LOGIN]' when they differ
    ok kanal history 1
    expect_out_has "marcin [login: $ME]"
    case $ME in
    [a-z]*)
        if printf '%s' "$ME" | grep -q '^[a-z][a-z0-9_]*$'; then
            # (on PostgreSQL the test's login is the server's superuser, which cannot be a
            # Kanal user: a user of the test's own, logged in as itself, is the same case)
            case "$KANAL_DB" in
            postgresql://*) me_user=$(test_role login) me_db=$(db_as "$(test_role login)") ;;
            *) me_user=$ME me_db=$KANAL_DB ;;
            esac
            ok kanal user add "$me_user" --name "The login" --role manager --as admin
            ok kanal set 1 "notes=by the login" --as "$me_user" --at 2026-11-23T11:00:00Z --db "$me_db"
            ok kanal history 1
            checks=$((checks + 1))
            _line=$(printf '%s\n' "$out" | grep 'value=by the login')
            case $_line in
            *"[login:"*) fail "the actor equals the login, yet the table adds it: $_line" ;;
            *"  $me_user  "*) ;;
            *) fail "the event by '$me_user' does not show its actor: $_line" ;;
            esac
        fi
        ;;
    esac
    # the events export: the actor, then a last column 'login'
    ok kanal export csv events --as manny
    checks=$((checks + 1))
    [ "$(printf '%s\n' "$out" | head -n 1)" = "partner,workflow,owner,at,event,arg,note,actor,login$CR" ] ||
        fail "the events export's header is not 'partner,workflow,owner,at,event,arg,note,actor,login'"
    checks=$((checks + 1))
    case $out in
    *"Agencja Alfa,tiny,marcin,2026-11-23T10:00:00Z,log,meeting,,marcin,$ME$CR"*) ;;
    *) fail "the events export lacks the row 'Agencja Alfa,tiny,marcin,2026-11-23T10:00:00Z,log,meeting,,marcin,$ME'" ;;
    esac
fi
# the history importer takes a file with the login column (and ignores it)
L=$(new_db login)
ok kanal init --admin admin --db "$L"
ok kanal user add marcin --name "Marcin Nowak" --role channel_rep --db "$L" --as admin
ok kanal user add manny --name "Manny Manager" --role manager --db "$L" --as admin
ok kanal workflow apply "$FX/tiny.yaml" --db "$L" --as admin
crlf "partner,workflow,owner,at,event,arg,note,login" \
    "Agencja Login,tiny,marcin,2026-11-20T09:00:00Z,created,,,someone" \
    "Agencja Login,tiny,marcin,2026-11-20T10:00:00Z,log,call,first call,someone" >with-login.csv
ok kanal partner add "Agencja Login" --type agency --db "$L" --as manny
ok kanal import csv history with-login.csv --db "$L" --as manny
expect_out "imported 2 of 2 rows"
expect_err ""
checks=$((checks + 1))
[ "$(sql_at "$L" "SELECT note FROM activities")" = "first call" ] || fail "the imported activity is not there"

# ==== 8. CSV formula injection ===================================================================
F=$(new_db formula)
export KANAL_DB=$F
unset KANAL_USER
setup_db
export KANAL_USER=marcin
ok kanal partner add "=cmd|' /C calc'!A0" --type agency --city "@city" --phone "=2+5" --tax-id "-1"   # 1
ok kanal partner add "+SUM(1+1)" --type agency --city "${TAB}Tabbed"                                 # 2
ok kanal partner add '@HYPERLINK("http://x","y")' --type agency                                      # 3
ok kanal partner add "-2+3" --type agency                                                            # 4
ok kanal partner add "${CR}cr" --type agency                                                         # 5
ok kanal partner add "Safe =1+1" --type agency --phone "+48 12 000 00 00"                            # 6
ok kanal partner add "$EVIL" --type agency                                                           # 7
expect_out 7
ok kanal user add formula --name "=1+2" --role channel_rep --as admin
ok kanal opp new --partner 1 --workflow tiny --at 2026-11-20T09:00:00Z     # 1
ok kanal log 1 call --note "=1+1" --at 2026-11-20T10:00:00Z
ok kanal log 1 email --note "-exact${TAB}note" --at 2026-11-20T11:00:00Z
ok kanal opp new --partner 3 --workflow tiny                               # 2, now
ok kanal opp new --partner 7 --workflow tiny --at 2026-11-20T09:00:00Z     # 3
ok kanal log 3 call --note "$MIX" --at 2026-11-20T10:00:00Z

ok kanal partner list --format csv
expect_out_crlf "id,name,type,owner,city,email,phone,tax_id,created_at" \
    "1,'=cmd|' /C calc'!A0,agency,marcin,'@city,,'=2+5,'-1,2026-11-28T12:00:00Z" \
    "2,'+SUM(1+1),agency,,'${TAB}Tabbed,,,,2026-11-28T12:00:00Z" \
    "3,\"'@HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",agency,marcin,,,,,2026-11-28T12:00:00Z" \
    "4,'-2+3,agency,,,,,,2026-11-28T12:00:00Z" \
    "5,\"'${CR}cr\",agency,,,,,,2026-11-28T12:00:00Z" \
    "6,Safe =1+1,agency,,,,'+48 12 000 00 00,,2026-11-28T12:00:00Z" \
    "7,$EVIL,agency,marcin,,,,,2026-11-28T12:00:00Z"
# numeric columns are left alone, even negative (a stage entered after "now")
run env KANAL_NOW=2026-11-20T12:00:00Z "$KANAL_BIN" opp list --format csv
expect_rc 0
expect_out_crlf "id,partner,workflow,version,owner,status,stage,days_in_stage,created_at,closed_at,lost_reason,next_contact_at,last_activity_at" \
    "1,'=cmd|' /C calc'!A0,tiny,1,marcin,open,contact,0,2026-11-20T09:00:00Z,,,,2026-11-20T11:00:00Z" \
    "2,\"'@HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",tiny,1,marcin,open,contact,-8,2026-11-28T12:00:00Z,,,," \
    "3,$EVIL,tiny,1,marcin,open,contact,0,2026-11-20T09:00:00Z,,,,2026-11-20T10:00:00Z"
ok kanal opp list --format csv
cp "$T/.out" opp-list.csv
checks=$((checks + 1))
grep -q "^1,'=cmd|' /C calc'!A0,tiny,1,marcin,open,contact,8," opp-list.csv || fail "opp list --format csv does not neutralise the partner"
ok kanal export csv opportunities --as manny
# the export's first columns are the list's (then the lost note and the fields)
python3 -c 'import csv,sys; w=csv.writer(sys.stdout, lineterminator="\r\n"); [w.writerow(r[:13]) for r in csv.reader(open(sys.argv[1], newline=""))]' \
    "$T/.out" >opp-export.csv
checks=$((checks + 1))
cmp -s opp-export.csv opp-list.csv || fail "export csv opportunities does not begin as opp list --format csv"
ok kanal user list --format csv
expect_out_has "formula,'=1+2,channel_rep,true,2026-11-28T12:00:00Z$CR"
expect_out_has "marcin,Marcin Nowak,channel_rep,true,"
ok kanal next --format csv
expect_out_has "$CR
1,'=cmd|' /C calc'!A0,tiny,contact,8,"
expect_out_has "$CR
2,\"'@HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",tiny,contact,0,"
# history --format csv: the data is JSON text (it starts with '{'), left as it is
ok kanal history 1 --format csv
expect_out_has "2,2026-11-20T10:00:00Z,marcin,activity,1,\"{\"\"activity\"\":\"\"call\"\",\"\"note\"\":\"\"=1+1\"\"}\"$CR"
expect_out_has "1,2026-11-20T09:00:00Z,marcin,created,1,\"{\"\"partner_id\"\":1,\"\"partner\"\":\"\"=cmd|' /C calc'!A0\"\","

# the exports made to be imported back are exact
ok kanal export csv partners -o f-partners.csv --as manny
file_has f-partners.csv "=cmd|' /C calc'!A0,agency,,,=2+5,@city,-1$CR$NL"
file_has f-partners.csv "+SUM(1+1),agency,,,,${TAB}Tabbed,$CR$NL"
file_has f-partners.csv "\"@HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",agency,,,,,$CR$NL"
file_has f-partners.csv "$CR${NL}-2+3,agency,,,,,$CR$NL"
file_has f-partners.csv "Safe =1+1,agency,,,+48 12 000 00 00,,$CR$NL"
ok kanal export csv events -o f-events.csv --as manny
file_has f-events.csv "$CR$NL=cmd|' /C calc'!A0,tiny,marcin,2026-11-20T10:00:00Z,log,call,=1+1"
file_has f-events.csv "log,email,-exact${TAB}note"
file_has f-events.csv "$MIX"
# round trip: into a fresh database with the same users and workflows, the same bytes
G=$(new_db formula-back)
export KANAL_DB=$G
unset KANAL_USER
setup_db
ok kanal user add formula --name "=1+2" --role channel_rep --as admin
ok kanal import csv partners f-partners.csv --as manny
expect_out "imported 7 of 7 rows"
ok kanal import csv history f-events.csv --as manny
expect_out "imported 6 of 6 rows"
expect_err ""
for q in "SELECT hex(name), hex(coalesce(city, '')), hex(coalesce(phone, '')), hex(coalesce(tax_id, '')) FROM partners ORDER BY id" \
    "SELECT opp_id, type, at, hex(note) FROM activities ORDER BY id"; do
    checks=$((checks + 1))
    [ "$(sql_at "$F" "$q")" = "$(sql_at "$G" "$q")" ] ||
        fail "after the round trip, '$q' differs"
done
checks=$((checks + 1))
[ "$(sql_at "$G" "SELECT count(*) FROM partners WHERE name LIKE '''%'")" = 0 ] ||
    fail "an imported partner's name starts with the quote the lists add"
ok kanal export csv events -o g-events.csv --as manny
checks=$((checks + 1))
cmp -s f-events.csv g-events.csv || fail "export, import, export: the events differ"
ok kanal export csv partners -o g-partners.csv --as manny
checks=$((checks + 1))
cmp -s f-partners.csv g-partners.csv || fail "export, import, export: the partners differ"

finish
