#!/bin/sh
# The sandbox of the Lua rules (issue 4): attempts to break out of it or past
# its limits, each with its exact exit code and message, none of them
# changing the database, none of them taking more than a moment (a timeout
# turns a hang into a failure). tests/fixtures/rules/sandbox.lua holds the
# attacks; creating an opportunity for the partner named like one runs it.
. "$KANAL_SOURCE_DIR/tests/cli/lifecycle.sh"
RX=$SRC/tests/fixtures/rules
LUA=$RX/sandbox.lua

# line_of TEXT: the line of sandbox.lua holding TEXT (exactly one must).
line_of() {
    _n=$(grep -c -F -- "$1" "$LUA")
    if [ "$_n" != 1 ]; then
        echo "line_of: '$1' is on $_n lines of sandbox.lua" >&2
        failures=$((failures + 1))
    fi
    grep -n -F -- "$1" "$LUA" | head -1 | cut -d: -f1
}
at() { line_of "attack.$1 = function"; }
HOOK=$(line_of "  can_create = function(opp)")
BUDGET="instruction limit exceeded (100000 instructions a hook call; raise limits.instructions in the workflow if the rules need more)"
CEILING="memory limit exceeded (8 MiB; raise limits.memory_mb in the workflow if the rules need more)"

# attempt NAME: runs the attack NAME, at most 5 seconds; leaves $out, $err, $rc.
attempt() {
    db_snapshot
    run timeout $((5 * SLOW)) "$KANAL_BIN" opp new --partner "$1" --workflow sandbox
    expect_out ""
    expect_db_unchanged
}
# errors_at NAME LINE MESSAGE: the attack ends in a Lua error (exit 4) at LINE.
errors_at() {
    attempt "$1"
    expect_rc 4
    expect_err "kanal: error: rules error in hook 'can_create' (sandbox.lua:$2): $3"
}
# vetoed NAME MESSAGE: the attack's guard refuses (exit 1) with MESSAGE.
vetoed() {
    attempt "$1"
    expect_rc 1
    expect_err "kanal: error: refused by rules (sandbox.lua:$HOOK): $2"
}
# errors_anywhere NAME MESSAGE: exit 4 and exactly MESSAGE, at any line (the
# hook's or the attack's: see the loop_nested and bad_pattern tests for which).
errors_anywhere() {
    attempt "$1"
    expect_rc 4
    checks=$((checks + 1))
    _p="kanal: error: rules error in hook 'can_create' (sandbox.lua:"
    _s="): $2"
    _mid=${err#"$_p"}
    _mid=${_mid%"$_s"}
    case "$_mid" in
    "$err" | "" | *[!0-9]*) fail "stderr is not '${_p}LINE${_s}'" ;;
    esac
}

ok kanal init --admin admin --name "Ada Admin"
export KANAL_USER=admin
ok kanal user add rita --name "Rita Rep" --role channel_rep
ok kanal workflow apply "$RX/sandbox.yaml"
expect_out "sandbox v1"
export KANAL_USER=rita
# a partner for each attack, named like it
grep -o '^attack\.[a-z_]*' "$LUA" | sed 's/^attack\.\(.*\)/partner add \1 --type agency/' >partners.kanal
ok kanal batch partners.kanal
ok kanal partner add Plain --type agency
ok kanal opp new --partner Plain --workflow sandbox
expect_out 1

# ---- files, programs, the environment, the process --------------------------------------------
errors_at io_open "$(at io_open)" "attempt to index a nil value (global 'io')"
errors_at os_execute "$(at os_execute)" "attempt to call a nil value (field 'execute')"
checks=$((checks + 1))
[ -e pwned ] && fail "os.execute ran a program"
errors_at os_exit "$(at os_exit)" "attempt to call a nil value (field 'exit')"
errors_at os_getenv "$(at os_getenv)" "attempt to call a nil value (field 'getenv')"
errors_at os_remove "$(at os_remove)" "attempt to call a nil value (field 'remove')"
errors_at require "$(at require)" "attempt to call a nil value (global 'require')"
errors_at package "$(at package)" "attempt to index a nil value (global 'package')"

# ---- code from strings or files, bytecode --------------------------------------------------------
errors_at load_bytecode "$(at load_bytecode)" "attempt to call a nil value (global 'load')"
errors_at loadstring "$(at loadstring)" "attempt to call a nil value (global 'loadstring')"
errors_at dofile "$(at dofile)" "attempt to call a nil value (global 'dofile')"
errors_at loadfile "$(at loadfile)" "attempt to call a nil value (global 'loadfile')"
errors_at string_dump "$(at string_dump)" "attempt to call a nil value (field 'dump')"
errors_at method_dump "$(at method_dump)" "attempt to call a nil value (field 'dump')"
errors_at debug_getinfo "$(at debug_getinfo)" "attempt to index a nil value (global 'debug')"

# ---- the string metatable and the API tables ------------------------------------------------------
# getmetatable("") gives a string, not the metatable
errors_at string_mt_index "$(at string_mt_index)" "attempt to index a string value"
vetoed string_mt_read "read-only"
errors_anywhere string_mt_set "bad argument #1 to 'setmetatable' (table expected, got string)"
errors_at string_field "$(at string_field)" "cannot change 'upper': it is read-only"
errors_at rawset_kanal "$(at rawset_kanal)" "cannot change a read-only table"
errors_at rawset_string "$(at rawset_string)" "cannot change a read-only table"
errors_at rawset_opp "$(at rawset_opp)" "cannot change a read-only table"
errors_at assign_kanal "$(at assign_kanal)" "cannot change 'now': it is read-only"
vetoed kanal_mt "read-only"
# every tampering refused even inside pcall; the functions are the real ones after it
vetoed tamper_pcall "6 refused; ABC DEF 2026-11-28T12:00:00Z"
# an error inside a wrapped library function names the line that called it
errors_at bad_pattern "$(($(at bad_pattern) + 1))" "malformed pattern (missing ']')"

# ---- past the instruction budget --------------------------------------------------------------------
errors_anywhere loop "$BUDGET"
errors_anywhere loop_pcall "$BUDGET"
errors_anywhere loop_pcall_again "$BUDGET"
errors_anywhere loop_xpcall "$BUDGET"
# the message handler of xpcall loops too: it must not run unbudgeted
errors_anywhere loop_in_handler "$BUDGET"
errors_at coroutine "$(at coroutine)" "attempt to index a nil value (global 'coroutine')"
# the line is where the budget ran out (in spin), not where spin was called
errors_at loop_nested "$(line_of 'local function spin() while true do end end')" "$BUDGET"
errors_anywhere recursion "$BUDGET"
# pattern matching runs in C: charged its worst case, stopped by the budget at once
errors_at backtrack "$(at backtrack)" "$BUDGET"
# an unanchored search tries every start: ".-b" on 90000 a's is 4e9 steps
errors_anywhere backtrack_lazy "$BUDGET"
# a plain find (no pattern, so no charge) is still O(n*m) in C
errors_anywhere find_plain "$BUDGET"
# table.move loops in C over a trillion nils
errors_anywhere table_move "$BUDGET"

# ---- past the memory ceiling --------------------------------------------------------------------------
errors_at memory_rep "$HOOK" "$CEILING"
errors_at memory_pcall "$HOOK" "$CEILING"
# what is allocated is charged against the budget too (copying costs work),
# so a loop of big concatenations runs out of budget before memory
errors_at memory_table "$(at memory_table)" "$BUDGET"
# table.move works in C: it is charged by the length it moves, so the
# doubling runs out of budget before it runs out of memory
errors_at memory_doubling "$(at memory_doubling)" "$BUDGET"
# hints leave the sandbox: each is bounded (and so is their number)
step="hint_flood"
db_snapshot
timeout $((10 * SLOW)) "$KANAL_BIN" opp new --partner hint_flood --workflow sandbox >"$T/flood.out" 2>"$T/flood.err"
rc=$?
out=$(head -c 200 "$T/flood.out")
err=$(head -c 300 "$T/flood.err")
expect_rc 4
checks=$((checks + 1))
grep -q -F "a hint is too long (4000 bytes at most)" "$T/flood.err" || fail "no limit on hints"
checks=$((checks + 1))
[ "$(wc -c <"$T/flood.err")" -lt 100000 ] || fail "printed $(wc -c <"$T/flood.err") bytes of hints"
expect_db_unchanged

# ---- errors that are hard to report, and the garbage collector ------------------------------------------
errors_at error_table "$HOOK" "(error object is a table value)"
# its __tostring would loop: it is not called
errors_at error_tostring "$HOOK" "(error object is a table value)"
errors_at error_nil "$HOOK" "(error object is a nil value)"
errors_at gc "$(at gc)" "__gc metamethods are not allowed in rules"
errors_at gc_stop "$(at gc_stop)" 'collectgarbage: only "count" is allowed in rules'
vetoed gc_count "count is a float"

# ---- globals do not outlive a command ---------------------------------------------------------------
# two commands in a row: each starts from a fresh state
vetoed global "counter 1"
vetoed global "counter 1"
# within one command the hooks share a state (so the counters do count)
ok kanal log 1 call
expect_err "hint: on_complete called: seen 1
hint: on_activity call: seen 2"
ok kanal log 1 call
expect_err "hint: on_activity call: seen 1"
# two lines of a batch, each in its transaction, and all in one with --atomic
ok kanal batch - <<'EOF'
log 1 call
log 1 call
EOF
expect_err "hint: on_activity call: seen 1
hint: on_activity call: seen 1"
ok kanal batch --atomic - <<'EOF'
log 1 call
log 1 call
EOF
expect_err "hint: on_activity call: seen 1
hint: on_activity call: seen 1"
db_snapshot
run kanal batch --keep-going - <<'EOF'
opp new --partner global --workflow sandbox
opp new --partner global --workflow sandbox
EOF
expect_rc 1
expect_err "kanal: line 1: error: refused by rules (sandbox.lua:$HOOK): counter 1
kanal: line 2: error: refused by rules (sandbox.lua:$HOOK): counter 1
kanal: batch: 2 of 2 commands failed (the first at line 1)"
expect_db_unchanged

finish
