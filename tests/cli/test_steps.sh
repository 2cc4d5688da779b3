#!/bin/sh
# The rep's steps: done, set, log, advance, win, lose — each rule, each
# refusal with its exit code and message, and a refused step changes nothing.
. "$KANAL_SOURCE_DIR/tests/cli/lifecycle.sh"

setup_db
export KANAL_USER=marcin
ok kanal partner add "Agencja Alfa" --type agency
ok kanal partner add "Agencja Beta" --type agency
ok kanal partner add "Dystrybucja Polna" --type distributor
ok kanal opp new --partner "Agencja Alfa" --workflow tiny --at 2026-11-20T09:00:00Z   # 1
ok kanal opp new --partner "Agencja Beta" --workflow tiny --at 2026-11-20T09:00:00Z   # 2
ok kanal opp new --partner "Dystrybucja Polna" --workflow distributors                 # 3

# ---- done: refusals -------------------------------------------------------------------------
refuse 1 "goal 'signed' belongs to stage 'deal'; opportunity 1 is in stage 'contact'" kanal done 1 signed
refuse 1 "goal 'followed_up' must wait for: mailed" kanal done 1 followed_up
refuse 1 "goal 'classified' needs form set first: add --set form=VALUE" kanal done 1 classified
# the values of --set are not kept when the goal is refused
refuse 1 "goal 'classified' needs form set first: add --set form=VALUE" \
    kanal done 1 classified --set "notes=Zadzwonić" --note "x"
refuse 3 "unknown goal 'clasified' in workflow 'tiny' (did you mean 'classified'?)" kanal done 1 clasified
refuse 3 "unknown goal 'zzz' in workflow 'tiny' (the goals of stage 'contact': called, introduced, mailed, followed_up, classified, visited)" \
    kanal done 1 zzz
refuse 4 "invalid value 'wholesale' for field 'form'; one of: resale, referral" \
    kanal done 1 classified --set form=wholesale
refuse 3 "unknown field 'colour' in workflow 'tiny' (known: form, margin, skus, exclusive, signed_on, notes)" \
    kanal done 1 classified --set colour=red
refuse 2 "expected FIELD=VALUE, got 'form'" kanal done 1 classified --set form
refuse_usage "missing OPP GOAL" kanal done 1
refuse 3 "no opportunity 42" kanal done 42 classified

# ---- done ---------------------------------------------------------------------------------
ok kanal done 1 classified --set form=referral --note "Polecenia klientów" --at 2026-11-21T10:00:00Z
expect_out "opportunity 1: classified done"
expect_err ""
ok kanal opp show 1 --json
expect_json '$.fields.form' referral
expect_json '$.goals[4]' '{"id":"classified","stage":"contact","mandatory":true,"done":true,"done_at":"2026-11-21T10:00:00Z","not_required":false}'
expect_sql "SELECT type || ' ' || data FROM events WHERE opp_id = 1 ORDER BY seq DESC LIMIT 1" \
    'goal_done {"goal":"classified","stage":"contact","note":"Polecenia klientów"}'
# completing a goal already done changes nothing and exits 0
db_snapshot
ok kanal done 1 classified
expect_out "opportunity 1: classified was already done; nothing changed"
expect_err ""
expect_db_unchanged
# an optional goal may be done too
ok kanal done 1 visited --at 2026-11-21T10:00
expect_out "opportunity 1: visited done"

# ---- log ----------------------------------------------------------------------------------
refuse 3 "unknown activity type 'fax' in workflow 'tiny' (known: call, email, meeting)" kanal log 1 fax
refuse 3 "unknown activity type 'emial' in workflow 'tiny' (did you mean 'email'?)" kanal log 1 emial
refuse_usage "missing OPP ACTIVITY" kanal log 1
# one call completes both goals completed by a call, and says why not the third
ok kanal log 1 call --json --note "Pierwszy telefon" --at 2026-11-22T08:00:00+01:00
expect_out '{"activity":"call","completed":["called","introduced"],"not_completed":[{"goal":"followed_up","blocked_by":["mailed"],"missing_fields":["notes"],"refused":null}]}'
expect_err ""
expect_sql "SELECT at || ' ' || type || ' ' || actor || ' ' || note FROM activities WHERE opp_id = 1" \
    "2026-11-22T07:00:00Z call marcin Pierwszy telefon"
# an activity that completes nothing is still recorded
ok kanal log 1 meeting --at 2026-11-22T09:00:00Z
expect_out "opportunity 1: logged meeting"
ok kanal log 1 email --at 2026-11-22T10:00:00Z
expect_out "opportunity 1: logged email
mailed completed"
ok kanal log 1 call --at 2026-11-22T11:00:00Z
expect_out "opportunity 1: logged call
followed_up not completed: needs fields notes set"
ok kanal log 1 call --at 2026-11-22T11:00:00Z --json
expect_out '{"activity":"call","completed":[],"not_completed":[{"goal":"followed_up","blocked_by":[],"missing_fields":["notes"],"refused":null}]}'
expect_sql "SELECT count(*) FROM activities WHERE opp_id = 1" 5
# the issue's example, on the distributors workflow
ok kanal log 3 call
ok kanal done 3 classify --set cooperation_form=resale
ok kanal advance 3
ok kanal log 3 call
expect_out "opportunity 3: logged call
proposal_call not completed: needs send_materials first"

# ---- set ----------------------------------------------------------------------------------
refuse 4 "value 41 for field 'margin' is above its maximum 40" kanal set 1 margin=41
refuse 4 "value -1 for field 'margin' is below its minimum 0" kanal set 1 margin=-1
refuse 4 "invalid value 'abc' for field 'margin' (number): expected a number such as 12.5" kanal set 1 margin=abc
refuse 4 "invalid value '1.5' for field 'skus' (integer): expected a whole number such as 12" kanal set 1 skus=1.5
refuse 4 "value 0 for field 'skus' is below its minimum 1" kanal set 1 skus=0
refuse 4 "invalid value 'maybe' for field 'exclusive' (boolean): expected true or false" kanal set 1 exclusive=maybe
refuse 4 "invalid value '2026-02-30' for field 'signed_on' (date): February 2026 has no day 30" \
    kanal set 1 signed_on=2026-02-30
refuse 4 "invalid value '2026-11-1' for field 'signed_on' (date): expected a date written YYYY-MM-DD" \
    kanal set 1 signed_on=2026-11-1
refuse 4 "invalid value '12,500' for field 'margin' (number): a comma followed by three digits may be a thousands separator: write the number with a dot (12.5) or without it (12500)" \
    kanal set 1 margin=12,500
refuse 4 "invalid value 'resal' for field 'form' (did you mean 'resale'?); one of: resale, referral" kanal set 1 form=resal
refuse 3 "unknown field 'colour' in workflow 'tiny' (known: form, margin, skus, exclusive, signed_on, notes)" \
    kanal set 1 colour=red
refuse 2 "expected FIELD=VALUE, got 'notes'" kanal set 1 notes
refuse 2 "expected FIELD=VALUE, got '=x'" kanal set 1 =x
refuse_usage "missing OPP FIELD=VALUE..." kanal set 1
# all or nothing: a bad value keeps the good ones out too
refuse 4 "value 99 for field 'margin' is above its maximum 40" kanal set 1 "notes=Oddzwonić" margin=99
ok kanal set 1 margin=12.50 skus=+3 exclusive=no signed_on=2026-11-01 "notes=Oddzwonić w piątek" --at 2026-11-23T08:00:00Z
expect_out_has "opportunity 1: skus = 3"
expect_out_has "opportunity 1: margin = 12.5"
expect_out_has "opportunity 1: exclusive = false"
expect_out_has "opportunity 1: notes = Oddzwonić w piątek"
ok kanal opp show 1 --json
expect_json '$.fields' '{"form":"referral","margin":12.5,"skus":3,"exclusive":false,"signed_on":"2026-11-01","notes":"Oddzwonić w piątek"}'
# the same value again is no change and no event
db_snapshot
ok kanal set 1 margin=12.5
expect_db_unchanged
# FIELD= clears it
ok kanal set 1 exclusive= --at 2026-11-23T08:30:00Z
expect_out "opportunity 1: exclusive cleared"
ok kanal opp show 1 --json
expect_json '$.fields.exclusive' ""
expect_json '$.fields' '{"form":"referral","margin":12.5,"skus":3,"exclusive":null,"signed_on":"2026-11-01","notes":"Oddzwonić w piątek"}'
expect_sql "SELECT data FROM events WHERE opp_id = 1 ORDER BY seq DESC LIMIT 1" \
    '{"field":"exclusive","value":null,"previous":"false"}'
ok kanal log 1 call --json --at 2026-11-23T09:00:00Z
expect_out '{"activity":"call","completed":["followed_up"],"not_completed":[]}'

# ---- advance --------------------------------------------------------------------------------
refuse 1 "cannot advance opportunity 2: mandatory goals of stage 'contact' not done: called, introduced, mailed, followed_up, classified" \
    kanal advance 2
refuse 1 "time 2026-11-23T08:59:00Z is before the latest event of opportunity 1 (2026-11-23T09:00:00Z)" \
    kanal advance 1 --at 2026-11-23T08:59:00Z
refuse 4 "time '2026-11-29T00:00:00Z' is in the future (now is 2026-11-28T12:00:00Z)" \
    kanal advance 1 --at 2026-11-29T00:00:00Z
refuse 4 "invalid time '2026/11/28': use ISO 8601, such as 2026-03-01, 2026-03-01T10:00 or 2026-03-01T10:00:00Z" \
    kanal advance 1 --at 2026/11/28
ok kanal advance 1 --at 2026-11-28T10:00:00Z
expect_out "opportunity 1: now in stage deal (2 of 2)"
ok kanal opp show 1 --json
expect_json '$.stage' deal
expect_json '$.stage_entered_at' 2026-11-28T10:00:00Z
refuse 1 "'deal' is the last stage: close the opportunity with 'kanal win 1' (or 'kanal lose')" kanal advance 1
refuse_usage "missing OPP" kanal advance

# ---- win ----------------------------------------------------------------------------------
refuse 1 "opportunity 2 is in stage 'contact': it can be won only from the last stage, 'deal'" kanal win 2
refuse 1 "cannot win opportunity 1: mandatory goals of stage 'deal' not done: signed, listed" kanal win 1
refuse 1 "goal 'listed' must wait for: signed" kanal done 1 listed
ok kanal done 1 signed --at 2026-11-28T10:30:00Z
refuse 1 "cannot win opportunity 1: mandatory goal of stage 'deal' not done: listed" kanal win 1
ok kanal done 1 listed --at 2026-11-28T10:45:00Z
refuse 1 "time 2026-11-28T10:44:00Z is before the latest event of opportunity 1 (2026-11-28T10:45:00Z)" \
    kanal win 1 --at 2026-11-28T10:44:00Z
refuse 4 "time '2026-11-28T13:00:00Z' is in the future (now is 2026-11-28T12:00:00Z)" \
    kanal win 1 --at 2026-11-28T13:00:00Z
refuse 4 "invalid time '11:00': use ISO 8601, such as 2026-03-01, 2026-03-01T10:00 or 2026-03-01T10:00:00Z" \
    kanal win 1 --at 11:00
ok kanal win 1 --at 2026-11-28T11:00:00Z
expect_out "opportunity 1: won"
ok kanal opp show 1 --json
expect_json '$.status' won
expect_json '$.closed_at' 2026-11-28T11:00:00Z
expect_json '$.lost_reason' ""

# ---- closed opportunities refuse every change ----------------------------------------------------
closed="opportunity 1 is closed (won on 2026-11-28): it can no longer change"
refuse 1 "$closed" kanal done 1 signed
refuse 1 "$closed" kanal set 1 margin=10
refuse 1 "$closed" kanal log 1 call
refuse 1 "$closed" kanal advance 1
refuse 1 "$closed" kanal win 1
refuse 1 "$closed" kanal lose 1 --reason no_interest
refuse 1 "$closed" kanal done 1 signed --as manny

# ---- lose ---------------------------------------------------------------------------------
refuse_usage "missing --reason R: one of no_interest (No interest), other (Other; needs --note)" kanal lose 2
refuse_usage "missing --reason R" kanal lose 999
refuse 3 "unknown lost reason 'bored' in workflow 'tiny' (known: no_interest, other)" kanal lose 2 --reason bored
refuse 1 "lost reason 'other' needs a note: add --note TEXT" kanal lose 2 --reason other
refuse 1 "lost reason 'other' needs a note: add --note TEXT" kanal lose 2 --reason other --note ""
ok kanal lose 2 --reason other --note "Partner zmienił profil" --at 2026-11-25
expect_out "opportunity 2: lost (other)"
ok kanal opp show 2 --json
expect_json '$.status' lost
expect_json '$.lost_reason' other
expect_json '$.closed_at' 2026-11-25T00:00:00Z
expect_json '$.stage' contact
expect_sql "SELECT type || ' ' || data FROM events WHERE opp_id = 2 ORDER BY seq DESC LIMIT 1" \
    'lost {"stage":"contact","reason":"other","note":"Partner zmienił profil"}'
refuse 1 "opportunity 2 is closed (lost on 2026-11-25): it can no longer change" kanal log 2 call

# ---- --at -------------------------------------------------------------------------------------
ok kanal partner add "Agencja Gamma" --type agency
ok kanal opp new --partner "Agencja Gamma" --workflow tiny --at 2026-11-10T10:00:00Z   # 4
ok kanal log 4 meeting --at 2026-11-12T10:00:00Z
early="time 2026-11-11T00:00:00Z is before the latest event of opportunity 4 (2026-11-12T10:00:00Z)"
refuse 1 "$early" kanal log 4 call --at 2026-11-11
refuse 1 "$early" kanal done 4 classified --set form=resale --at 2026-11-11
refuse 1 "$early" kanal set 4 form=resale --at 2026-11-11
refuse 1 "$early" kanal lose 4 --reason no_interest --at 2026-11-11
refuse 1 "time 2026-11-12T09:59:59Z is before the latest event of opportunity 4 (2026-11-12T10:00:00Z)" \
    kanal log 4 call --at 2026-11-12T10:59:59+01:00
future="time '2026-11-29' is in the future (now is 2026-11-28T12:00:00Z)"
refuse 4 "$future" kanal log 4 call --at 2026-11-29
refuse 4 "$future" kanal set 4 form=resale --at 2026-11-29
refuse 4 "$future" kanal done 4 classified --set form=resale --at 2026-11-29
refuse 4 "$future" kanal lose 4 --reason no_interest --at 2026-11-29
bad() { echo "invalid time '$1': use ISO 8601, such as 2026-03-01, 2026-03-01T10:00 or 2026-03-01T10:00:00Z"; }
refuse 4 "invalid time '2026-11-31': November 2026 has no day 31" kanal log 4 call --at 2026-11-31
refuse 4 "invalid time '2026-02-29T10:00': February 2026 has no day 29" kanal log 4 call --at 2026-02-29T10:00
for t in 2026-11-3x 28.11.2026 2026-11-28T25:00 "2026-11-28 noon" 2026-11-28T10:00:00+99:00 ""; do
    refuse 4 "$(bad "$t")" kanal log 4 call --at "$t"
done
# the same time as the latest event is fine; an offset is stored as UTC
ok kanal log 4 call --at 2026-11-12T11:00:00+01:00
ok kanal history 4 --json
expect_json '$.events[#-1].at' 2026-11-12T10:00:00Z
ok kanal log 4 email --at 2026-11-13T10:00
ok kanal history 4 --json
expect_json '$.events[#-1].at' 2026-11-13T10:00:00Z
# without --at: now
ok kanal log 4 meeting
ok kanal history 4 --json
expect_json '$.events[#-1].at' 2026-11-28T12:00:00Z

# ---- who may change an opportunity -----------------------------------------------------------------
theirs="opportunity 4 belongs to 'marcin': only its owner or a manager may change it"
refuse 1 "$theirs" kanal done 4 classified --set form=resale --as piotr
refuse 1 "$theirs" kanal set 4 form=resale --as piotr
refuse 1 "$theirs" kanal log 4 call --as piotr
refuse 1 "$theirs" kanal advance 4 --as piotr
refuse 1 "$theirs" kanal win 4 --as piotr
refuse 1 "$theirs" kanal lose 4 --reason no_interest --as piotr
refuse 1 "$theirs" kanal log 4 call --as admin
refuse 1 "$theirs" kanal log 4 call --as dario
# a manager acts on every opportunity, and is recorded as the actor
ok kanal done 4 classified --set form=resale --as manny
expect_out "opportunity 4: classified done"
ok kanal history 4 --json
expect_json '$.events[#-1].actor' manny
expect_json '$.events[#-1].type' goal_done
# an enum value in another case is the value as defined; a decimal comma is a point;
# what set prints is what was stored
ok kanal set 4 form=REFERRAL margin=12,75 --as manny
expect_out "opportunity 4: form = referral
opportunity 4: margin = 12.75"
ok kanal opp show 4 --json
expect_json '$.fields.form' referral
expect_json '$.fields.margin' 12.75

# ---- help ---------------------------------------------------------------------------------------
for c in done set log advance win lose; do
    ok kanal "$c" --help
    expect_out_has "usage: kanal $c OPP"
done

finish
