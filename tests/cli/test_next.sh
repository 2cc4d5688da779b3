#!/bin/sh
# kanal next OPP (the current stage's goals in the order to do them) and
# kanal next (the acting user's agenda, the longest waiting first).
. "$KANAL_SOURCE_DIR/tests/cli/lifecycle.sh"

setup_db
ok kanal workflow apply "$FX/order.yaml" --as admin
export KANAL_USER=marcin
ok kanal partner add "Agencja Alfa" --type agency
ok kanal partner add "Dystrybucja Beta" --type distributor
ok kanal partner add "Agencja Gamma" --type agency
ok kanal partner add "Agencja Delta" --type agency
ok kanal partner add "Agencja Piotra" --type agency --as piotr
ok kanal opp new --partner "Agencja Alfa" --workflow tiny --at 2026-11-01T08:00:00Z          # 1
ok kanal opp new --partner "Dystrybucja Beta" --workflow distributors --at 2026-11-20T08:00:00Z  # 2
ok kanal opp new --partner "Agencja Gamma" --workflow tiny --at 2026-11-25T08:00:00Z         # 3
ok kanal opp new --partner "Agencja Delta" --workflow tiny --at 2026-10-01T08:00:00Z         # 4
ok kanal lose 4 --reason no_interest --at 2026-10-02T08:00:00Z
ok kanal opp new --partner "Agencja Piotra" --workflow tiny --at 2026-10-15T08:00:00Z --as piotr  # 5

# ---- next OPP ---------------------------------------------------------------------------------
ok kanal next 1 --json
expect_out '{"id":1,"status":"open","stage":"contact","days_in_stage":27,"stale":true,"can_advance":false,"can_win":false,"next_goal":"called","outstanding":["called","introduced","mailed","followed_up","classified"],"goals":[{"id":"called","name":"First call made","mandatory":true,"done":false,"ready":true,"blocked_by":[],"missing_fields":[],"completed_by":"call","hint":null},{"id":"introduced","name":"Introduced ourselves","mandatory":true,"done":false,"ready":true,"blocked_by":[],"missing_fields":[],"completed_by":"call","hint":null},{"id":"mailed","name":"Leaflet sent","mandatory":true,"done":false,"ready":true,"blocked_by":[],"missing_fields":[],"completed_by":"email","hint":"Send the leaflet before the follow-up call."},{"id":"followed_up","name":"Follow-up call","mandatory":true,"done":false,"ready":false,"blocked_by":["mailed"],"missing_fields":["notes"],"completed_by":"call","hint":null},{"id":"classified","name":"Form classified","mandatory":true,"done":false,"ready":true,"blocked_by":[],"missing_fields":["form"],"completed_by":null,"hint":null},{"id":"visited","name":"Office visited","mandatory":false,"done":false,"ready":true,"blocked_by":[],"missing_fields":[],"completed_by":null,"hint":null}]}'
expect_err ""
expect_json_keys '$' id stage can_advance outstanding goals
expect_json_keys '$.goals[0]' id name mandatory done ready blocked_by missing_fields hint

ok kanal next 1
expect_out "opportunity 1 · Agencja Alfa · tiny · stage contact (1 of 2), 27 days — stale
→ [ ] called       First call made  — log call
  [ ] introduced   Introduced ourselves  — log call
  [ ] mailed       Leaflet sent  — log email
       hint: Send the leaflet before the follow-up call.
  [ ] followed_up  Follow-up call  waits for mailed
  [ ] classified   Form classified  — needs form
  [ ] visited      Office visited (optional)
to leave the stage: called, introduced, mailed, followed_up, classified"

# step through the stage: what is next follows
ok kanal log 1 call --at 2026-11-02T08:00:00Z
ok kanal log 1 email --at 2026-11-03T08:00:00Z
ok kanal next 1 --json
expect_json '$.next_goal' followed_up
expect_json '$.outstanding' '["followed_up","classified"]'
expect_json '$.goals[0]' '{"id":"called","name":"First call made","mandatory":true,"done":true,"ready":false,"blocked_by":[],"missing_fields":[],"completed_by":"call","hint":null}'
expect_json '$.goals[3]' '{"id":"followed_up","name":"Follow-up call","mandatory":true,"done":false,"ready":true,"blocked_by":[],"missing_fields":["notes"],"completed_by":"call","hint":null}'
ok kanal next 1
expect_out_has "  [x] called       First call made  done 2026-11-02"
expect_out_has "→ [ ] followed_up  Follow-up call  — log call  — needs notes"
ok kanal set 1 "notes=Zainteresowani" form=resale --at 2026-11-04T08:00:00Z
ok kanal log 1 call --at 2026-11-05T08:00:00Z
ok kanal done 1 classified --at 2026-11-05T09:00:00Z
# only the optional goal is left: it is next, and the stage may be left
ok kanal next 1 --json
expect_json '$.next_goal' visited
expect_json '$.outstanding' '[]'
expect_json '$.can_advance' 1
expect_json '$.can_win' 0
ok kanal next 1
expect_out_has "ready to advance: kanal advance 1"
ok kanal advance 1 --at 2026-11-06T08:00:00Z
ok kanal next 1 --json
expect_json '$.stage' deal
expect_json '$.days_in_stage' 22
expect_json '$.stale' 0
expect_json '$.outstanding' '["signed","listed"]'
expect_json '$.goals[1].blocked_by' '["signed"]'
expect_json '$.goals[0].missing_fields' '["margin","signed_on"]'

# goals come in the order to do them, whatever their order in the file
ok kanal partner add "Agencja Porządek" --type agency
ok kanal opp new --partner "Agencja Porządek" --workflow order   # 6
ok kanal next 6 --json
expect_json '$.next_goal' a_first
expect_json '$.outstanding' '["a_first","m_mid","z_last"]'
expect_json '$.goals[0].id' a_first
expect_json '$.goals[1].id' m_mid
expect_json '$.goals[2].id' z_last
expect_json '$.goals[2].blocked_by' '["m_mid"]'
ok kanal log 6 call
ok kanal next 6 --json
expect_json '$.next_goal' m_mid
ok kanal done 6 m_mid
ok kanal done 6 z_last
ok kanal next 6 --json
expect_json '$.can_advance' 0
expect_json '$.can_win' 1
expect_json '$.next_goal' ""
ok kanal next 6
expect_out_has "ready to close: kanal win 6"

# a closed opportunity: nothing to do
ok kanal next 4 --json
expect_json '$.status' lost
expect_json '$.can_advance' 0
expect_json '$.can_win' 0
expect_json '$.next_goal' ""
ok kanal next 4
expect_out_has "closed: lost on 2026-10-02 (no_interest)"

refuse 1 "opportunity 5 belongs to 'piotr': you ('marcin') see only your own" kanal next 5
refuse 3 "no opportunity 77" kanal next 77
run kanal next x1
expect_rc 2
expect_err_has "kanal: error: 'x1' is not an opportunity id (a positive number)"
ok kanal next 5 --as manny

# ---- the agenda -----------------------------------------------------------------------------------
# marcin's open opportunities, the longest in its stage first; not the closed
# one, not piotr's.
ok kanal next --json
expect_json_valid
expect_json '$.opportunities[0]' '{"id":1,"partner":"Agencja Alfa","workflow":"tiny","stage":"deal","days_in_stage":22,"next_goal":"signed","next_step":"goal","stale":false,"next_contact_at":null,"overdue":false,"last_activity_at":"2026-11-05T08:00:00Z"}'
expect_json '$.opportunities[1]' '{"id":2,"partner":"Dystrybucja Beta","workflow":"distributors","stage":"awareness","days_in_stage":8,"next_goal":"first_contact","next_step":"goal","stale":false,"next_contact_at":null,"overdue":false,"last_activity_at":null}'
expect_json '$.opportunities[2]' '{"id":3,"partner":"Agencja Gamma","workflow":"tiny","stage":"contact","days_in_stage":3,"next_goal":"called","next_step":"goal","stale":false,"next_contact_at":null,"overdue":false,"last_activity_at":null}'
expect_json '$.opportunities[3].id' 6
expect_json '$.opportunities[4]' ""
expect_json_keys '$.opportunities[0]' id partner stage days_in_stage next_goal
ok kanal next
expect_out "ID  PARTNER           WORKFLOW      STAGE      DAYS  NEXT GOAL      NEXT STEP  STALE  NEXT CONTACT  OVERDUE  LAST ACTIVITY
 1  Agencja Alfa      tiny          deal         22  signed         goal       false  -             false    2026-11-05T08:00:00Z
 2  Dystrybucja Beta  distributors  awareness     8  first_contact  goal       false  -             false    -
 3  Agencja Gamma     tiny          contact       3  called         goal       false  -             false    -"'
 6  Agencja Porządek  order         only          0  -              win        false  -             false    2026-11-28T12:00:00Z'

# advancing moves an opportunity to the end of the queue (it entered its stage now)
ok kanal log 2 call
ok kanal done 2 classify --set cooperation_form=resale
ok kanal advance 2
ok kanal next --json
expect_json '$.opportunities[0].id' 1
expect_json '$.opportunities[1].id' 3
expect_json '$.opportunities[2].id' 2
expect_json '$.opportunities[3].id' 6
expect_json '$.opportunities[2].next_goal' send_materials

ok kanal next --as piotr --json
expect_out '{"opportunities":[{"id":5,"partner":"Agencja Piotra","workflow":"tiny","stage":"contact","days_in_stage":44,"next_goal":"called","next_step":"goal","stale":true,"next_contact_at":null,"overdue":false,"last_activity_at":null}]}'
# a manager's agenda holds the manager's own opportunities
ok kanal next --as manny --json
expect_out '{"opportunities":[]}'
ok kanal next --as manny
expect_out "no opportunities"
# a reassigned opportunity moves to the new owner's agenda
ok kanal reassign --from piotr --to marcin --as manny
ok kanal next --json
expect_json '$.opportunities[0].id' 5
ok kanal next --as piotr --json
expect_out '{"opportunities":[]}'

ok kanal next --help
expect_out_has "usage: kanal next [OPP]"

finish
