#!/bin/sh
# Changing a live process (README: "Changing a live process"), checked from
# the outside: kanal workflow versions, diff, apply --dry-run and its hint,
# the messages that name the version an opportunity follows, kanal workflow
# migrate (refusals that leave the database as it was, all or none, goals to
# do and not required, the migrated event, a mapped stage in the funnel, the
# goals report), DOMAIN.md's Example 1, the recovery of an opportunity stuck
# on broken rules, and kanal workflow retire.
#
# Workflows (tests/fixtures/migrate, copied here so that paths are short):
#   shop  v1 -> v2   one change of each kind, for diff
#   ref   v1 -> v2   Example 1: the terms infographic added to Awareness
#   pipe  v1 -> v2 -> v3   a goal added to each stage; then pitch renamed demo,
#                    size an enum, the tier bronze gone
#   seq   v1 -> v2   a goal added to a passed stage that a later goal waits for
#   brk   v1 -> v2 -> v3   rules that break on every activity, then the fix
. "$KANAL_SOURCE_DIR/tests/cli/lifecycle.sh"

cp "$SRC"/tests/fixtures/migrate/*.yaml "$SRC"/tests/fixtures/migrate/*.lua .

# json_len PATH: the length of the array at PATH of the last stdout.
json_len() {
    sqlite3 :memory: "SELECT json_array_length(readfile('$T/.out'), '$1')" 2>/dev/null
}
# expect_change ELEMENT ID 'CHANGE|DETAIL': the diff's JSON has that change.
expect_change() {
    checks=$((checks + 1))
    _got=$(sqlite3 :memory: "SELECT json_extract(value, '\$.change') || '|' || json_extract(value, '\$.detail')
        FROM json_each(readfile('$T/.out'), '\$.changes')
        WHERE json_extract(value, '\$.element') = '$1' AND json_extract(value, '\$.id') = '$2'" 2>/dev/null)
    [ "$_got" = "$3" ] || fail "diff JSON: $1 $2 is '$_got', want '$3'"
}
# expect_mig OPP PATH VALUE: in a migrate --json, the opportunity OPP's PATH is VALUE.
expect_mig() {
    checks=$((checks + 1))
    _got=$(sqlite3 :memory: "SELECT json_extract(value, '$2')
        FROM json_each(readfile('$T/.out'), '\$.opportunities')
        WHERE json_extract(value, '\$.id') = $1" 2>/dev/null)
    [ "$_got" = "$3" ] || fail "migrate JSON: opportunity $1 $2 is '$_got', want '$3'"
}
# expect_row KEY VALUE PATH WANT: in a report's JSON, the row whose KEY is
# VALUE has WANT at PATH.
expect_row() {
    checks=$((checks + 1))
    _got=$(sqlite3 :memory: "SELECT json_extract(value, '$3')
        FROM json_each(readfile('$T/.out'), '\$.rows')
        WHERE json_extract(value, '\$.$1') = '$2'" 2>/dev/null)
    [ "$_got" = "$4" ] || fail "report row $1=$2: $3 is '$_got', want '$4'"
}
# refuse_listed RC MESSAGE STDOUT CMD...: CMD exits RC, says exactly
# "kanal: error: MESSAGE" on stderr, lists STDOUT, and changes nothing.
refuse_listed() {
    _want_rc=$1
    _want_msg=$2
    _want_out=$3
    shift 3
    db_snapshot
    run "$@"
    expect_rc "$_want_rc"
    expect_err "kanal: error: $_want_msg"
    expect_out "$_want_out"
    expect_db_unchanged
}
# expect_version OPP N: opp show --json says the opportunity follows version N.
expect_version() {
    run kanal opp show "$1" --json
    expect_json '$.version' "$2"
}

# ---- the commands' help ------------------------------------------------------------------
ok kanal workflow migrate --help
expect_out_has "usage: kanal workflow migrate ID [options]"
expect_out_has "  --map OLD=NEW "
expect_out_lacks "(repeatable) (repeatable)"

# ---- the database ---------------------------------------------------------------------
export KANAL_NOW=2026-11-01T08:00:00Z
ok kanal init --admin admin --name "Ada Admin"
export KANAL_USER=admin
ok kanal user add manny --name "Manny Manager" --role manager
ok kanal user add marcin --name "Marcin Nowak" --role channel_rep
ok kanal workflow apply shop_v1.yaml ref_v1.yaml pipe_v1.yaml seq_v1.yaml brk_v1.yaml
expect_out "shop v1
ref v1
pipe v1
seq v1
brk v1"
expect_err ""

# =====================================================================================
# diff: one version and a file; the refusals
# =====================================================================================
refuse 2 "workflow 'shop' has one version: nothing to compare it with (give a file: kanal workflow diff shop FILE)" \
    kanal workflow diff shop
refuse 2 "workflow 'shop' has one version: nothing to compare it with (give a file: kanal workflow diff shop FILE)" \
    kanal workflow diff shop --json
refuse 3 "workflow 'shop' has no version 2 (its versions are 1 to 1)" kanal workflow diff shop 1 2
refuse 3 "workflow 'shop' has no version 3 (its versions are 1 to 1)" kanal workflow diff shop 3 shop_v2.yaml
refuse 3 "workflow 'shop' has no version 2 (its versions are 1 to 1)" kanal workflow diff shop 2
refuse 3 "unknown workflow 'shopp' (did you mean 'shop'?)" kanal workflow diff shopp shop_v2.yaml
refuse 2 "'pipe_v1.yaml' defines workflow 'pipe', not 'shop'" kanal workflow diff shop pipe_v1.yaml
refuse 2 "'pipe_v1.yaml' defines workflow 'pipe', not 'shop'" kanal workflow diff shop 1 pipe_v1.yaml

# an invalid file: the checker's errors, exit 4, nothing stored
sed -e 's/completed_by: call/completed_bz: call/' -e 's/max_days: 7/max_days: seven/' shop_v2.yaml >shop_bad.yaml
run kanal workflow check shop_bad.yaml
expect_rc 4
check_err=$err
expect_err_has "shop_bad.yaml:"
expect_err_has "unknown key 'completed_bz' in goal (did you mean 'completed_by'?)"
db_snapshot
run kanal workflow diff shop shop_bad.yaml
expect_rc 4
expect_err "$check_err"
expect_out ""
expect_db_unchanged
run kanal workflow diff shop 1 shop_bad.yaml --json
expect_rc 4
expect_err "$check_err"
run kanal workflow diff shop missing.yaml
expect_rc 4
expect_err "missing.yaml: error: cannot read the file: No such file or directory"
expect_out ""

# a version against the same text: nothing
ok kanal workflow diff shop shop_v1.yaml
expect_out "shop: version 1 -> shop_v1.yaml
  no differences"
ok kanal workflow diff shop 1 shop_v1.yaml --json
expect_out '{"workflow":"shop","from":1,"to":null,"file":"shop_v1.yaml","changes":[]}'

# every kind of change, against the file not yet applied
shop_changes='  ~ workflow changed: name: Shop listing -> Shop and kiosk listing; partner types: shop -> shop, kiosk
  ~ rules changed: 6 lines -> 9 lines
  - stage sign removed: was stage 3 of 3
  ~ stage contact changed: max_days: 7 -> 10
  ~ stage offer changed: max_days: none -> 30; name: Offer -> Offer made
  + stage closing added: stage 3 of 3, 1 goal
  - goal dropped removed: was in offer
  ~ goal mailed changed: mandatory: no -> yes
  ~ goal demo changed: stage: contact -> offer
  ~ goal offered changed: after: none -> called
  + goal priced added: in offer, optional
  ~ goal signed changed: stage: sign -> closing
  + activity visit added: "Shop visit"
  ~ lost reason other changed: note required: yes -> no
  + lost reason price added: "Price too high"
  ~ field size changed: type: integer -> number
  ~ field tier changed: values: gold, silver, bronze -> gold, silver'
db_snapshot
ok kanal workflow diff shop shop_v2.yaml
expect_out "shop: version 1 -> shop_v2.yaml
$shop_changes
17 changes"
expect_err ""
expect_db_unchanged
# A with the file: the same
ok kanal workflow diff shop 1 shop_v2.yaml
expect_out "shop: version 1 -> shop_v2.yaml
$shop_changes
17 changes"
# a rep may look too (the definition is no secret)
ok kanal workflow diff shop shop_v2.yaml --as marcin

ok kanal workflow diff shop shop_v2.yaml --json
expect_json_valid
expect_json_keys '$' workflow from to file changes
expect_json '$.workflow' shop
expect_json '$.from' 1
checks=$((checks + 1)); [ "$(json_type '$.to')" = null ] || fail "diff JSON: 'to' is not null for a file"
expect_json '$.file' shop_v2.yaml
checks=$((checks + 1)); [ "$(json_len '$.changes')" = 17 ] || fail "diff JSON: $(json_len '$.changes') changes, want 17"
expect_json_keys '$.changes[0]' element id change detail
expect_change goal mailed 'changed|mandatory: no -> yes'
expect_change goal offered 'changed|after: none -> called'
expect_change goal demo 'changed|stage: contact -> offer'
expect_change goal priced 'added|in offer, optional'
expect_change goal dropped 'removed|was in offer'
expect_change stage contact 'changed|max_days: 7 -> 10'
expect_change stage offer 'changed|max_days: none -> 30; name: Offer -> Offer made'
expect_change stage sign 'removed|was stage 3 of 3'
expect_change stage closing 'added|stage 3 of 3, 1 goal'
expect_change 'lost reason' price 'added|"Price too high"'
expect_change 'lost reason' other 'changed|note required: yes -> no'
expect_change field size 'changed|type: integer -> number'
expect_change field tier 'changed|values: gold, silver, bronze -> gold, silver'
expect_change rules shop 'changed|6 lines -> 9 lines'

# =====================================================================================
# opportunities of shop v1, then apply --dry-run: nothing stored
# =====================================================================================
export KANAL_NOW=2026-11-10T12:00:00Z
ok kanal partner add "Sklep Anna" --type shop --as marcin
ok kanal opp new --partner "Sklep Anna" --workflow shop --as marcin --at 2026-11-02T09:00
shop_a=$out
ok kanal partner add "Sklep Bartek" --type shop --as marcin
ok kanal opp new --partner "Sklep Bartek" --workflow shop --as marcin --at 2026-11-02T09:00
shop_b=$out
ok kanal log "$shop_b" call --as marcin --at 2026-11-03T09:00
ok kanal done "$shop_b" demo --as marcin --at 2026-11-03T10:00
ok kanal advance "$shop_b" --as marcin --at 2026-11-03T11:00
ok kanal done "$shop_b" dropped --as marcin --at 2026-11-04T09:00
ok kanal partner add "Sklep Celina" --type shop --as marcin
ok kanal opp new --partner "Sklep Celina" --workflow shop --as marcin --at 2026-11-02T09:00
shop_c=$out
ok kanal lose "$shop_c" --reason no_interest --as marcin --at 2026-11-05T09:00

refuse 1 "only an admin may apply workflows (you are 'marcin')" \
    kanal workflow apply --dry-run shop_v2.yaml --as marcin
db_snapshot
ok kanal workflow apply --dry-run shop_v2.yaml
expect_out "shop: would become version 2; from version 1:
$shop_changes
  2 open opportunities would stay on older versions (then: kanal workflow migrate shop --to 2)
nothing was stored (--dry-run)"
expect_err ""
expect_db_unchanged
# an unchanged file and a new workflow, in one dry run
cp ref_v1.yaml fresh.yaml
sed -i 's/^workflow: ref$/workflow: fresh/' fresh.yaml
db_snapshot
ok kanal workflow apply --dry-run shop_v1.yaml fresh.yaml
expect_out "shop v1 (unchanged)
fresh: would become version 1 (a new workflow)
nothing was stored (--dry-run)"
expect_db_unchanged
ok kanal workflow list --json
expect_json '$.workflows[0].workflow' brk
checks=$((checks + 1)); [ "$(json_len '$.workflows')" = 5 ] || fail "the dry run stored the new workflow"
# an invalid file in a dry run: the checker's errors, exit 4
db_snapshot
run kanal workflow apply --dry-run shop_v1.yaml shop_bad.yaml
expect_rc 4
expect_err "$check_err"
expect_out ""
expect_db_unchanged

# the real apply: the version, and a hint naming the migrate command
ok kanal workflow apply shop_v2.yaml
expect_out "shop v2"
expect_err "hint: 2 open opportunities of shop are on older versions: kanal workflow migrate shop --to 2"
# no open opportunity left behind: no hint
ok kanal workflow apply shop_v2.yaml
expect_out "shop v2 (unchanged)"

# ---- diff between versions ------------------------------------------------------------
ok kanal workflow diff shop
expect_out "shop: version 1 -> version 2
$shop_changes
17 changes"
ok kanal workflow diff shop 1
expect_out "shop: version 1 -> version 2
$shop_changes
17 changes"
ok kanal workflow diff shop 1 2 --json
expect_json '$.from' 1
expect_json '$.to' 2
checks=$((checks + 1)); [ "$(json_type '$.file')" = null ] || fail "diff JSON: 'file' is not null between versions"
expect_change goal mailed 'changed|mandatory: no -> yes'
# backwards: what was added is removed
ok kanal workflow diff shop 2 1
expect_out_has "shop: version 2 -> version 1"
expect_out_has "  ~ goal mailed changed: mandatory: yes -> no"
expect_out_has "  - stage closing removed: was stage 3 of 3"
expect_out_has "  + stage sign added: stage 3 of 3, 1 goal"
expect_out_has "  - lost reason price removed"
expect_out_has "  ~ field tier changed: values: gold, silver -> gold, silver, bronze"
expect_out_has "17 changes"
refuse 3 "workflow 'shop' has no version 3 (its versions are 1 to 2)" kanal workflow diff shop 1 3

# ---- versions: when, who, hash, file, open/won/lost -------------------------------------
h1=$(sql "SELECT hash FROM workflow_versions WHERE workflow = 'shop' AND version = 1")
h2=$(sql "SELECT hash FROM workflow_versions WHERE workflow = 'shop' AND version = 2")
checks=$((checks + 1)); [ -n "$h1" ] && [ "$h1" != "$h2" ] || fail "the two versions' hashes: '$h1' and '$h2'"
ok kanal workflow versions shop --json
expect_json_valid
expect_json '$.versions[0]' "{\"version\":1,\"applied_at\":\"2026-11-01T08:00:00Z\",\"applied_by\":\"admin\",\"hash\":\"$h1\",\"source\":\"shop_v1.yaml\",\"open\":2,\"won\":0,\"lost\":1}"
expect_json '$.versions[1]' "{\"version\":2,\"applied_at\":\"2026-11-10T12:00:00Z\",\"applied_by\":\"admin\",\"hash\":\"$h2\",\"source\":\"shop_v2.yaml\",\"open\":0,\"won\":0,\"lost\":0}"
checks=$((checks + 1)); [ "$(json_len '$.versions')" = 2 ] || fail "versions: not 2 of them"
ok kanal workflow versions shop
expect_out "VERSION  APPLIED           BY     HASH                      FROM FILE     OPEN  WON  LOST
      1  2026-11-01 08:00  admin  $h1  shop_v1.yaml     2    0     1
      2  2026-11-10 12:00  admin  $h2  shop_v2.yaml     0    0     0"
# the hash is that of the applied event
expect_sql "SELECT json_extract(data, '\$.hash') FROM events WHERE type = 'workflow_applied' AND json_extract(data, '\$.workflow') = 'shop' AND CAST(json_extract(data, '\$.version') AS TEXT) = '2'" "$h2"
refuse 3 "unknown workflow 'shopp' (did you mean 'shop'?)" kanal workflow versions shopp

# ---- migrating shop: a goal completed that v2 no longer has stays in the history -----------
export KANAL_NOW=2026-11-11T12:00:00Z
db_snapshot
ok kanal workflow migrate shop --to 2 --dry-run --json
expect_db_unchanged
expect_json '$.dry_run' 1
expect_json '$.moved' 0
expect_mig "$shop_b" '$.gone' '["dropped"]'
expect_mig "$shop_b" '$.stage' offer
expect_mig "$shop_b" '$.problem' ''
expect_mig "$shop_a" '$.gone' '[]'
checks=$((checks + 1)); [ "$(json_len '$.opportunities')" = 2 ] || fail "the closed opportunity is in the migration"
ok kanal workflow migrate shop --to 2
ok kanal opp show "$shop_b" --json
expect_json '$.version' 2
expect_json '$.stage' offer
ok kanal history "$shop_b" --json
expect_out_has '"type":"goal_done","version":1,"login":"'
expect_out_has '"data":{"goal":"dropped","stage":"offer"}'
ok kanal opp show "$shop_c" --json
expect_json '$.version' 1
ok kanal workflow versions shop --json
expect_json '$.versions[0].open' 0
expect_json '$.versions[0].lost' 1
expect_json '$.versions[1].open' 2

# =====================================================================================
# ref: DOMAIN.md's Example 1, and the messages that name the version
# =====================================================================================
export KANAL_NOW=2026-11-12T12:00:00Z
ok kanal partner add "Biuro Rachunkowe Alfa" --type referrer --as marcin
ok kanal opp new --partner "Biuro Rachunkowe Alfa" --workflow ref --as marcin --at 2026-11-02T09:00
ref_a=$out
ok kanal partner add "Kancelaria Beta" --type referrer --as marcin
ok kanal opp new --partner "Kancelaria Beta" --workflow ref --as marcin --at 2026-11-02T09:00
ref_p=$out
ok kanal log "$ref_p" call --as marcin --at 2026-11-03T09:00
ok kanal advance "$ref_p" --as marcin --at 2026-11-03T10:00
expect_out "opportunity $ref_p: now in stage proposal (2 of 3)"

# the manager learns why partners say no, and the admin adds the infographic
ok kanal workflow diff ref ref_v2.yaml
expect_out "ref: version 1 -> ref_v2.yaml
  + goal terms_infographic added: in awareness, mandatory, completed by email
  + activity meeting added: \"Meeting\"
  + lost reason price added: \"Price too high\"
  + field fee_pct added: number
4 changes"
ok kanal workflow apply ref_v2.yaml
expect_out "ref v2"
expect_err "hint: 2 open opportunities of ref are on older versions: kanal workflow migrate ref --to 2"

# a step naming what only version 2 has: which version the opportunity follows, how to move it
how="which opportunity $ref_a follows (it is in version 2: kanal workflow migrate ref --to 2 --opp $ref_a)"
refuse 3 "lost reason 'price' is not in version 1 of 'ref', $how" \
    kanal lose "$ref_a" --reason price --as marcin
refuse 3 "goal 'terms_infographic' is not in version 1 of 'ref', $how" \
    kanal done "$ref_a" terms_infographic --as marcin
refuse 3 "activity type 'meeting' is not in version 1 of 'ref', $how" \
    kanal log "$ref_a" meeting --as marcin
refuse 3 "field 'fee_pct' is not in version 1 of 'ref', $how" \
    kanal set "$ref_a" fee_pct=15 --as marcin
refuse 3 "field 'fee_pct' is not in version 1 of 'ref', $how" \
    kanal done "$ref_a" first_contact --set fee_pct=15 --as marcin
# the manager, acting on it, is told the same
refuse 3 "lost reason 'price' is not in version 1 of 'ref', $how" \
    kanal lose "$ref_a" --reason price --as manny
# what no version has is the old message, naming the version followed
refuse 3 "unknown lost reason 'pricey' in version 1 of workflow 'ref', which opportunity $ref_a follows (known: unclear_terms, margin_too_low)" \
    kanal lose "$ref_a" --reason pricey --as marcin

# the dry run: per opportunity, what would change
db_snapshot
ok kanal workflow migrate ref --to 2 --dry-run
expect_out "$ref_a Biuro Rachunkowe Alfa (marcin): version 1 -> 2, stays in awareness
  to do in its stage: first_contact, terms_infographic
$ref_p Kancelaria Beta (marcin): version 1 -> 2, stays in proposal
  to do in its stage: offer_sent
  not required of it (their stages are behind it): terms_infographic
2 opportunities would move; nothing was changed (--dry-run)"
expect_err ""
expect_db_unchanged
db_snapshot
ok kanal workflow migrate ref --to 2 --dry-run --json
expect_out "{\"workflow\":\"ref\",\"to\":2,\"dry_run\":true,\"moved\":false,\"opportunities\":[{\"id\":$ref_a,\"partner\":\"Biuro Rachunkowe Alfa\",\"owner\":\"marcin\",\"from\":1,\"stage\":\"awareness\",\"to_stage\":\"awareness\",\"outstanding\":[\"first_contact\",\"terms_infographic\"],\"not_required\":[],\"gone\":[],\"problem\":null},{\"id\":$ref_p,\"partner\":\"Kancelaria Beta\",\"owner\":\"marcin\",\"from\":1,\"stage\":\"proposal\",\"to_stage\":\"proposal\",\"outstanding\":[\"offer_sent\"],\"not_required\":[\"terms_infographic\"],\"gone\":[],\"problem\":null}]}"
expect_db_unchanged
expect_version "$ref_a" 1

refuse 1 "only an admin may migrate opportunities (you are 'marcin')" \
    kanal workflow migrate ref --to 2 --as marcin
refuse 1 "only an admin may migrate opportunities (you are 'manny')" \
    kanal workflow migrate ref --to 2 --dry-run --as manny

# the migration
export KANAL_NOW=2026-11-13T12:00:00Z
ok kanal workflow migrate ref --to 2
expect_out "$ref_a Biuro Rachunkowe Alfa (marcin): version 1 -> 2, stays in awareness
  to do in its stage: first_contact, terms_infographic
$ref_p Kancelaria Beta (marcin): version 1 -> 2, stays in proposal
  to do in its stage: offer_sent
  not required of it (their stages are behind it): terms_infographic
2 opportunities moved to version 2 of ref"
expect_err ""
expect_version "$ref_a" 2
expect_version "$ref_p" 2
expect_sql "SELECT version FROM opportunities WHERE id = $ref_p" 2
ok kanal history "$ref_p" --json
expect_json '$.events[4].type' migrated
expect_json '$.events[4].actor' admin
expect_json '$.events[4].at' 2026-11-13T12:00:00Z
expect_json '$.events[4].version' 2
expect_json '$.events[4].data' '{"from_version":1,"to_version":2,"stage":"proposal","not_required":["terms_infographic"]}'
ok kanal history "$ref_a" --json
expect_json '$.events[1].type' migrated
expect_json '$.events[1].data.from_version' 1
expect_json '$.events[1].data.to_version' 2
expect_json '$.events[1].data.stage' awareness
checks=$((checks + 1)); [ -z "$(json_type '$.events[1].data.from_stage')" ] || fail "from_stage in an event that mapped no stage"
# the README lists not_required among the event's keys (only from_stage "when mapped")
expect_json '$.events[1].data.not_required' '[]'
ok kanal history "$ref_p"
expect_out_has "  5  2026-11-13 12:00  admin"
expect_out_has "migrated   from_version=1, to_version=2, stage=proposal, not_required=[\"terms_infographic\"]"

# opp show: the goal not required of the Proposal one, and to do for the other
ok kanal opp show "$ref_p" --json
expect_json '$.goals[1].id' terms_infographic
expect_json '$.goals[1].done' 0
expect_json '$.goals[1].not_required' 1
expect_json '$.goals[0].not_required' 0
ok kanal opp show "$ref_a" --json
expect_json '$.goals[1].id' terms_infographic
expect_json '$.goals[1].not_required' 0

# what version 2 has now works on them
export KANAL_NOW=2026-11-20T12:00:00Z
ok kanal set "$ref_p" fee_pct=18 --as marcin --at 2026-11-14T09:00
ok kanal log "$ref_p" meeting --as marcin --at 2026-11-14T10:00

# the Awareness one must send the infographic: it is to do, and it gates the stage
ok kanal next "$ref_a" --json --as marcin
expect_json '$.outstanding' '["first_contact","terms_infographic"]'
ok kanal next "$ref_a" --as marcin
expect_out_has "  [ ] terms_infographic  Terms infographic sent  — log email"
expect_out_has "       hint: Send the one-page infographic with the referral terms."
expect_out_has "to leave the stage: first_contact, terms_infographic"
ok kanal log "$ref_a" call --as marcin --at 2026-11-14T09:00
refuse 1 "cannot advance opportunity $ref_a: mandatory goal of stage 'awareness' not done: terms_infographic" \
    kanal advance "$ref_a" --as marcin --at 2026-11-14T10:00
ok kanal log "$ref_a" email --as marcin --at 2026-11-14T11:00
expect_out "opportunity $ref_a: logged email
terms_infographic completed"
ok kanal advance "$ref_a" --as marcin --at 2026-11-14T12:00
expect_out "opportunity $ref_a: now in stage proposal (2 of 3)"

# the Proposal one is not required to: it advances and is won
ok kanal next "$ref_p" --json --as marcin
expect_json '$.outstanding' '["offer_sent"]'
ok kanal log "$ref_p" email --as marcin --at 2026-11-15T09:00
ok kanal advance "$ref_p" --as marcin --at 2026-11-15T10:00
expect_out "opportunity $ref_p: now in stage launch (3 of 3)"
ok kanal done "$ref_p" activated --as marcin --at 2026-11-16T09:00
ok kanal win "$ref_p" --as marcin --at 2026-11-16T10:00
# the goals report: the infographic not required of the won one, not 'not done'
ok kanal report goals --workflow ref --json --as manny
expect_row goal terms_infographic '$.not_required' 1
expect_row goal terms_infographic '$.done' 1
expect_row goal terms_infographic '$.not_done_closed' 0
expect_row goal terms_infographic '$.not_done_won' 0
expect_row goal first_contact '$.not_required' 0
expect_row goal first_contact '$.done_won' 1
# the table counts them too: its footnote explains 'not required', so a column shows it
ok kanal report goals --workflow ref --as manny
expect_out_has "NOT REQUIRED"
# a migrated opportunity counts under its new version
ok kanal report compare --workflow ref --json --as manny
checks=$((checks + 1)); [ "$(sqlite3 :memory: "SELECT json_array_length(readfile('$T/.out'), '\$.rows')")" = 1 ] || fail "compare: not one row"
expect_json '$.rows[0].version' 2
expect_json '$.rows[0].opportunities' 2
expect_json '$.rows[0].won' 1
ok kanal report funnel --workflow ref --version 1 --json --as manny
expect_row stage awareness '$.entered' 0

# =====================================================================================
# pipe: migrate's refusals, all or none, selection, goals to do and not required,
# a mapped stage
# =====================================================================================
export KANAL_NOW=2026-11-20T12:00:00Z
for p in 1 2 3 4 5 6; do
    ok kanal partner add "Hurtownia $p" --type shop --as marcin
    ok kanal opp new --partner "Hurtownia $p" --workflow pipe --as marcin --at 2026-11-02T09:00
    eval "pipe$p=\$out"
done
# 1 in lead; 2 in pitch; 3 in deal; 4 in lead with fields v3 rejects; 5 won; 6 lost
ok kanal log "$pipe2" call --as marcin --at 2026-11-03T09:00
ok kanal advance "$pipe2" --as marcin --at 2026-11-04T09:00
ok kanal log "$pipe3" call --as marcin --at 2026-11-03T09:00
ok kanal advance "$pipe3" --as marcin --at 2026-11-04T09:00
ok kanal log "$pipe3" email --as marcin --at 2026-11-05T09:00
ok kanal advance "$pipe3" --as marcin --at 2026-11-06T09:00
ok kanal set "$pipe4" size=5 tier=bronze --as marcin --at 2026-11-03T09:00
ok kanal log "$pipe5" call --as marcin --at 2026-11-03T09:00
ok kanal advance "$pipe5" --as marcin --at 2026-11-04T09:00
ok kanal log "$pipe5" email --as marcin --at 2026-11-05T09:00
ok kanal advance "$pipe5" --as marcin --at 2026-11-06T09:00
ok kanal done "$pipe5" signed --as marcin --at 2026-11-07T09:00
ok kanal win "$pipe5" --as marcin --at 2026-11-07T10:00
ok kanal lose "$pipe6" --reason no_interest --as marcin --at 2026-11-03T09:00

export KANAL_NOW=2026-11-21T12:00:00Z
ok kanal workflow apply pipe_v2.yaml
expect_err "hint: 4 open opportunities of pipe are on older versions: kanal workflow migrate pipe --to 2"
export KANAL_NOW=2026-11-22T12:00:00Z
ok kanal workflow apply pipe_v3.yaml
expect_out "pipe v3"
expect_err "hint: 4 open opportunities of pipe are on older versions: kanal workflow migrate pipe --to 3"
ok kanal workflow diff pipe
expect_out "pipe: version 2 -> version 3
  - stage pitch removed: was stage 2 of 3
  + stage demo added: stage 2 of 3, 2 goals
  ~ goal pitched changed: stage: pitch -> demo
  ~ goal deck changed: stage: pitch -> demo
  ~ field size changed: type: integer -> enum; values: none -> small, large
  ~ field tier changed: values: gold, silver, bronze -> gold, silver
6 changes"
ok kanal workflow versions pipe --json
expect_json '$.versions[0].open' 4
expect_json '$.versions[0].won' 1
expect_json '$.versions[0].lost' 1
expect_json '$.versions[1].open' 0
expect_json '$.versions[2].open' 0

export KANAL_NOW=2026-11-23T12:00:00Z
# ---- refusals: each with its exit code, and nothing changed ------------------------------
refuse 3 "workflow 'pipe' has no version 4 (its versions are 1 to 3)" kanal workflow migrate pipe --to 4
refuse 3 "workflow 'pipe' has no version 4 (its versions are 1 to 3)" kanal workflow migrate pipe --to 2 --from 4
refuse 3 "unknown workflow 'pipes' (did you mean 'pipe'?)" kanal workflow migrate pipes --to 2
refuse 1 "only an admin may migrate opportunities (you are 'marcin')" kanal workflow migrate pipe --to 2 --as marcin
refuse 2 "--map pitch=nowhere: version 3 of 'pipe' has no stage 'nowhere' (its stages: lead, demo, deal)" \
    kanal workflow migrate pipe --to 3 --map pitch=nowhere
# a malformed --map is a usage error like a malformed --to or --opp: the usage line follows
refuse_usage "--map takes OLD_STAGE=NEW_STAGE, not 'pitch'" kanal workflow migrate pipe --to 3 --map pitch
refuse_usage "--to N is required: the version to move to" kanal workflow migrate pipe
refuse 2 "--from and --to name the same version (2)" kanal workflow migrate pipe --to 2 --from 2
# a refused --opp prints the error only (nothing on stdout, as every refusal)
refuse 2 "opportunity $shop_a follows 'shop', not 'pipe'" kanal workflow migrate pipe --to 2 --opp "$shop_a"
refuse 1 "opportunity $pipe5 is closed (won): it stays on version 1 with its history" \
    kanal workflow migrate pipe --to 2 --opp "$pipe5"
refuse 1 "opportunity $pipe6 is closed (lost): it stays on version 1 with its history" \
    kanal workflow migrate pipe --to 2 --opp "$pipe1" --opp "$pipe6"
refuse 3 "no opportunity 999" kanal workflow migrate pipe --to 2 --opp 999

# a stage version 3 lacks, without a map, and field values its types reject: the lot refused
# and each listed
pipe_refused="$pipe1 Hurtownia 1 (marcin): version 1 -> 3, stays in lead
  to do in its stage: called, qualified
$pipe2 Hurtownia 2 (marcin): version 1 -> 3: cannot move: its stage 'pitch' is not in version 3: map it (--map pitch=STAGE)
$pipe3 Hurtownia 3 (marcin): version 1 -> 3, stays in deal
  to do in its stage: signed, kickoff
  not required of it (their stages are behind it): qualified, deck
$pipe4 Hurtownia 4 (marcin): version 1 -> 3: cannot move: field size = '5': invalid value '5' for field 'size'; one of: small, large; field tier = 'bronze': invalid value 'bronze' for field 'tier'; one of: gold, silver"
refuse_listed 1 "2 of 4 opportunities cannot move to version 3 of 'pipe' (listed above): nothing was migrated" \
    "$pipe_refused" kanal workflow migrate pipe --to 3
# the dry run says the same
refuse_listed 1 "2 of 4 opportunities cannot move to version 3 of 'pipe' (listed above): nothing was migrated" \
    "$pipe_refused" kanal workflow migrate pipe --to 3 --dry-run
db_snapshot
run kanal workflow migrate pipe --to 3 --json
expect_rc 1
expect_db_unchanged
expect_json '$.moved' 0
expect_json '$.dry_run' 0
expect_mig "$pipe2" '$.problem' "its stage 'pitch' is not in version 3: map it (--map pitch=STAGE)"
expect_mig "$pipe4" '$.problem' "field size = '5': invalid value '5' for field 'size'; one of: small, large; field tier = 'bronze': invalid value 'bronze' for field 'tier'; one of: gold, silver"
expect_mig "$pipe1" '$.problem' ''
# with the map, the fields alone still hold back the lot: all or none
refuse_listed 1 "1 of 4 opportunities cannot move to version 3 of 'pipe' (listed above): nothing was migrated" \
    "$pipe1 Hurtownia 1 (marcin): version 1 -> 3, stays in lead
  to do in its stage: called, qualified
$pipe2 Hurtownia 2 (marcin): version 1 -> 3, stage pitch -> demo
  to do in its stage: pitched, deck
  not required of it (their stages are behind it): qualified
$pipe3 Hurtownia 3 (marcin): version 1 -> 3, stays in deal
  to do in its stage: signed, kickoff
  not required of it (their stages are behind it): qualified, deck
$pipe4 Hurtownia 4 (marcin): version 1 -> 3: cannot move: field size = '5': invalid value '5' for field 'size'; one of: small, large; field tier = 'bronze': invalid value 'bronze' for field 'tier'; one of: gold, silver" \
    kanal workflow migrate pipe --to 3 --map pitch=demo
# two named, one of them blocked: neither moves
refuse_listed 1 "1 of 2 opportunities cannot move to version 3 of 'pipe' (listed above): nothing was migrated" \
    "$pipe1 Hurtownia 1 (marcin): version 1 -> 3, stays in lead
  to do in its stage: called, qualified
$pipe4 Hurtownia 4 (marcin): version 1 -> 3: cannot move: field size = '5': invalid value '5' for field 'size'; one of: small, large; field tier = 'bronze': invalid value 'bronze' for field 'tier'; one of: gold, silver" \
    kanal workflow migrate pipe --to 3 --opp "$pipe1" --opp "$pipe4"
expect_version "$pipe1" 1
expect_version "$pipe4" 1

# ---- --opp selects one ---------------------------------------------------------------------
db_snapshot
ok kanal workflow migrate pipe --to 2 --opp "$pipe1" --dry-run
expect_out "$pipe1 Hurtownia 1 (marcin): version 1 -> 2, stays in lead
  to do in its stage: called, qualified
1 opportunity would move; nothing was changed (--dry-run)"
expect_db_unchanged
ok kanal workflow migrate pipe --to 2 --opp "$pipe1"
expect_out "$pipe1 Hurtownia 1 (marcin): version 1 -> 2, stays in lead
  to do in its stage: called, qualified
1 opportunity moved to version 2 of pipe"
expect_version "$pipe1" 2
refuse 2 "opportunity $pipe1 is on version 2 already" kanal workflow migrate pipe --to 2 --opp "$pipe1"
expect_version "$pipe2" 1
expect_version "$pipe3" 1
expect_version "$pipe4" 1
ok kanal next "$pipe1" --json --as marcin
expect_json '$.outstanding' '["called","qualified"]'

# ---- --from selects a version: the rest of version 1 ---------------------------------------
export KANAL_NOW=2026-11-24T12:00:00Z
ok kanal workflow migrate pipe --to 2 --from 1 --json
expect_json '$.workflow' pipe
expect_json '$.to' 2
expect_json '$.dry_run' 0
expect_json '$.moved' 1
checks=$((checks + 1)); [ "$(json_len '$.opportunities')" = 3 ] || fail "--from 1 moved $(json_len '$.opportunities'), want 3"
expect_json_keys '$.opportunities[0]' id partner owner from stage to_stage outstanding not_required gone problem
expect_mig "$pipe2" '$.outstanding' '["pitched","deck"]'
expect_mig "$pipe2" '$.not_required' '["qualified"]'
expect_mig "$pipe3" '$.outstanding' '["signed","kickoff"]'
expect_mig "$pipe3" '$.not_required' '["qualified","deck"]'
expect_mig "$pipe4" '$.not_required' '[]'
for o in "$pipe2" "$pipe3" "$pipe4"; do expect_version "$o" 2; done
expect_version "$pipe5" 1
expect_version "$pipe6" 1
ok kanal workflow versions pipe --json
expect_json '$.versions[0].open' 0
expect_json '$.versions[0].won' 1
expect_json '$.versions[0].lost' 1
expect_json '$.versions[1].open' 4
# nothing older left: nothing to do
db_snapshot
ok kanal workflow migrate pipe --to 2
expect_out "no open opportunity of pipe to move to version 2"
expect_db_unchanged

# goals added to its stage are to do; those added to passed stages are not required
ok kanal next "$pipe3" --json --as marcin
expect_json '$.outstanding' '["signed","kickoff"]'
ok kanal next "$pipe2" --json --as marcin
expect_json '$.outstanding' '["pitched","deck"]'
ok kanal history "$pipe3" --json
expect_json '$.events[#-1].type' migrated
expect_json '$.events[#-1].data' '{"from_version":1,"to_version":2,"stage":"deal","not_required":["qualified","deck"]}'

# ---- version 3: the stage mapped, once the fields are fixed -------------------------------
export KANAL_NOW=2026-11-25T12:00:00Z
ok kanal set "$pipe4" size= tier=gold --as marcin --at 2026-11-25T09:00
db_snapshot
ok kanal workflow migrate pipe --to 3 --map pitch=demo --dry-run
expect_db_unchanged
ok kanal workflow migrate pipe --to 3 --map pitch=demo
expect_out "$pipe1 Hurtownia 1 (marcin): version 2 -> 3, stays in lead
  to do in its stage: called, qualified
$pipe2 Hurtownia 2 (marcin): version 2 -> 3, stage pitch -> demo
  to do in its stage: pitched, deck
  not required of it (their stages are behind it): qualified
$pipe3 Hurtownia 3 (marcin): version 2 -> 3, stays in deal
  to do in its stage: signed, kickoff
  not required of it (their stages are behind it): qualified, deck
$pipe4 Hurtownia 4 (marcin): version 2 -> 3, stays in lead
  to do in its stage: called, qualified
4 opportunities moved to version 3 of pipe"
ok kanal opp show "$pipe2" --json
expect_json '$.version' 3
expect_json '$.stage' demo
# the visit goes on: it entered the stage (as pitch) on 2026-11-04
expect_json '$.stage_entered_at' 2026-11-04T09:00:00Z
ok kanal history "$pipe2" --json
expect_json '$.events[#-1].data' '{"from_version":2,"to_version":3,"stage":"demo","from_stage":"pitch","not_required":["qualified"]}'
ok kanal next "$pipe2" --json --as marcin
expect_json '$.stage' demo
expect_json '$.days_in_stage' 21
expect_json '$.outstanding' '["pitched","deck"]'

# it leaves demo as it would have left pitch; the funnel has the visit under its new name
export KANAL_NOW=2026-11-28T12:00:00Z
ok kanal log "$pipe2" email --as marcin --at 2026-11-26T09:00
ok kanal done "$pipe2" deck --as marcin --at 2026-11-26T10:00
ok kanal advance "$pipe2" --as marcin --at 2026-11-26T11:00
expect_out "opportunity $pipe2: now in stage deal (3 of 3)"
ok kanal report funnel --workflow pipe --version 3 --json --as manny
expect_row stage demo '$.entered' 1
expect_row stage demo '$.advanced' 1
expect_row stage demo '$.median_days' 22.08
# pitch: the visit of 3, which left it before version 3 renamed it, stays as it was
expect_row stage pitch '$.entered' 1
ok kanal report funnel --workflow pipe --json --as manny
expect_row stage demo '$.entered' 1
expect_row stage demo '$.advanced' 1
# pitch: the visits of 3 and 5, which left it before it was renamed
expect_row stage pitch '$.entered' 2

# closed after the migration: the goals not required count as such, not as not done
ok kanal done "$pipe3" signed --as marcin --at 2026-11-27T09:00
ok kanal done "$pipe3" kickoff --as marcin --at 2026-11-27T10:00
ok kanal win "$pipe3" --as marcin --at 2026-11-27T11:00
ok kanal lose "$pipe2" --reason no_interest --as marcin --at 2026-11-27T12:00
ok kanal report goals --workflow pipe --version 3 --json --as manny
expect_row goal qualified '$.not_required' 2
expect_row goal qualified '$.done' 0
expect_row goal qualified '$.not_done_closed' 0
expect_row goal qualified '$.not_done_won' 0
expect_row goal deck '$.not_required' 1
expect_row goal deck '$.done' 1
expect_row goal deck '$.done_closed' 1
expect_row goal deck '$.not_done_closed' 0
expect_row goal kickoff '$.not_required' 0
expect_row goal kickoff '$.done_won' 1
expect_row goal kickoff '$.not_done_closed' 1
ok kanal report goals --workflow pipe --json --as manny
expect_row goal qualified '$.not_required' 2
expect_row goal deck '$.not_required' 1

# =====================================================================================
# seq: a goal not required of an opportunity does not hold back the goals after it
# =====================================================================================
export KANAL_NOW=2026-11-28T12:00:00Z
ok kanal partner add "Sklep Sekwencja" --type shop --as marcin
ok kanal opp new --partner "Sklep Sekwencja" --workflow seq --as marcin --at 2026-11-02T09:00
seq1=$out
ok kanal log "$seq1" call --as marcin --at 2026-11-03T09:00
ok kanal advance "$seq1" --as marcin --at 2026-11-03T10:00
ok kanal workflow apply seq_v2.yaml
ok kanal workflow migrate seq --to 2 --json
expect_mig "$seq1" '$.not_required' '["materials"]'
expect_mig "$seq1" '$.outstanding' '["offered"]'
# materials is of a stage it has passed: it can never be done now (done refuses a
# goal of another stage), so if offered waited for it the opportunity would be
# stuck for good, neither advanced nor won
run kanal done "$seq1" materials --as marcin
expect_rc 1
ok kanal next "$seq1" --json --as marcin
expect_json '$.next_goal' offered
expect_json '$.goals[0].ready' 1
ok kanal log "$seq1" email --as marcin
expect_out "opportunity $seq1: logged email
offered completed"
ok kanal win "$seq1" --as marcin
expect_out "opportunity $seq1: won"

# =====================================================================================
# brk: stuck on a broken version, recovered by migrating it to the fix
# =====================================================================================
ok kanal workflow apply brk_v2.yaml
expect_out "brk v2"
ok kanal partner add "Sklep Zepsuty" --type shop --as marcin
ok kanal opp new --partner "Sklep Zepsuty" --workflow brk --as marcin
brk1=$out
expect_version "$brk1" 2
refuse 4 "rules error in hook 'on_activity' (brk_broken.lua:4): attempt to call a nil value (global 'notify_the_manager')" \
    kanal log "$brk1" call --as marcin
ok kanal workflow apply brk_v3.yaml
expect_out "brk v3"
expect_err "hint: 1 open opportunity of brk is on older versions: kanal workflow migrate brk --to 3"
ok kanal workflow migrate brk --to 3 --opp "$brk1"
expect_out "$brk1 Sklep Zepsuty (marcin): version 2 -> 3, stays in contact
  to do in its stage: called
1 opportunity moved to version 3 of brk"
ok kanal log "$brk1" call --as marcin
expect_out "opportunity $brk1: logged call
called completed"
ok kanal history "$brk1" --json
expect_json '$.events[#-1].type' note
expect_json '$.events[#-1].data.text' "activity call logged"

# =====================================================================================
# retire
# =====================================================================================
export KANAL_NOW=2026-11-29T08:30:00Z
refuse 1 "only an admin may retire workflows (you are 'marcin')" kanal workflow retire brk --as marcin
refuse 1 "only an admin may retire workflows (you are 'manny')" kanal workflow retire brk --as manny
refuse 3 "unknown workflow 'brkk' (did you mean 'brk'?)" kanal workflow retire brkk
refuse_usage "missing ID" kanal workflow retire
ok kanal workflow retire brk
expect_out "brk retired"
expect_sql "SELECT count(*) FROM events WHERE type = 'workflow_retired'" 1
ok kanal workflow list --json
expect_json '$.workflows[0].workflow' brk
expect_json '$.workflows[0].retired_at' 2026-11-29T08:30:00Z
expect_json '$.workflows[1].retired_at' ''
ok kanal workflow list
expect_out_has "brk             3  Broken rules"
expect_out_has "2026-11-29 08:30"

export KANAL_NOW=2026-11-30T10:00:00Z
ok kanal partner add "Sklep Nowy" --type shop --as marcin
refuse 1 "workflow 'brk' was retired on 2026-11-29: no new opportunity follows it (an admin applies it again to bring it back)" \
    kanal opp new --partner "Sklep Nowy" --workflow brk --as marcin
refuse 1 "workflow 'brk' was retired on 2026-11-29 already (apply it to bring it back)" kanal workflow retire brk
# its open opportunities go on
ok kanal advance "$brk1" --as marcin
# apply brings it back, and the log says so (every change is an event: the current
# state can be rebuilt from the log, which holds the retirement); not 'unchanged'
n_events=$(sql "SELECT count(*) FROM events")
ok kanal workflow apply brk_v3.yaml
expect_out_lacks "(unchanged)"
expect_out "brk v3 (back in use: it had been retired)"
expect_sql "SELECT count(*) FROM events" $((n_events + 1))
expect_sql "SELECT count(*) FROM events WHERE type = 'workflow_restored'" 1
ok kanal workflow list --json
expect_json '$.workflows[0].retired_at' ''
ok kanal opp new --partner "Sklep Nowy" --workflow brk --as marcin
expect_version "$out" 3

finish
