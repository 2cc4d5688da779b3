#!/bin/sh
# kanal opp new|list|show: creating an opportunity and the rules that guard
# it (partner types, owner roles, one owner per partner, one open opportunity
# per partner per workflow); who sees what; the JSON shapes.
. "$KANAL_SOURCE_DIR/tests/cli/lifecycle.sh"

setup_db
export KANAL_USER=marcin
ok kanal partner add "Agencja Alfa" --type agency           # 1
ok kanal partner add "Dystrybucja Beta" --type distributor  # 2
ok kanal partner add "Sklep Gamma" --type shop              # 3
ok kanal partner add "Hurtownia Delta" --type wholesaler --as dario  # 4

# ---- new ----------------------------------------------------------------------------------
ok kanal opp new --partner "Agencja Alfa" --workflow tiny --at 2026-11-20T09:30:00Z
expect_out 1
expect_err ""
# creating it made marcin the partner's owner
expect_sql "SELECT owner FROM partners WHERE id = 1" marcin

ok kanal opp show 1 --json
expect_out '{"id":1,"partner":{"id":1,"name":"Agencja Alfa","type":"agency"},"workflow":"tiny","version":1,"owner":"marcin","status":"open","stage":"contact","stage_entered_at":"2026-11-20T09:30:00Z","created_at":"2026-11-20T09:30:00Z","closed_at":null,"lost_reason":null,"lost_reason_name":null,"lost_note":null,"next_contact_at":null,"last_activity_at":null,"contacts":[],"fields":{"form":null,"margin":null,"skus":null,"exclusive":null,"signed_on":null,"notes":null},"goals":[{"id":"called","stage":"contact","mandatory":true,"done":false,"done_at":null,"not_required":false},{"id":"introduced","stage":"contact","mandatory":true,"done":false,"done_at":null,"not_required":false},{"id":"mailed","stage":"contact","mandatory":true,"done":false,"done_at":null,"not_required":false},{"id":"followed_up","stage":"contact","mandatory":true,"done":false,"done_at":null,"not_required":false},{"id":"classified","stage":"contact","mandatory":true,"done":false,"done_at":null,"not_required":false},{"id":"visited","stage":"contact","mandatory":false,"done":false,"done_at":null,"not_required":false},{"id":"signed","stage":"deal","mandatory":true,"done":false,"done_at":null,"not_required":false},{"id":"listed","stage":"deal","mandatory":true,"done":false,"done_at":null,"not_required":false}]}'

ok kanal opp new --partner 2 --workflow distributors --json
expect_out '{"id":2}'
ok kanal opp show 2 --json
expect_json '$.stage' awareness
expect_json '$.created_at' 2026-11-28T12:00:00Z
expect_json '$.partner' '{"id":2,"name":"Dystrybucja Beta","type":"distributor"}'

# the same partner in another workflow is another opportunity
ok kanal opp new --partner "Dystrybucja Beta" --workflow tiny
expect_out 3

# a workflow without owner_roles takes any user
ok kanal opp new --partner "Hurtownia Delta" --workflow wholesale --as dario
expect_out 4

# ---- new: refusals ---------------------------------------------------------------------------
refuse_usage "missing --partner P" kanal opp new --workflow tiny
refuse_usage "missing --workflow W" kanal opp new --partner 1
refuse_usage "unexpected argument 'extra'" kanal opp new --partner 1 --workflow tiny extra
refuse 3 "no partner 'Nieznany' (name a partner by its id or its exact name)" \
    kanal opp new --partner Nieznany --workflow tiny
refuse 3 "no partner 'sklep gama' (name a partner by its id or its exact name)" \
    kanal opp new --partner "sklep gama" --workflow wholesale
refuse 3 "unknown workflow 'whole_sale' (did you mean 'wholesale'?)" \
    kanal opp new --partner 3 --workflow whole_sale
refuse 3 "unknown workflow 'nope' (known: distributors, referral_partners, tiny, wholesale)" \
    kanal opp new --partner 3 --workflow nope
# the partner's type must be one the workflow takes
refuse 1 "partner 'Sklep Gamma' is of type 'shop'; workflow 'distributors' takes distributor, wholesaler" \
    kanal opp new --partner "Sklep Gamma" --workflow distributors
# the owner must hold one of owner_roles: the direct-sales rep is kept out
refuse 1 "'dario' may not own opportunities of workflow 'distributors': it needs the role channel_rep ('dario' has direct_sales)" \
    kanal opp new --partner "Hurtownia Delta" --workflow distributors --as dario
refuse 1 "'manny' may not own opportunities of workflow 'tiny': it needs the role channel_rep ('manny' has manager)" \
    kanal opp new --partner "Agencja Alfa" --workflow tiny --as manny
# two reps never work the same partner
refuse 1 "partner 'Agencja Alfa' is owned by marcin (Marcin Nowak): two reps never work the same partner (a manager can reassign it)" \
    kanal opp new --partner "Agencja Alfa" --workflow referral_partners --as piotr
refuse 1 "partner 'Hurtownia Delta' is owned by dario (Dario Direct): two reps never work the same partner (a manager can reassign it)" \
    kanal opp new --partner 4 --workflow distributors
# one open opportunity per partner per workflow
refuse 1 "partner 'Agencja Alfa' already has an open opportunity in workflow 'tiny' (1)" \
    kanal opp new --partner "Agencja Alfa" --workflow tiny
refuse 1 "partner 'Dystrybucja Beta' already has an open opportunity in workflow 'distributors' (2)" \
    kanal opp new --partner 2 --workflow distributors --as manny --owner marcin
# only a manager names another owner
refuse 1 "only a manager may create opportunities for someone else (you are 'marcin')" \
    kanal opp new --partner 3 --workflow wholesale --owner piotr
refuse 3 "unknown user 'ghost'" kanal opp new --partner 3 --workflow wholesale --owner ghost --as manny
# times
refuse 4 "time '2026-12-01T00:00:00Z' is in the future (now is 2026-11-28T12:00:00Z)" \
    kanal opp new --partner 3 --workflow wholesale --at 2026-12-01T00:00:00Z
refuse 4 "invalid time 'yesterday': use ISO 8601, such as 2026-03-01, 2026-03-01T10:00 or 2026-03-01T10:00:00Z" \
    kanal opp new --partner 3 --workflow wholesale --at yesterday
# the partner stays unowned after all these refusals
expect_sql "SELECT coalesce(owner, 'nobody') FROM partners WHERE id = 3" nobody

# a manager creates one for a rep
ok kanal opp new --partner "Sklep Gamma" --workflow wholesale --as manny --owner piotr
expect_out 5
expect_sql "SELECT owner FROM partners WHERE id = 3" piotr
ok kanal user add gone --name "Gone Rep" --role channel_rep --as admin
ok kanal partner add "Agencja Omega" --type agency --as gone
ok kanal user deactivate gone --as admin
refuse 1 "user 'gone' is deactivated" \
    kanal opp new --partner "Agencja Omega" --workflow tiny --as manny --owner gone

# after an opportunity closes, the partner may have a new one in that workflow
ok kanal lose 1 --reason no_interest
ok kanal opp new --partner "Agencja Alfa" --workflow tiny
expect_out 6

# ---- show ----------------------------------------------------------------------------------
ok kanal set 6 form=resale margin=12.5 skus=3 exclusive=yes signed_on=2026-11-01 "notes=Dzwonić rano"
ok kanal log 6 call
ok kanal opp show 6 --json
expect_json '$.fields' '{"form":"resale","margin":12.5,"skus":3,"exclusive":true,"signed_on":"2026-11-01","notes":"Dzwonić rano"}'
expect_json '$.goals[0]' '{"id":"called","stage":"contact","mandatory":true,"done":true,"done_at":"2026-11-28T12:00:00Z","not_required":false}'
ok kanal opp show 1 --json
expect_json '$.status' lost
expect_json '$.lost_reason' no_interest
expect_json '$.closed_at' 2026-11-28T12:00:00Z
expect_json_keys '$' id partner workflow version owner status stage stage_entered_at created_at closed_at lost_reason fields goals
expect_json_keys '$.partner' id name type
expect_json_keys '$.goals[0]' id stage mandatory done done_at

ok kanal opp show 6
expect_out_has "opportunity 6 — Agencja Alfa (agency)
workflow  tiny v1
owner     marcin
status    open
stage     contact (1 of 2) since 2026-11-28 12:00"
expect_out_has "  notes                  Dzwonić rano"
expect_out_has "    [x] called                 2026-11-28 12:00"
expect_out_has "    [ ] visited                (optional)"
ok kanal opp show 1
expect_out_has "status    lost on 2026-11-28 12:00 (no_interest: No interest)"

# reps see only their own; managers (and admins) see all
refuse 1 "opportunity 6 belongs to 'marcin': you ('piotr') see only your own" kanal opp show 6 --as piotr
ok kanal opp show 6 --as manny
ok kanal opp show 6 --as admin
refuse 3 "no opportunity 99" kanal opp show 99
db_snapshot
run kanal opp show abc
expect_rc 2
expect_err_has "kanal: error: 'abc' is not an opportunity id (a positive number)"
expect_db_unchanged
run kanal opp show 0
expect_rc 2

# ---- list ----------------------------------------------------------------------------------
ok kanal opp list --json
expect_out '{"opportunities":[{"id":1,"partner":"Agencja Alfa","workflow":"tiny","version":1,"owner":"marcin","status":"lost","stage":"contact","days_in_stage":8,"created_at":"2026-11-20T09:30:00Z","closed_at":"2026-11-28T12:00:00Z","lost_reason":"no_interest","next_contact_at":null,"last_activity_at":null},{"id":2,"partner":"Dystrybucja Beta","workflow":"distributors","version":1,"owner":"marcin","status":"open","stage":"awareness","days_in_stage":0,"created_at":"2026-11-28T12:00:00Z","closed_at":null,"lost_reason":null,"next_contact_at":null,"last_activity_at":null},{"id":3,"partner":"Dystrybucja Beta","workflow":"tiny","version":1,"owner":"marcin","status":"open","stage":"contact","days_in_stage":0,"created_at":"2026-11-28T12:00:00Z","closed_at":null,"lost_reason":null,"next_contact_at":null,"last_activity_at":null},{"id":6,"partner":"Agencja Alfa","workflow":"tiny","version":1,"owner":"marcin","status":"open","stage":"contact","days_in_stage":0,"created_at":"2026-11-28T12:00:00Z","closed_at":null,"lost_reason":null,"next_contact_at":null,"last_activity_at":"2026-11-28T12:00:00Z"}]}'
ok kanal opp list
expect_out "ID  PARTNER           WORKFLOW      V  OWNER   STATUS  STAGE      DAYS  CREATED           CLOSED            LOST REASON  NEXT CONTACT  LAST ACTIVITY
 1  Agencja Alfa      tiny          1  marcin  lost    contact       8  2026-11-20 09:30  2026-11-28 12:00  no_interest  -             -
 2  Dystrybucja Beta  distributors  1  marcin  open    awareness     0  2026-11-28 12:00  -                 -            -             -
 3  Dystrybucja Beta  tiny          1  marcin  open    contact       0  2026-11-28 12:00  -                 -            -             -
 6  Agencja Alfa      tiny          1  marcin  open    contact       0  2026-11-28 12:00  -                 -            -             2026-11-28 12:00"
ok kanal opp list --mine --status open --workflow tiny --json
expect_json '$.opportunities[0].id' 3
expect_json '$.opportunities[1].id' 6
expect_json '$.opportunities[2].id' ""
ok kanal opp list --status lost --json
expect_json '$.opportunities[0].id' 1
expect_json '$.opportunities[1].id' ""
ok kanal opp list --stage awareness --json
expect_json '$.opportunities[0].id' 2
expect_json '$.opportunities[1].id' ""
# a filter naming nothing that exists is a typo, not an empty list
refuse 3 "unknown stage 'awarenes' in any workflow (did you mean 'awareness'?)" kanal opp list --stage awarenes
refuse 3 "unknown stage 'awareness' in workflow 'tiny' (known: contact, deal)" kanal opp list --stage awareness --workflow tiny
refuse 3 "unknown workflow 'tinny' (did you mean 'tiny'?)" kanal opp list --workflow tinny
refuse 3 "unknown user 'marcn' (did you mean 'marcin'?)" kanal opp list --owner marcn --as admin
ok kanal opp list --status won
expect_out "no opportunities"
ok kanal opp list --status won --json
expect_out '{"opportunities":[]}'
ok kanal opp list --as piotr --json
expect_json '$.opportunities[0].id' 5
expect_json '$.opportunities[1].id' ""
ok kanal opp list --as dario --json
expect_json '$.opportunities[0].id' 4
expect_json '$.opportunities[1].id' ""
# the manager sees all, and filters by owner
ok kanal opp list --as manny --json
expect_json '$.opportunities[#-1].id' 6
expect_json '$.opportunities[5].id' 6
ok kanal opp list --as manny --owner piotr --json
expect_json '$.opportunities' '[{"id":5,"partner":"Sklep Gamma","workflow":"wholesale","version":1,"owner":"piotr","status":"open","stage":"contact","days_in_stage":0,"created_at":"2026-11-28T12:00:00Z","closed_at":null,"lost_reason":null,"next_contact_at":null,"last_activity_at":null}]'
ok kanal opp list --as manny --mine
expect_out "no opportunities"
refuse 1 "you ('marcin') see only your own opportunities" kanal opp list --owner piotr
run kanal opp list --mine --owner piotr --as manny
expect_rc 2
expect_err "kanal: error: --mine and --owner piotr contradict"
run kanal opp list --status closed
expect_rc 2
expect_err "kanal: error: invalid status 'closed': use open, won or lost"

# ---- help ----------------------------------------------------------------------------------
for c in new list show; do
    ok kanal opp "$c" --help
    expect_out_has "usage: kanal opp $c"
done

finish
