#!/bin/sh
# Rules files at `workflow check` and `workflow apply` (issue 4): names that
# are not hooks (with a suggestion), hooks that are not functions, syntax
# errors, a chunk that does not return a table, bytecode, errors and broken
# limits while loading, the limits key; and that apply stores the rules text.
. "$KANAL_SOURCE_DIR/tests/cli/lifecycle.sh"
RX=$SRC/tests/fixtures/rules
cp "$RX"/check/*.lua .

# wf NAME [LIMITS]: NAME.yaml, a one-stage workflow whose rules are NAME.lua.
wf() {
    cat >"$1.yaml" <<EOF
workflow: $1
name: Checking $1
partner_types: [agency]
owner_roles: [channel_rep]
rules: $1.lua
${2:-}
activity_types:
  - id: call
    name: Phone call
lost_reasons:
  - id: no_interest
    name: No interest
fields:
  - id: margin
    name: Margin (%)
    type: number
stages:
  - id: deal
    name: Deal
    goals:
      - id: called
        name: Called
        completed_by: call
EOF
}
# bad NAME 'ERRORS' [LIMITS]: check exits 4 with exactly ERRORS on stderr, nothing on stdout.
bad() {
    wf "$1" "${3:-}"
    run kanal workflow check "$1.yaml"
    expect_rc 4
    expect_err "$2"
    expect_out ""
}

# ---- what check reports --------------------------------------------------------------------------
bad unknown_hook "unknown_hook.lua:4: error: unknown hook 'can_advanse' (did you mean 'can_advance'?)"
bad unknown_far "unknown_far.lua:3: error: unknown hook 'on_payday' (hooks: can_create, can_complete, can_advance, can_win, can_lose, on_create, on_complete, on_activity, on_enter, on_exit, on_won, on_lost, commission)"
bad not_function "not_function.lua: error: hook 'can_win' must be a function, not a boolean"
bad syntax "syntax.lua:4: error: unexpected symbol near 'then'"
bad no_return "no_return.lua: error: the rules file must return a table of hooks (it returned nil)"
bad returns_number "returns_number.lua: error: the rules file must return a table of hooks (it returned number)"
bad load_error "load_error.lua:3: error: attempt to perform arithmetic on a nil value (local 'MAX')"
bad key_number "key_number.lua:3: error: the table of hooks has a key that is not a name (a number)"
# the sandbox and the API hold while loading too
bad load_io "load_io.lua:2: error: attempt to index a nil value (global 'io')"
bad load_api "load_api.lua:2: error: kanal.open_count can only be called inside a hook"
# the workflow's limits hold while loading (and the message names them)
bad load_loop "load_loop.lua:2: error: instruction limit exceeded (100000 instructions to load the rules; raise limits.instructions in the workflow if the rules need more)" \
    "limits: {instructions: 100000, memory_mb: 8}"
# the default limits (when kanal runs slower, under valgrind, ten million
# instructions outlast the default 2 seconds: the time limit is longer then)
slow_time=
[ "$SLOW" -eq 1 ] || slow_time="limits: {time_ms: $((2000 * SLOW))}"
bad load_loop "load_loop.lua:2: error: instruction limit exceeded (10000000 instructions to load the rules; raise limits.instructions in the workflow if the rules need more)" "$slow_time"
bad load_memory "load_memory.lua: error: memory limit exceeded (8 MiB; raise limits.memory_mb in the workflow if the rules need more)" \
    "limits: {instructions: 100000, memory_mb: 8}"
bad load_memory "load_memory.lua: error: memory limit exceeded (64 MiB; raise limits.memory_mb in the workflow if the rules need more)"
# every problem of the file, sorted by line like a definition's (the one
# without a line first), the same on every run (Lua's table order is not)
MANY="many.lua: error: hook 'on_won' must be a function, not a string
many.lua:4: error: unknown hook 'can_advanse' (did you mean 'can_advance'?)
many.lua:7: error: unknown hook 'on_complet' (did you mean 'on_complete'?)"
bad many "$MANY"
_differ=0
for _ in 1 2 3 4 5 6 7 8; do
    run kanal workflow check many.yaml
    [ "$err" = "$MANY" ] || _differ=$((_differ + 1))
done
checks=$((checks + 1))
[ "$_differ" = 0 ] || fail "the errors came in another order in $_differ of 8 runs"
# text only: bytecode is refused, with or without a NUL byte in it
wf bytecode
printf '\033Lua\124\000\031\223\r\n\032\n' >bytecode.lua
run kanal workflow check bytecode.yaml
expect_rc 4
expect_err "bytecode.lua: error: the rules file holds a NUL byte: it is not a text file"
printf '\033Lua return {}' >bytecode.lua
run kanal workflow check bytecode.yaml
expect_rc 4
expect_err "bytecode.lua: error: attempt to load a binary chunk (mode is 't')"
# a missing rules file
wf nowhere
run kanal workflow check nowhere.yaml
expect_rc 4
expect_err_has "rules file 'nowhere.lua' not found"
# the rules' errors with the workflow's own, and a good file beside them
wf ok
run kanal workflow check unknown_hook.yaml ok.yaml syntax.yaml
expect_rc 4
expect_err "unknown_hook.lua:4: error: unknown hook 'can_advanse' (did you mean 'can_advance'?)
syntax.lua:4: error: unexpected symbol near 'then'"
expect_out "ok.yaml: ok (ok: 1 stages, 1 goals)"
# --json names the rules file
run kanal workflow check --json unknown_hook.yaml
expect_rc 4
expect_out_has '"file":"unknown_hook.lua"'
expect_out_has '"line":4'
expect_out_has "unknown hook 'can_advanse' (did you mean 'can_advance'?)"
# the fixtures and the samples are valid
ok kanal workflow check ok.yaml "$RX/hooks.yaml" "$RX/sandbox.yaml" \
    "$SRC/workflows/referral_partners.yaml" "$SRC/workflows/distributors.yaml"
expect_err ""

# ---- limits: checked like every other key -------------------------------------------------------------
bad ok "ok.yaml:6:24: error: 'instructions' must be a whole number from 1000 to 10000000000 (found '999')
ok.yaml:6:40: error: 'memory_mb' must be a whole number from 1 to 4096 (found '0')" \
    "limits: {instructions: 999, memory_mb: 0}"
bad ok "ok.yaml:6:10: error: unknown key 'instuctions' in limits (did you mean 'instructions'?)" \
    "limits: {instuctions: 5000}"
bad ok "ok.yaml:6:9: error: 'limits' must be a mapping with 'instructions', 'memory_mb' and 'time_ms' (found '5')" \
    "limits: 5"
wf ok "limits: {instructions: 1000, memory_mb: 4096}"
ok kanal workflow check ok.yaml
wf ok "limits: {memory_mb: 16}"
ok kanal workflow check ok.yaml

# ---- apply ----------------------------------------------------------------------------------------------------
ok kanal init --admin admin --name "Ada Admin"
export KANAL_USER=admin
ok kanal user add rita --name "Rita Rep" --role channel_rep
# bad rules: nothing is stored
db_snapshot
run kanal workflow apply many.yaml ok.yaml
expect_rc 4
expect_err "$MANY"
expect_out ""
expect_db_unchanged
db_snapshot
run kanal workflow apply load_loop.yaml
expect_rc 4
expect_err "load_loop.lua:2: error: instruction limit exceeded (10000000 instructions to load the rules; raise limits.instructions in the workflow if the rules need more)"
expect_db_unchanged

# apply stores the text: editing the file changes nothing until applied again
wf ok
ok kanal workflow apply ok.yaml
expect_out "ok v1"
ok kanal partner add "Agencja Alfa" --type agency --as rita
ok kanal partner add "Agencja Beta" --type agency --as rita
ok kanal opp new --partner "Agencja Alfa" --workflow ok --as rita --at 2026-11-20T09:00:00Z
ok kanal log 1 call --as rita --at 2026-11-20T10:00:00Z
refuse 1 "refused by rules (ok.lua:3): set the margin first" kanal win 1 --as rita
cat >ok.lua <<'EOF'
-- Edited after apply: refuses every opportunity.
return {
  can_create = function(opp)
    return false, "edited rules"
  end,
}
EOF
ok kanal opp new --partner "Agencja Beta" --workflow ok --as rita --at 2026-11-20T09:00:00Z
expect_out 2
ok kanal workflow apply ok.yaml
expect_out "ok v2"
ok kanal partner add "Agencja Gamma" --type agency --as rita
refuse 1 "refused by rules (ok.lua:3): edited rules" \
    kanal opp new --partner "Agencja Gamma" --workflow ok --as rita
# an opportunity keeps the rules of its version
ok kanal set 1 margin=10 --as rita --at 2026-11-21T10:00:00Z
ok kanal win 1 --as rita --at 2026-11-21T11:00:00Z
ok kanal history 1 --json --as rita
expect_json '$.events[#-1].data' '{"text":"won","source":"rules:ok.lua:on_won"}'

finish
