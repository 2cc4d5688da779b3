#!/bin/sh
# Rules that would hang every rep (issue 8, item 6). C functions run outside
# the count hook, so a rule that spends its time in them (string.rep,
# os.date, string.byte, pattern matching, kanal.log...) ran until killed,
# holding the write lock. Each hostile body below runs as on_activity under
# the default limits and must end with exit 4 (a limit), the database as it
# was; the wall-clock limit (limits.time_ms) is the backstop for the work no
# accounting sees (the string concatenation, comparison and table resizing
# done by the Lua VM itself). A timeout turns a hang into a failure (exit
# 124); nothing here asserts a duration. A sane rule doing real string work
# must still pass: false positives matter too.
#
# Each case is its own workflow NAME (NAME.yaml, NAME.lua) generated in $T,
# with its own opportunity; `kanal log ID call` runs the hook.
. "$KANAL_SOURCE_DIR/tests/cli/lifecycle.sh"

GUARD=$((60 * SLOW))

# workflow_yaml NAME [LIMITS]: writes NAME.yaml, whose rules are NAME.lua.
workflow_yaml() {
    {
        printf 'workflow: %s\nname: %s\npartner_types: [agency]\nrules: %s.lua\n' "$1" "$1" "$1"
        [ -z "${2:-}" ] || printf 'limits: %s\n' "$2"
        cat <<'EOF'
activity_types:
  - id: call
    name: Phone call
lost_reasons:
  - id: no_interest
    name: No interest
stages:
  - id: contact
    name: Contact
EOF
    } >"$T/$1.yaml"
}

# hook_rules NAME: writes NAME.lua, whose on_activity's body is stdin; the
# hook starts on line 3, its body on line 4.
hook_rules() {
    {
        printf -- '-- %s: the body of on_activity is the attack\nreturn {\n' "$1"
        printf '  on_activity = function(opp, activity)\n'
        cat
        printf '  end,\n}\n'
    } >"$T/$1.lua"
}

# new_opp NAME: applies workflow NAME and opens an opportunity in it; $id.
# Fails (once) when either is refused.
new_opp() {
    id=
    run kanal workflow apply "$1.yaml"
    checks=$((checks + 1))
    [ "$rc" = 0 ] || { fail "workflow apply $1.yaml: exit code $rc, want 0"; return 1; }
    ok kanal opp new --partner Acme --workflow "$1"
    [ "$rc" = 0 ] || return 1
    id=$out
}

# expect_rules_limit NAME WHAT: stderr is "kanal: error: rules error in hook
# 'on_activity' (NAME.lua:LINE): ..." with LINE inside the hook and WHAT in
# the message.
expect_rules_limit() {
    checks=$((checks + 1))
    _p="kanal: error: rules error in hook 'on_activity' ($1.lua:"
    _rest=${err#"$_p"}
    _line=${_rest%%")"*}
    _last=$(wc -l <"$T/$1.lua")
    if [ "$_rest" = "$err" ]; then
        fail "stderr does not start with '$_p'"
    else
        case "$_line" in
        "" | *[!0-9]*) fail "no line number after '$_p'" ;;
        *) [ "$_line" -ge 3 ] && [ "$_line" -lt "$_last" ] ||
            fail "line $_line is not inside on_activity (lines 3 to $((_last - 1)))" ;;
        esac
        case "$_rest" in
        *"): "*"$2"*) ;;
        *) fail "the message lacks: $2" ;;
        esac
    fi
}

# hostile NAME [LIMITS [WHAT]] <<BODY: on_activity runs BODY; `kanal log`
# exits 4 with a rules error naming a limit (WHAT, by default "limit
# exceeded"), prints nothing on stdout, and changes nothing.
hostile() {
    workflow_yaml "$1" "${2:-}"
    hook_rules "$1"
    new_opp "$1" || return 0
    db_snapshot
    run timeout $GUARD "$KANAL_BIN" log "$id" call
    expect_rc 4
    expect_out ""
    expect_rules_limit "$1" "${3:-limit exceeded}"
    expect_db_unchanged
}

ok kanal init --admin admin --name "Ada Admin"
export KANAL_USER=admin
ok kanal partner add Acme --type agency

# ---- a sane rule keeps working under the default limits ------------------------------------------------
# 10 KB of text, a pattern with three quantifiers on disjoint classes (linear
# work), a thousand matches, some string and table work on the way
workflow_yaml sane
hook_rules sane <<'EOF'
    local s = string.rep("12 apples, 7 pears; ", 500)
    local total, words = 0, {}
    for num, word in s:gmatch("(%d+)%s*(%a+)") do
      total = total + tonumber(num)
      words[#words + 1] = word:upper()
    end
    opp:note(string.format("%d bytes, %d pairs, total %d: %s", #s, #words, total,
                           table.concat(words, ",", 1, 4)))
EOF
new_opp sane
sane=$id
run timeout $GUARD "$KANAL_BIN" log "$id" call
expect_rc 0
expect_out "opportunity $id: logged call"
ok kanal history "$id"
expect_out_has "10000 bytes, 1000 pairs, total 9500: APPLES,PEARS,APPLES,PEARS"

# ---- the cases of the issue: each ran until killed -----------------------------------------------------------
# one call doing math.maxinteger empty copies
hostile rep_empty <<'EOF'
    string.rep("", math.maxinteger)
EOF
# 30 MB a call, a billion times: few instructions, much work
hostile rep_loop <<'EOF'
    for i = 1, 1e9 do local s = string.rep("x", 30000000) end
EOF
# a format of 200,000 conversions, each a strftime
hostile date_format <<'EOF'
    for i = 1, 1e5 do os.date(string.rep("%c", 200000)) end
EOF
# 200,000 values pushed a call
hostile byte_values <<'EOF'
    local s = string.rep("x", 1000000); for i = 1, 1e5 do local t = {s:byte(1, 200000)} end
EOF
# narrow items that overlap backtrack as much as wide ones
hostile backtrack_overlap <<'EOF'
    string.find(string.rep("a", 60), string.rep("a*", 15) .. "b")
EOF
# a set that matches everything is as wide as '.'
hostile backtrack_set <<'EOF'
    string.find(string.rep("a", 3000), "[%w%W]-[%w%W]-[%w%W]-[%w%W]-b")
EOF
# each log line is cut to its limit, but was copied whole first
hostile log_flood <<'EOF'
    for i = 1, 1e6 do kanal.log(string.rep("h", 100000)) end
EOF
# the same with the text made once (so string.rep cannot be what stops it):
# 4 MB handed to kanal.log a call, and to print (cheap once the command's
# log is full, so the loop is long enough to outrun the default budget)
hostile log_big <<'EOF'
    local s = "h"; for i = 1, 20 do s = s .. s end
    for i = 1, 1e7 do kanal.log(s, s, s, s) end
EOF
hostile print_big <<'EOF'
    local s = "h"; for i = 1, 20 do s = s .. s end
    for i = 1, 1e7 do print(s, s, s, s) end
EOF

# ---- more C functions that work long for one instruction -------------------------------------------------
# The big strings are built by doubling (s = s .. s: one instruction a
# step), so only the calls after it can be what stops the rule.
# table.concat: 10,000 strings of 1 KB joined, 10 MB a call
hostile concat_table <<'EOF'
    local x = string.rep("x", 1000); local t = {}; for i = 1, 1e4 do t[i] = x end
    for j = 1, 1e6 do local r = table.concat(t) end
EOF
# table.unpack: 900,000 values pushed a call
hostile unpack_values <<'EOF'
    local t = {}; for i = 1, 1e6 do local a = table.unpack(t, 1, 900000) end
EOF
# utf8.len: decodes 8 MB a call
hostile utf8_len <<'EOF'
    local s = "\u{e9}"; for i = 1, 22 do s = s .. s end
    for i = 1, 1e6 do local n = utf8.len(s) end
EOF
# utf8.offset: walks 8 million characters a call
hostile utf8_offset <<'EOF'
    local s = "x"; for i = 1, 23 do s = s .. s end
    for i = 1, 1e6 do local n = utf8.offset(s, 8000000) end
EOF
# utf8.codepoint: 500,000 values pushed a call
hostile utf8_codepoint <<'EOF'
    local s = "x"; for i = 1, 19 do s = s .. s end
    for i = 1, 1e6 do local t = {utf8.codepoint(s, 1, -1)} end
EOF
# string.format("%q"): 4 MB of control bytes quoted one by one
hostile format_quoted <<'EOF'
    local s = "\0"; for i = 1, 22 do s = s .. s end
    for i = 1, 1e6 do local r = string.format("%q", s) end
EOF
# string.format: a format of 4 million conversions ("%%")
hostile format_long <<'EOF'
    local f = "%%"; for i = 1, 22 do f = f .. f end
    for i = 1, 1e6 do local r = string.format(f) end
EOF
# tonumber: 8 million digits read (and converted by strtod) a call
hostile tonumber_digits <<'EOF'
    local s = "1"; for i = 1, 23 do s = s .. s end
    for i = 1, 1e6 do local n = tonumber(s) end
EOF
# string.upper: 8 MB copied a call
hostile upper_big <<'EOF'
    local s = "x"; for i = 1, 23 do s = s .. s end
    for i = 1, 1e6 do local r = s:upper() end
EOF
# string.rep with a separator of 8 MB: 16 MB a call
hostile rep_separator <<'EOF'
    local s = "x"; for i = 1, 23 do s = s .. s end
    for i = 1, 1e6 do local r = string.rep("a", 3, s) end
EOF
# gsub on two bytes with a replacement of 8 MB: 16 MB a call
hostile gsub_replacement <<'EOF'
    local s = "x"; for i = 1, 23 do s = s .. s end
    for i = 1, 1e6 do local r = ("ab"):gsub("%a", s) end
EOF
# string.pack: "c30000000" pads 30 MB, byte by byte
hostile pack_padding <<'EOF'
    for i = 1, 1e6 do local r = string.pack("c30000000", "") end
EOF
# rawequal of two equal 8 MB strings: compared byte by byte
hostile rawequal_big <<'EOF'
    local s = "x"; for i = 1, 23 do s = s .. s end
    local a, b = s .. "a", s .. "a"
    for i = 1, 1e9 do local c = rawequal(a, b) end
EOF
# table.insert at the front: every element moves, 131,072 of them
hostile insert_front <<'EOF'
    local t = {1}; for i = 1, 17 do table.move(t, 1, #t, #t + 1) end
    for i = 1, 1e6 do table.insert(t, 1, i) end
EOF
# table.remove at the front: the same the other way
hostile remove_front <<'EOF'
    local t = {1}; for i = 1, 17 do table.move(t, 1, #t, #t + 1) end
    for i = 1, 1e6 do table.remove(t, 1) end
EOF
# table.sort of 524,288 elements, again and again
hostile sort_big <<'EOF'
    local t = {1}; for i = 1, 19 do table.move(t, 1, #t, #t + 1) end
    for i = 1, 1e6 do table.sort(t) end
EOF

# ---- work done by the VM itself: only the time limit stops it ------------------------------------------
# concatenation: 16 MB copied by one instruction
hostile concat_vm <<'EOF'
    local s = "x"; for i = 1, 23 do s = s .. s end
    for i = 1, 1e9 do local r = s .. s end
EOF
# comparison of two 8 MB strings (strcoll) by one instruction
hostile compare_vm <<'EOF'
    local s = "x"; for i = 1, 23 do s = s .. s end
    local a, b = s .. "a", s .. "b"
    for i = 1, 1e9 do local c = a < b end
EOF
# a full hash part: removing a key and adding another rehashes it whole
hostile rehash_vm <<'EOF'
    local t = {}; for i = 1, 131071 do t[i + 0.5] = true end
    local k = 131071
    for i = 1, 1e9 do t[k + 0.5] = nil; k = k + 1; t[k + 0.5] = true end
EOF

# ---- limits.time_ms ----------------------------------------------------------------------------------------
# a budget of ten billion instructions: the wall clock ends the loop
hostile spin_timed "{instructions: 10000000000, time_ms: 300}" "time limit exceeded" <<'EOF'
    while true do end
EOF
# and by default (5000 ms), before the instructions run out
hostile spin_default_time "{instructions: 10000000000}" "time limit exceeded" <<'EOF'
    while true do end
EOF

# time_ms at check: whole milliseconds from 1 to 3600000
printf 'return {}\n' >"$T/empty.lua"
# limits_yaml NAME LIMITS: a workflow NAME with LIMITS and empty rules
limits_yaml() {
    workflow_yaml "$1" "$2"
    sed 's/^rules: .*/rules: empty.lua/' "$T/$1.yaml" >"$T/$1.tmp" && mv "$T/$1.tmp" "$T/$1.yaml"
}
for v in 1 3600000; do
    limits_yaml time_ok "{time_ms: $v}"
    ok kanal workflow check time_ok.yaml
    expect_out "time_ok.yaml: ok (time_ok: 1 stages, 0 goals)"
done
for v in 0 abc 3600001 1.5 -300; do
    limits_yaml time_bad "{time_ms: $v}"
    run kanal workflow check time_bad.yaml
    expect_rc 4
    expect_err_has "time_ms"
    expect_out ""
done
limits_yaml time_bad "{instructions: 100000, time_ms: 0}"
db_snapshot
run kanal workflow apply time_bad.yaml
expect_rc 4
expect_err_has "time_ms"
expect_db_unchanged

# ---- loading a rules file runs under the same limits, at check and apply ----------------------------
workflow_yaml load_rep
printf 'string.rep("", math.maxinteger)\nreturn {}\n' >"$T/load_rep.lua"
run timeout $GUARD "$KANAL_BIN" workflow check load_rep.yaml
expect_rc 4
expect_err_has "load_rep.lua"
expect_err_has "limit exceeded"
expect_out ""
db_snapshot
run timeout $GUARD "$KANAL_BIN" workflow apply load_rep.yaml
expect_rc 4
expect_err_has "load_rep.lua"
expect_err_has "limit exceeded"
expect_out ""
expect_db_unchanged
# the VM's own work at the top level: stopped by the time limit
workflow_yaml load_concat
printf 'local s = "x"; for i = 1, 23 do s = s .. s end\nfor i = 1, 1e9 do local r = s .. s end\nreturn {}\n' >"$T/load_concat.lua"
run timeout $GUARD "$KANAL_BIN" workflow check load_concat.yaml
expect_rc 4
expect_err_has "load_concat.lua"
expect_err_has "limit exceeded"
db_snapshot
run timeout $GUARD "$KANAL_BIN" workflow apply load_concat.yaml
expect_rc 4
expect_err_has "load_concat.lua"
expect_db_unchanged

# the sane rule still runs after all that
run timeout $GUARD "$KANAL_BIN" log "$sane" call
expect_rc 0

finish
