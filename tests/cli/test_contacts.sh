#!/bin/sh
# Who the rep talks to, and when: the next contact (kanal remind, --next on
# log and done), the agenda's next_contact_at, last_activity_at and overdue
# flag, and opp show's next contact, last activity and lost reason.
. "$KANAL_SOURCE_DIR/tests/cli/lifecycle.sh"

setup_db
export KANAL_USER=marcin
ok kanal partner add "Agencja Alfa" --type agency
ok kanal partner add "Agencja Beta" --type agency
ok kanal partner add "Agencja Gamma" --type agency
ok kanal partner add "Agencja Piotra" --type agency --as piotr
ok kanal opp new --partner "Agencja Alfa" --workflow tiny --at 2026-11-01T08:00:00Z    # 1
ok kanal opp new --partner "Agencja Beta" --workflow tiny --at 2026-11-10T08:00:00Z    # 2
ok kanal opp new --partner "Agencja Gamma" --workflow tiny --at 2026-11-20T08:00:00Z   # 3
ok kanal opp new --partner "Agencja Piotra" --workflow tiny --as piotr                 # 4

# ---- remind: refusals, each leaving the database as it was ------------------------------------
refuse 2 "next contact '2026-02-30': February 2026 has no day 30" kanal remind 1 2026-02-30
refuse 2 "next contact 'tomorrow': expected a date written YYYY-MM-DD" kanal remind 1 tomorrow
refuse_usage "missing OPP DATE" kanal remind 1
refuse 3 "no opportunity 42" kanal remind 42 2026-12-01
refuse 1 "opportunity 4 belongs to 'piotr': only its owner or a manager may change it" \
    kanal remind 4 2026-12-01
# a refused step sets no next contact: the step and the date are one transaction
refuse 3 "unknown activity type 'fax' in workflow 'tiny' (known: call, email, meeting)" \
    kanal log 1 fax --next 2026-12-01
refuse 2 "next contact '2026-13-01': expected a date written YYYY-MM-DD" \
    kanal log 1 call --next 2026-13-01
refuse 2 "next contact 'x': expected a date written YYYY-MM-DD" \
    kanal done 1 visited --next x

# ---- remind ---------------------------------------------------------------------------------
ok kanal remind 1 2026-12-05 --note "Send the price list" --at 2026-11-02T08:00:00Z
expect_out "opportunity 1: next contact 2026-12-05"
expect_err ""
expect_sql "SELECT type || ' ' || data FROM events WHERE opp_id = 1 ORDER BY seq DESC LIMIT 1" \
    'next_contact {"date":"2026-12-05","note":"Send the price list"}'
# a manager may set another's
ok kanal remind 4 2026-11-30 --as manny
expect_out "opportunity 4: next contact 2026-11-30"

# ---- --next on log and done ------------------------------------------------------------------
ok kanal log 2 call --note "Rozmowa" --next 2026-11-25 --at 2026-11-12T09:00:00Z
expect_out_has "opportunity 2: logged call"
expect_out_has "next contact 2026-11-25"
expect_sql "SELECT type || ' ' || data FROM events WHERE opp_id = 2 ORDER BY seq DESC LIMIT 1" \
    'next_contact {"date":"2026-11-25"}'
ok kanal done 3 visited --next 2026-11-27 --at 2026-11-21T09:00:00Z
expect_out "opportunity 3: visited done
opportunity 3: next contact 2026-11-27"
# a later date replaces the earlier one; the event keeps the previous
ok kanal remind 1 2026-12-10 --at 2026-11-03T08:00:00Z
expect_sql "SELECT data FROM events WHERE opp_id = 1 ORDER BY seq DESC LIMIT 1" \
    '{"date":"2026-12-10","previous":"2026-12-05"}'

# ---- history --------------------------------------------------------------------------------
ok kanal history 1 --json
expect_out_has '"type":"next_contact"'
expect_out_has '"date":"2026-12-10"'
ok kanal history 2
expect_out_has "next_contact"

# ---- the agenda: overdue first (the earliest first), then the longest in its stage ----------
ok kanal next --json
expect_json '$.opportunities[0].id' 2
expect_json '$.opportunities[0].next_contact_at' 2026-11-25
expect_json '$.opportunities[0].overdue' 1
expect_json '$.opportunities[0].last_activity_at' 2026-11-12T09:00:00Z
expect_json '$.opportunities[1].id' 3
expect_json '$.opportunities[1].overdue' 1
expect_json '$.opportunities[2]' '{"id":1,"partner":"Agencja Alfa","workflow":"tiny","stage":"contact","days_in_stage":27,"next_goal":"called","next_step":"goal","stale":true,"next_contact_at":"2026-12-10","overdue":false,"last_activity_at":null}'
expect_json '$.opportunities[3]' ""
expect_json_keys '$.opportunities[0]' id next_contact_at overdue last_activity_at
ok kanal next
expect_out "ID  PARTNER        WORKFLOW  STAGE    DAYS  NEXT GOAL  NEXT STEP  STALE  NEXT CONTACT  OVERDUE  LAST ACTIVITY
 2  Agencja Beta   tiny      contact    18  mailed     goal       true   2026-11-25    true     2026-11-12T09:00:00Z
 3  Agencja Gamma  tiny      contact     8  called     goal       true   2026-11-27    true     -
 1  Agencja Alfa   tiny      contact    27  called     goal       true   2026-12-10    false    -"
# due today is not overdue
ok kanal remind 3 2026-11-28
ok kanal next --json
expect_json '$.opportunities[0].id' 2
expect_json '$.opportunities[1].id' 1
expect_json '$.opportunities[2].id' 3
expect_json '$.opportunities[2].overdue' 0

# ---- opp show ------------------------------------------------------------------------------
ok kanal opp show 2 --json
expect_json '$.next_contact_at' 2026-11-25
expect_json '$.last_activity_at' 2026-11-12T09:00:00Z
expect_json '$.lost_reason_name' ""
ok kanal opp show 2
expect_out_has "contact   next 2026-11-25 · last activity 2026-11-12 09:00"
ok kanal lose 2 --reason no_interest --note "Chose a competitor"
ok kanal opp show 2 --json
expect_json '$.lost_reason' no_interest
expect_json '$.lost_reason_name' "No interest"
expect_json '$.lost_note' "Chose a competitor"
ok kanal opp show 2
expect_out_has "(no_interest: No interest)"
expect_out_has "note: Chose a competitor"
# a closed opportunity refuses a next contact
refuse 1 "opportunity 2 is closed (lost on 2026-11-28): it can no longer change" kanal remind 2 2026-12-01

# ---- kanal db copy keeps the next contact ---------------------------------------------------
COPY=$(new_db copy)
ok kanal db copy "$KANAL_DB" "$COPY" --as admin
ok kanal opp show 1 --json --db "$COPY"
expect_json '$.next_contact_at' 2026-12-10
ok kanal next --json --db "$COPY"
expect_json '$.opportunities[0].next_contact_at' 2026-12-10
expect_json '$.opportunities[1].next_contact_at' 2026-11-28

finish
