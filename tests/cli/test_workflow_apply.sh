#!/bin/sh
# kanal workflow apply|list|show: definitions live in the database, with
# versions; opportunities stay on the version they were created with, and
# editing a file changes nothing until it is applied.
. "$KANAL_SOURCE_DIR/tests/cli/lifecycle.sh"

run kanal workflow apply "$WF/distributors.yaml" --as admin
expect_rc 3
expect_err "kanal: error: $(no_db) (run 'kanal init')"

ok kanal init --admin admin --name "Ada Admin"
export KANAL_USER=admin
ok kanal user add manny --name "Manny Manager" --role manager
ok kanal user add marcin --name "Marcin Nowak" --role channel_rep

# ---- nothing applied yet ----------------------------------------------------------
ok kanal workflow list
expect_out "no workflows"
ok kanal workflow list --json
expect_out '{"workflows":[]}'
refuse 3 "unknown workflow 'distributors' (no workflow is applied yet: an admin runs 'kanal workflow apply')" \
    kanal workflow show distributors

# ---- who may apply ----------------------------------------------------------------
refuse 1 "only an admin may apply workflows (you are 'manny')" \
    kanal workflow apply "$WF/distributors.yaml" --as manny
refuse 1 "only an admin may apply workflows (you are 'marcin')" \
    kanal workflow apply "$WF/distributors.yaml" --as marcin
refuse_usage "missing FILE..." kanal workflow apply

# ---- invalid files: the errors of 'check', exit 4, nothing applied ----------------------
cat >bad.yaml <<'YAML'
workflow: Bad
name: Bad one
partner_types: [distributor]
activity_types:
  - id: call
    name: Call
lost_reasons:
  - id: other
    name: Other
stages:
  - id: s1
    name: S1
    goals:
      - id: g1
        name: G1
        completed_bz: call
YAML
run kanal workflow check bad.yaml
expect_rc 4
check_err=$err
db_snapshot
run kanal workflow apply "$WF/wholesale.yaml" bad.yaml
expect_rc 4
expect_err "$check_err"
expect_db_unchanged
ok kanal workflow list --json
expect_out '{"workflows":[]}'

db_snapshot
run kanal workflow apply "$WF/wholesale.yaml" missing.yaml
expect_rc 4
expect_err "missing.yaml: error: cannot read the file: No such file or directory"
expect_db_unchanged

# one workflow given twice in one apply
cp "$WF/wholesale.yaml" copy.yaml
db_snapshot
run kanal workflow apply "$WF/wholesale.yaml" copy.yaml
expect_rc 4
expect_err "copy.yaml: error: workflow 'wholesale' is also defined in '$WF/wholesale.yaml': apply one of them"
expect_db_unchanged

# ---- apply -------------------------------------------------------------------------
cp "$WF/distributors.yaml" dist.yaml
cp "$WF/distributors.lua" .   # its rules file, named relative to it
ok kanal workflow apply dist.yaml "$WF/referral_partners.yaml" "$WF/wholesale.yaml"
expect_out "distributors v1
referral_partners v1
wholesale v1"
expect_err ""
expect_sql "SELECT count(*) FROM events WHERE type = 'workflow_applied'" 3

# unchanged content: a no-op that reports the current version
db_snapshot
ok kanal workflow apply dist.yaml "$WF/wholesale.yaml"
expect_out "distributors v1 (unchanged)
wholesale v1 (unchanged)"
expect_db_unchanged

ok kanal workflow list --json
expect_out '{"workflows":[{"workflow":"distributors","version":1,"name":"Distributor acquisition","applied_at":"2026-11-28T12:00:00Z","applied_by":"admin","open":0,"retired_at":null},{"workflow":"referral_partners","version":1,"name":"Referral partner acquisition","applied_at":"2026-11-28T12:00:00Z","applied_by":"admin","open":0,"retired_at":null},{"workflow":"wholesale","version":1,"name":"Wholesale and retail listing","applied_at":"2026-11-28T12:00:00Z","applied_by":"admin","open":0,"retired_at":null}]}'
ok kanal workflow list --as marcin
expect_out "WORKFLOW           VERSION  NAME                          APPLIED           BY     OPEN  RETIRED
distributors             1  Distributor acquisition       2026-11-28 12:00  admin     0  -
referral_partners        1  Referral partner acquisition  2026-11-28 12:00  admin     0  -
wholesale                1  Wholesale and retail listing  2026-11-28 12:00  admin     0  -"

# ---- show ---------------------------------------------------------------------------
ok kanal workflow show distributors --as marcin
expect_out_has "distributors — Distributor acquisition (v1)"
expect_out_has "applied 2026-11-28 12:00 by admin from dist.yaml"
ok kanal workflow show distributors --json
expect_json_valid
expect_json_keys '$' workflow version name partner_types owner_roles activity_types lost_reasons fields stages
expect_json '$.workflow' distributors
expect_json '$.version' 1
expect_json '$.owner_roles' '["channel_rep"]'
expect_json '$.stages[0].goals[0]' '{"id":"first_contact","name":"First contact made","mandatory":true,"after":[],"completed_by":"call","requires_fields":[],"hint":null}'
expect_json '$.stages[1].goals[1].after' '["send_materials"]'
expect_json '$.lost_reasons[4]' '{"id":"other","name":"Other","note_required":true}'
v1_json=$out

refuse 3 "unknown workflow 'distributor' (did you mean 'distributors'?)" kanal workflow show distributor
refuse 3 "unknown workflow 'zzz' (known: distributors, referral_partners, wholesale)" kanal workflow show zzz
refuse 3 "workflow 'distributors' has no version 2 (the latest is v1)" kanal workflow show distributors --version 2
refuse_usage "invalid version 'x': a number from 1" kanal workflow show distributors --version x
refuse_usage "invalid version '0': a number from 1" kanal workflow show distributors --version 0
refuse_usage "missing ID" kanal workflow show

# ---- the engine runs from the stored text, not from the file ---------------------------
ok kanal partner add "Hurtownia Stara" --type wholesaler --as marcin
ok kanal opp new --partner "Hurtownia Stara" --workflow distributors --as marcin
old=$out
# Edit the file (a new mandatory goal in awareness) without applying it.
awk '{ print } /^    max_days: 14$/ { getline; print; print "      - id: infographic"; print "        name: Terms infographic sent"; print "        completed_by: email" }' \
    "$WF/distributors.yaml" >dist.yaml
run grep -c 'id: infographic$' dist.yaml
expect_out 1
ok kanal workflow check dist.yaml
db_snapshot
ok kanal workflow show distributors --json
expect_out "$v1_json"
ok kanal next "$old" --json --as marcin
expect_json '$.outstanding' '["first_contact","classify"]'
ok kanal opp new --partner "Hurtownia Stara" --workflow wholesale --as marcin
ok kanal opp show "$out" --json --as marcin
expect_json '$.version' 1
ok kanal log "$old" call --as marcin
ok kanal done "$old" classify --set cooperation_form=resale --as marcin
ok kanal advance "$old" --as marcin
expect_out "opportunity $old: now in stage proposal (2 of 3)"

# ---- applying the change makes v2; old opportunities stay on v1 ----------------------
ok kanal workflow apply dist.yaml
expect_out "distributors v2"
ok kanal workflow list --json
expect_json '$.workflows[0].version' 2
expect_json '$.workflows[0].open' 1
ok kanal workflow show distributors --json
expect_json '$.version' 2
expect_json '$.stages[0].goals[0].id' infographic
ok kanal workflow show distributors --version 1 --json
expect_out "$v1_json"
refuse 3 "workflow 'distributors' has no version 3 (the latest is v2)" kanal workflow show distributors --version 3

ok kanal partner add "Hurtownia Nowa" --type wholesaler --as marcin
ok kanal opp new --partner "Hurtownia Nowa" --workflow distributors --as marcin
new=$out
ok kanal opp show "$old" --json --as marcin
expect_json '$.version' 1
expect_json '$.goals[0].id' first_contact
ok kanal opp show "$new" --json --as marcin
expect_json '$.version' 2
expect_json '$.goals[0].id' infographic
ok kanal opp list --json --as marcin --workflow distributors
expect_json '$.opportunities[0].version' 1
expect_json '$.opportunities[1].version' 2
# the new version's goal binds only the new opportunity
ok kanal log "$new" call --as marcin
run kanal done "$new" classify --set cooperation_form=resale --as marcin
refuse 1 "cannot advance opportunity $new: mandatory goal of stage 'awareness' not done: infographic" \
    kanal advance "$new" --as marcin
ok kanal log "$new" email --json --as marcin
expect_out '{"activity":"email","completed":["infographic"],"not_completed":[]}'
ok kanal advance "$new" --as marcin
# events carry the version of their opportunity
expect_sql "SELECT DISTINCT version FROM events WHERE opp_id = $old" 1
expect_sql "SELECT DISTINCT version FROM events WHERE opp_id = $new" 2

# applying the old text again is a change too: v3, the same as v1
ok kanal workflow apply "$WF/distributors.yaml"
expect_out "distributors v3"
expect_sql "SELECT count(*) FROM workflow_versions WHERE workflow = 'distributors'" 3
expect_sql "SELECT count(DISTINCT hash) FROM workflow_versions WHERE workflow = 'distributors'" 2

# the rules file is part of the definition: stored with it, and a change to
# it alone is a new version
cp "$WF/distributors.yaml" dist.yaml
ok kanal workflow apply dist.yaml
expect_out "distributors v3 (unchanged)"
ok kanal workflow show distributors --json
expect_json '$.rules' distributors.lua
expect_sql_file "SELECT rules FROM workflow_versions WHERE workflow = 'distributors' AND version = 3" "$WF/distributors.lua"
echo "-- a comment added later" >>distributors.lua
ok kanal workflow apply dist.yaml
expect_out "distributors v4"
expect_sql_file "SELECT rules FROM workflow_versions WHERE workflow = 'distributors' AND version = 4" distributors.lua

finish
