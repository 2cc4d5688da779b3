#!/bin/sh
# Lua rules, hook by hook (issue 4): a veto and an allow for each guard, the
# effects of each reaction, the API a hook sees, the read-only views, and that
# a refused or failed command leaves the database exactly as it was.
. "$KANAL_SOURCE_DIR/tests/cli/lifecycle.sh"
RX=$SRC/tests/fixtures/rules

# line_of TEXT: the line of hooks.lua holding TEXT (exactly one must).
line_of() {
    _n=$(grep -c -F -- "$1" "$RX/hooks.lua")
    if [ "$_n" != 1 ]; then
        echo "line_of: '$1' is on $_n lines of hooks.lua" >&2
        failures=$((failures + 1))
    fi
    grep -n -F -- "$1" "$RX/hooks.lua" | head -1 | cut -d: -f1
}
hook_line() { line_of "  $1 = function("; }
TAB=$(printf '\t')

ok kanal init --admin admin --name "Ada Admin"
export KANAL_USER=admin
ok kanal user add rita --name "Rita Rep" --role channel_rep
ok kanal workflow apply "$RX/hooks.yaml"
expect_out "hooks v1"
export KANAL_USER=rita
ok kanal partner add "Agencja Alfa" --type agency --city Kraków   # 1
ok kanal partner add "Veto Agency" --type agency                  # 2
ok kanal partner add "Agencja Beta" --type agency --city Nowhere  # 3
ok kanal partner add "Agencja Gamma" --type agency                # 4

# ---- can_create / on_create -------------------------------------------------------------------
# veto: exit 1, the line where the hook is defined; the partner is not claimed
refuse 1 "refused by rules (hooks.lua:$(hook_line can_create)): no opportunities for Veto Agency" \
    kanal opp new --partner "Veto Agency" --workflow hooks
ok kanal partner show "Veto Agency" --json
expect_json '$.owner' ""
# --verbose shows kanal.log lines; in can_create opp.id is nil, and the
# opportunity is not stored yet: kanal.open_count does not count it
db_snapshot
run kanal opp new --partner "Veto Agency" --workflow hooks --verbose
expect_rc 1
expect_err "rules: hooks.lua: can_create${TAB}nil${TAB}Veto Agency${TAB}0
kanal: error: refused by rules (hooks.lua:$(hook_line can_create)): no opportunities for Veto Agency"
expect_db_unchanged
# allow; on_create sets a field and writes a note, both with the rule as source
ok kanal opp new --partner "Agencja Alfa" --workflow hooks --at 2026-11-20T09:00:00Z
expect_out 1
expect_err ""
ok kanal opp show 1 --json
expect_json '$.fields.created_on' 2026-11-20
ok kanal history 1 --json
expect_json '$.events[1].type' field_set
expect_json '$.events[1].data' '{"field":"created_on","value":"2026-11-20","previous":null,"source":"rules:hooks.lua:on_create"}'
expect_json '$.events[2].type' note
expect_json '$.events[2].data' '{"text":"created for rita (id 1)","source":"rules:hooks.lua:on_create"}'
expect_json '$.events[3]' ""
ok kanal opp new --partner "Agencja Beta" --workflow hooks --at 2026-11-20T09:00:00Z    # 2
ok kanal opp new --partner "Agencja Gamma" --workflow hooks --at 2026-11-20T09:00:00Z   # 3

# ---- on_activity, on_complete, and can_complete on the way of an activity ---------------------
ok kanal log 1 call --note "first call" --at 2026-11-21T10:00:00Z
expect_out "opportunity 1: logged call
called completed"
expect_err ""
ok kanal history 1 --json
expect_json '$.events[#-2].data' '{"text":"completed called in contact","source":"rules:hooks.lua:on_complete"}'
expect_json '$.events[#-1].data' '{"text":"call by rita at 2026-11-21T10:00:00Z: first call","source":"rules:hooks.lua:on_activity"}'
# the activity table: no note is nil
ok kanal log 1 email --at 2026-11-21T11:00:00Z
ok kanal history 1 --json
expect_json '$.events[#-1].data' '{"text":"email by rita at 2026-11-21T11:00:00Z: nil","source":"rules:hooks.lua:on_activity"}'
# can_complete refuses a goal an activity would complete: the activity stays,
# the goal is undone, and log says why (README: "with the rule's reason")
ok kanal log 2 call --at 2026-11-21T10:00:00Z
expect_out_has "opportunity 2: logged call"
expect_out_has "called not completed"
expect_out_has "nobody answers in Nowhere"
expect_sql "SELECT count(*) FROM activities WHERE opp_id = 2" 1
ok kanal log 2 call --json --at 2026-11-21T10:05:00Z
expect_out_has '"completed":[]'
expect_out_has "nobody answers in Nowhere"
ok kanal opp show 2 --json
expect_json '$.goals[0].done' 0
refuse 1 "refused by rules (hooks.lua:$(hook_line can_complete)): nobody answers in Nowhere" kanal done 2 called

# ---- can_complete with its values ---------------------------------------------------------------
refuse 1 "refused by rules (hooks.lua:$(hook_line can_complete)): goal scored needs a score of 50 (got 40)" \
    kanal done 1 scored --set score=40 --at 2026-11-22T10:00:00Z
ok kanal opp show 1 --json
expect_json '$.fields.score' ""
ok kanal done 1 scored --set score=50 --at 2026-11-22T10:00:00Z
expect_out "opportunity 1: scored done"
ok kanal history 1 --json
expect_json '$.events[#-1].data' '{"text":"completed scored in contact","source":"rules:hooks.lua:on_complete"}'
# values are typed like opp.fields; fields not set along are nil
ok kanal done 3 poke --set notes=values --set score=70 --set margin=5 --set exclusive=false \
    --set signed_on=2026-11-02 --set form=resale --at 2026-11-22T10:00:00Z
expect_out "opportunity 3: poke done"
expect_err "hint: values notes:string score:integer margin:float exclusive:boolean signed_on:string form:string"
ok kanal done 2 poke --set notes=values --at 2026-11-22T10:00:00Z
expect_err "hint: values notes:string score:nil margin:nil exclusive:nil signed_on:nil form:nil"

# ---- the API, seen from on_activity ---------------------------------------------------------------
ok kanal set 1 margin=12 exclusive=true signed_on=2026-11-02 form=resale --at 2026-11-22T11:00:00Z
run kanal log 1 email --note probe --verbose --at 2026-11-23T10:00:00Z
expect_rc 0
expect_out "opportunity 1: logged email"
expect_err "rules: hooks.lua: probed${TAB}1${TAB}contact
hint: now 2026-11-23T10:00:00Z
hint: days_between 22 -22
hint: open_count 3 3 0 0
hint: user rita|Rita Rep|channel_rep|true
hint: user nobody nil
hint: opp 1 hooks v1 contact open 2026-11-20T09:00:00Z 2026-11-20T09:00:00Z
hint: owner rita|Rita Rep|channel_rep partner 1|Agencja Alfa|agency|Kraków|rita
hint: done called=true scored=true
hint: goals called/contact/true/true@2026-11-21T10:00:00Z scored/contact/true/true@2026-11-22T10:00:00Z poke/contact/false/false signed/deal/true/false
hint: activities call@2026-11-21T10:00:00Z/rita/first call email@2026-11-21T11:00:00Z/rita/nil email@2026-11-23T10:00:00Z/rita/probe
hint: calls 1 emails 2
hint: days_in_stage 3
hint: fields score=50:integer margin=12.0:float exclusive=true:boolean notes=nil:nil signed_on=2026-11-02:string form=resale:string entered=nil:nil"
# without --verbose the log is not shown; the hints are
run kanal log 1 email --note probe --at 2026-11-23T10:30:00Z
expect_rc 0
expect_err_has "hint: now 2026-11-23T10:30:00Z"
case "$err" in *rules:*) checks=$((checks + 1)); fail "kanal.log shown without --verbose" ;; *) checks=$((checks + 1)) ;; esac
# kanal.now() is the step's time, not the clock
ok kanal log 1 email --note probe
expect_err_has "hint: now 2026-11-28T12:00:00Z"
expect_err_has "hint: days_in_stage 8"

# ---- what a guard may not do: exit 4, nothing stored ------------------------------------------------
refuse 4 "rules error in hook 'can_complete' (hooks.lua:$(line_of 'assign_stage = function')): cannot change 'stage': it is read-only" \
    kanal done 1 poke --set notes=assign_stage
refuse 4 "rules error in hook 'can_complete' (hooks.lua:$(line_of 'assign_field = function')): cannot change 'score': it is read-only" \
    kanal done 1 poke --set notes=assign_field
refuse 4 "rules error in hook 'can_complete' (hooks.lua:$(line_of 'add_method = function')): cannot change 'approve': it is read-only" \
    kanal done 1 poke --set notes=add_method
refuse 4 "rules error in hook 'can_complete' (hooks.lua:$(line_of 'assign_values = function')): cannot change 'score': it is read-only" \
    kanal done 1 poke --set notes=assign_values
refuse 4 "rules error in hook 'can_complete' (hooks.lua:$(line_of 'set_in_guard = function')): opp:set is allowed only in reactions (on_...), not in the guard 'can_complete'" \
    kanal done 1 poke --set notes=set_in_guard
refuse 4 "rules error in hook 'can_complete' (hooks.lua:$(line_of 'note_in_guard = function')): opp:note is allowed only in reactions (on_...), not in the guard 'can_complete'" \
    kanal done 1 poke --set notes=note_in_guard
refuse 4 "rules error in hook 'can_complete' (hooks.lua:$(line_of 'unknown_goal = function')): unknown goal 'nope' in workflow 'hooks'" \
    kanal done 1 poke --set notes=unknown_goal
# bad return values
refuse 4 "rules error in hook 'can_complete' (hooks.lua:$(hook_line can_complete)): it refused without a reason (return false, \"why\")" \
    kanal done 1 poke --set notes=no_reason
refuse 4 "rules error in hook 'can_complete' (hooks.lua:$(hook_line can_complete)): a guard returns true, or false and a reason (it returned a number)" \
    kanal done 1 poke --set notes=number
run kanal done 1 poke --set notes=reason_table
expect_rc 4
expect_err_has "rules error in hook 'can_complete' (hooks.lua:$(hook_line can_complete)):"
# --verbose adds the traceback to a rules error
db_snapshot
run kanal done 1 poke --set notes=assign_stage --verbose
expect_rc 4
expect_err_has "kanal: error: rules error in hook 'can_complete' (hooks.lua:$(line_of 'assign_stage = function')): cannot change 'stage': it is read-only"
expect_err_has "stack traceback:"
expect_err_has "hooks.lua:$(line_of 'assign_stage = function'): in "
expect_db_unchanged
run kanal done 1 poke --set notes=assign_stage
case "$err" in *traceback*) checks=$((checks + 1)); fail "a traceback without --verbose" ;; *) checks=$((checks + 1)) ;; esac
# kanal.log and print in a guard that refuses: shown with --verbose, before the error
db_snapshot
run kanal done 1 poke --set notes=log --verbose
expect_rc 1
expect_err "rules: hooks.lua: guard${TAB}of${TAB}1
rules: hooks.lua: print goes to the log too
kanal: error: refused by rules (hooks.lua:$(hook_line can_complete)): logged and refused"
expect_db_unchanged
refuse 1 "refused by rules (hooks.lua:$(hook_line can_complete)): logged and refused" \
    kanal done 1 poke --set notes=log

# ---- what a reaction may not do: exit 4, nothing stored ----------------------------------------------
# a Lua error after opp:set (and after the note) in on_complete: all rolled back
refuse 4 "rules error in hook 'on_complete' (hooks.lua:$(line_of 'error("failing after opp:set")')): failing after opp:set" \
    kanal done 1 poke --set notes=fail_after_set
ok kanal opp show 1 --json
expect_json '$.fields.form' resale
expect_json '$.fields.notes' ""
expect_json '$.goals[2].done' 0
refuse 4 "rules error in hook 'on_complete' (hooks.lua:$(hook_line on_complete)): a reaction returns nothing (it returned a string; to refuse a step, write a can_... guard)" \
    kanal done 1 poke --set notes=return_value
# opp:set is checked like kanal set; the error keeps its exit code (invalid value: 4)
refuse 4 "rules error in hook 'on_complete' (hooks.lua:$(line_of 'opp:set("score", 101)')): value 101 for field 'score' is above its maximum 100" \
    kanal done 1 poke --set notes=bad_set

# ---- can_advance, on_exit, on_enter ----------------------------------------------------------------------
ok kanal done 3 scored --set score=80 --at 2026-11-22T12:00:00Z
ok kanal log 3 call --at 2026-11-22T12:30:00Z
refuse 1 "refused by rules (hooks.lua:$(hook_line can_advance)): contact -> deal needs exclusive" \
    kanal advance 3
ok kanal set 3 exclusive=true notes=fail_on_enter --at 2026-11-22T13:00:00Z
# a table as the error value, after opp:set in on_exit and on_enter: rolled back
refuse 4 "rules error in hook 'on_enter' (hooks.lua:$(hook_line on_enter)): (error object is a table value)" \
    kanal advance 3 --at 2026-11-23T09:00:00Z
ok kanal opp show 3 --json
expect_json '$.stage' contact
expect_json '$.fields.entered' ""
expect_json '$.fields.exited' ""
ok kanal set 3 notes= --at 2026-11-23T09:00:00Z
ok kanal advance 3 --at 2026-11-23T10:00:00Z
expect_err ""
ok kanal opp show 3 --json
expect_json '$.stage' deal
expect_json '$.fields.exited' contact
expect_json '$.fields.entered' deal
ok kanal history 3 --json
# on_exit runs before the stage changes, on_enter after
expect_json '$.events[#-3].data' '{"field":"exited","value":"contact","previous":null,"source":"rules:hooks.lua:on_exit"}'
expect_json '$.events[#-2].type' advanced
expect_json '$.events[#-1].data' '{"field":"entered","value":"deal","previous":null,"source":"rules:hooks.lua:on_enter"}'

# ---- can_win, on_won ----------------------------------------------------------------------------------------
ok kanal done 3 signed --at 2026-11-23T11:00:00Z
refuse 1 "refused by rules (hooks.lua:$(hook_line can_win)): margin 5.0 is below 10" kanal win 3
ok kanal set 3 margin=9.5 --at 2026-11-23T11:00:00Z
refuse 1 "refused by rules (hooks.lua:$(hook_line can_win)): margin 9.5 is below 10" kanal win 3
ok kanal set 3 margin=10 --at 2026-11-23T11:00:00Z
ok kanal win 3 --at 2026-11-24T08:00:00Z
expect_err ""
ok kanal opp show 3 --json
expect_json '$.status' won
ok kanal history 3 --json
expect_json '$.events[#-2].type' won
expect_json '$.events[#-1].data' '{"text":"won on 2026-11-24T08:00:00Z from deal","source":"rules:hooks.lua:on_won"}'

# ---- can_lose, on_lost ---------------------------------------------------------------------------------------
refuse 1 "refused by rules (hooks.lua:$(hook_line can_lose)): too early to give up on Agencja Beta" \
    kanal lose 2 --reason too_early
ok kanal lose 2 --reason no_interest --at 2026-11-24T09:00:00Z
expect_err ""
ok kanal history 2 --json
expect_json '$.events[#-2].type' lost
expect_json '$.events[#-1].data' '{"text":"lost: no_interest (lost, no_interest)","source":"rules:hooks.lua:on_lost"}'
ok kanal opp show 2 --json
expect_json '$.status' lost

# ---- hints come after the command's own output, once per command ---------------------------------------
ok kanal log 1 email --note probe
expect_out "opportunity 1: logged email"
expect_err_has "hint: open_count 1 1 0 0"

finish
