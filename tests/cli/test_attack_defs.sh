#!/bin/sh
# Large and hostile workflow definitions (issue 8, item 11): `workflow check`
# and `workflow apply` on generated files finish (no quadratic work on ids),
# report at most 100 errors a file and say how many more there were, refuse
# nesting deeper than 64 levels and files over 4 MiB with a clear error.
# Each command runs under `timeout 60` as a hang guard only: a hang exits 124
# and fails the exit-code check; no timing is asserted.
. "$KANAL_SOURCE_DIR/tests/cli/lifecycle.sh"

# fail MESSAGE: as lib.sh's, but showing at most 8 lines of each output (these can be huge).
fail() {
    failures=$((failures + 1))
    printf 'FAIL: %s\n  step: %s\n' "$1" "$step" >&2
    printf '  stdout: %s\n  stderr: %s\n' "$(printf '%s\n' "$out" | head -n 8 | cut -c1-300)" \
        "$(printf '%s\n' "$err" | head -n 8 | cut -c1-300)" >&2
}
# expect_err_file FILE: stderr is the text of FILE.
expect_err_file() {
    checks=$((checks + 1))
    cmp -s "$T/.err" "$1" ||
        fail "stderr is not as expected: $(diff "$1" "$T/.err" | head -n 6)"
}

# guard CMD...: runs kanal CMD under the hang guard.
guard() { run timeout $((60 * SLOW)) "$KANAL_BIN" "$@"; }

# header: the part of a workflow before its stages (10 lines; 'stages:' is line 10).
header() {
    printf 'workflow: big\nname: Big\npartner_types: [agency]\nactivity_types:\n  - id: call\n    name: Call\nlost_reasons:\n  - id: other\n    name: Other\nstages:\n'
}
# stages FILE N ID: a workflow of N stages; ID "unique" gives s1..sN, else every stage has id ID.
# Stage k starts on line 11 + 2(k-1), its id at column 9.
stages() {
    { header; awk -v n="$2" -v id="$3" 'BEGIN {
        for (i = 1; i <= n; i++)
            printf "  - id: %s\n    name: S\n", (id == "unique" ? "s" i : id)
    }'; } >"$1"
}
# dup_errors FILE FIRST LAST: the duplicate-stage errors of stages FIRST..LAST of a stages() file.
dup_errors() {
    awk -v f="$1" -v a="$2" -v b="$3" 'BEGIN {
        for (k = a; k <= b; k++)
            printf "%s:%d:9: error: duplicate stage id '\''s'\'' (first at line 11)\n", f, 11 + 2 * (k - 1)
    }'
}
# expect_err_lines N: stderr has N lines.
expect_err_lines() {
    checks=$((checks + 1))
    _n=$(printf '%s\n' "$err" | grep -c .)
    [ "$_n" = "$1" ] || fail "stderr has $_n lines, want $1"
}

ok kanal init --admin admin --name "Ada Admin"
export KANAL_USER=admin

# ---- 100,000 stages with unique ids: finishes, ok or a clear error -----------------------------
stages big.yaml 100000 unique
checks=$((checks + 1))
[ "$(wc -c <big.yaml)" -lt 4194304 ] || fail "the test's big.yaml is not under 4 MiB"
guard workflow check big.yaml
case $rc in
0)
    checks=$((checks + 1))
    case $out in
    "big.yaml: ok (big: 100000 stages, 0 goals)" | "big.yaml: ok (big: 100,000 stages, 0 goals)") ;;
    *) fail "stdout is not 'big.yaml: ok (big: 100000 stages, 0 goals)'" ;;
    esac
    expect_err ""
    # stored, and steps on it (every command re-reads the definition) finish too
    guard workflow apply big.yaml
    expect_rc 0
    expect_out "big v1"
    ok kanal user add rita --name "Rita Rep" --role channel_rep
    ok kanal partner add "Agencja Alfa" --type agency --as rita
    guard opp new --partner "Agencja Alfa" --workflow big --as rita
    expect_rc 0
    expect_out 1
    guard log 1 call --as rita
    expect_rc 0
    guard advance 1 --as rita
    expect_rc 0
    guard next 1 --json --as rita
    expect_rc 0
    expect_json '$.stage' s2
    ;;
4)
    checks=$((checks + 1))
    # a clear error: FILE: error: ... (or FILE:LINE:COL: error: ...), a few lines, nothing else
    case $err in
    "big.yaml:"*"error: "*) ;;
    *) fail "workflow check of 100,000 stages failed without a clear error" ;;
    esac
    checks=$((checks + 1))
    [ "$(printf '%s\n' "$err" | grep -c .)" -le 101 ] || fail "more than 101 lines of errors"
    ;;
*)
    checks=$((checks + 1))
    fail "workflow check of 100,000 unique stages: exit $rc, want 0 or 4 (124 is the hang guard)"
    ;;
esac

# ---- 100,000 duplicate stage ids: 100 errors, then how many more ------------------------------
# 100,001 stages all called 's': the first is the original, the 100,000 others are the duplicates.
stages dup.yaml 100001 s
dup_errors dup.yaml 2 101 >"$T/want-dup"
printf 'dup.yaml: error: and 99,900 more errors\n' >>"$T/want-dup"
guard workflow check dup.yaml
expect_rc 4
expect_out ""
expect_err_file "$T/want-dup"
expect_err_lines 101
# apply refuses it with the same report and stores nothing
db_snapshot
guard workflow apply dup.yaml
expect_rc 4
expect_err_file "$T/want-dup"
expect_db_unchanged
# --json: still on stdout only, still a valid document (whatever it lists)
guard workflow check --json dup.yaml
expect_rc 4
expect_err ""
expect_json_valid
expect_json '$.files[0].valid' 0
checks=$((checks + 1))
_n=$(sqlite3 :memory: "SELECT json_array_length(readfile('$T/.out'), '\$.files[0].errors')")
[ "${_n:-0}" -le 101 ] || fail "workflow check --json lists $_n errors for one file (want at most 100, and a line for the rest)"

# exactly 100 errors: every one shown, no "more" line
stages hundred.yaml 101 s
guard workflow check hundred.yaml
expect_rc 4
dup_errors hundred.yaml 2 101 >"$T/want-hundred"
expect_err_file "$T/want-hundred"
# 101 errors: 100 shown and one more
stages hundred1.yaml 102 s
guard workflow check hundred1.yaml
expect_rc 4
expect_err_lines 101
expect_err_has "$(dup_errors hundred1.yaml 101 101)"
expect_err_has "hundred1.yaml: error: and 1 more error"
checks=$((checks + 1))
case $err in *"hundred1.yaml:213:9:"*) fail "the 101st error is shown" ;; esac

# a valid file beside a bad one: each file has its own cap, the good one is still ok
guard workflow check dup.yaml "$WF/wholesale.yaml"
expect_rc 4
expect_out_has "wholesale.yaml: ok (wholesale: 3 stages, 7 goals)"
expect_err_file "$T/want-dup"

# ---- nesting: 200 KB of '[' is refused at once ------------------------------------------------------
awk 'BEGIN { for (i = 0; i < 204800; i++) printf "["; printf "\n" }' >deep.yaml
guard workflow check deep.yaml
expect_rc 4
expect_out ""
expect_err_lines 1
checks=$((checks + 1))
case $err in
"deep.yaml:1:"*": error: nesting deeper than 64 levels") ;;
*) fail "stderr is not 'deep.yaml:1:COL: error: nesting deeper than 64 levels'" ;;
esac
checks=$((checks + 1))
_col=${err#deep.yaml:1:}
_col=${_col%%:*}
case $_col in
'' | *[!0-9]*) fail "no column in the nesting error" ;;
*) [ "$_col" -ge 1 ] && [ "$_col" -le 66 ] || fail "the nesting error is at column $_col, not near the 65th '['" ;;
esac
db_snapshot
guard workflow apply deep.yaml
expect_rc 4
expect_err_has "nesting deeper than 64 levels"
expect_db_unchanged
# the same inside a key, on line 2, with '{' mixed in
{ printf 'workflow: deep\nname: '; awk 'BEGIN { for (i = 0; i < 100000; i++) printf (i % 2 ? "{a: " : "[") }'; printf '\n'; } >deep2.yaml
guard workflow check deep2.yaml
expect_rc 4
expect_err_lines 1
checks=$((checks + 1))
case $err in
"deep2.yaml:2:"*": error: nesting deeper than 64 levels") ;;
*) fail "stderr is not 'deep2.yaml:2:COL: error: nesting deeper than 64 levels'" ;;
esac
# 64 levels is not "deeper than 64": the usual error about what the file holds
awk 'BEGIN { for (i = 0; i < 64; i++) printf "["; for (i = 0; i < 64; i++) printf "]"; printf "\n" }' >deep64.yaml
guard workflow check deep64.yaml
expect_rc 4
checks=$((checks + 1))
case $err in *"nesting deeper"*) fail "64 levels are refused as too deep" ;; esac
expect_err "deep64.yaml:1:1: error: expected a mapping of keys at the top of the file (found a list)"

# ---- size: over 4 MiB is refused, exactly 4 MiB is read --------------------------------------------
# a valid workflow followed by comment lines, cut to the size wanted (the cut falls in a comment)
{ cat "$FX/tiny.yaml"; awk 'BEGIN { for (i = 0; i < 5000; i++) { printf "# "; for (j = 0; j < 100; j++) printf "padding..."; printf "\n" } }'; } >pad.src
head -c 4194305 pad.src >huge.yaml
head -c 4194304 pad.src >exact.yaml
guard workflow check huge.yaml
expect_rc 4
expect_out ""
expect_err "huge.yaml: error: the file is larger than 4 MiB (4194305 bytes)"
db_snapshot
guard workflow apply huge.yaml
expect_rc 4
expect_err "huge.yaml: error: the file is larger than 4 MiB (4194305 bytes)"
expect_db_unchanged
expect_sql "SELECT count(*) FROM workflow_versions WHERE workflow = 'tiny'" 0
guard workflow check exact.yaml
expect_rc 0
expect_out "exact.yaml: ok (tiny: 2 stages, 8 goals)"
expect_err ""
# the big file does not hide the others' reports
guard workflow check huge.yaml "$FX/tiny.yaml"
expect_rc 4
expect_out_has "tiny.yaml: ok (tiny: 2 stages, 8 goals)"
expect_err "huge.yaml: error: the file is larger than 4 MiB (4194305 bytes)"
# --json says it too
guard workflow check --json huge.yaml
expect_rc 4
expect_json '$.files[0].valid' 0
expect_json '$.files[0].errors[0].message' "the file is larger than 4 MiB (4194305 bytes)"

finish
